using Lakehouse.Engine;
using Lakehouse.Jobs.Gold.Splits;
using Lakehouse.Jobs.Identity;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Sample;
using Lakehouse.Jobs.Silver;
using Lakehouse.Jobs.Tests.Gold.Splits;
using Lakehouse.Jobs.Tests.Sample;
using Lakehouse.Testing;
using Lakehouse.Udfs.Deidentification;

namespace Lakehouse.Jobs.Tests.Identity;

/// <summary>Issue "patient identity across sites": with identity resolved, every instance of one true person sits in one split.</summary>
public sealed class PersonLevelSplitTests : IDisposable
{
    private readonly TempDirectory _dir = new("person-split");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Every_instance_of_one_true_person_is_in_one_split_across_sites_and_patient_ids()
    {
        const string secret = "9c4e1a7b3f5d8e2c6a0b4d9f1e3c5a7b2d4f6e8a0c1b3d5f7e9a2c4b6d8f0e1a";
        var sample = Support.SampleSilverLake.Build(_dir, patients: 40, seed: 7, secret, linkPatients: true);
        string archive = sample.Archive;
        var lake = sample.Lake;
        new SplitJob().Execute(sample.Plain);

        var splitBySop = GoldFixture.Query(lake,
                "SELECT i.sop_instance_uid, s.split FROM silver.instances i JOIN gold.splits s USING (patient_id)")
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        var key = DeidKey.FromSecret(secret);
        var truth = SampleArchiveFixture.ReadCsv(Path.Combine(archive, "ground-truth", "instances.csv"));
        var splitsByPerson = truth
            .GroupBy(t => t["person_id"])
            .ToDictionary(g => g.Key, g => g.Select(t => splitBySop[UidRemapper.Remap(key, t["sop_instance_uid"])]).Distinct().ToList());
        splitsByPerson.Where(p => p.Value.Count != 1).Select(p => p.Key).Should().BeEmpty("a person's instances never straddle two splits");

        // The persons registered under two patient ids (the traps) are among them, and really span two patient ids in silver.
        var multiKey = SampleArchiveFixture.ReadCsv(Path.Combine(archive, "ground-truth", "persons.csv"))
            .GroupBy(p => p["person_id"]).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        multiKey.Should().NotBeEmpty();
        var patientsBySop = GoldFixture.Query(lake, "SELECT sop_instance_uid, patient_id, person_id FROM silver.instances")
            .ToDictionary(r => (string)r[0]!, r => ((string)r[1]!, (string)r[2]!));
        foreach (string person in multiKey)
        {
            var rows = truth.Where(t => t["person_id"] == person).Select(t => patientsBySop[UidRemapper.Remap(key, t["sop_instance_uid"])]).ToList();
            rows.Select(r => r.Item2).Distinct().Should().ContainSingle($"one person id for true person {person}");
        }
    }
}
