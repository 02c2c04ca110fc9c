using Lakehouse.Engine;
using Lakehouse.Jobs.Gold.Labels;
using Lakehouse.Jobs.Gold.Profile;
using Lakehouse.Jobs.Gold.Splits;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Sample;
using Lakehouse.Jobs.Silver;
using Lakehouse.Jobs.Tests.Sample;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Gold.Splits;

/// <summary>sample → ingest → load-ref → normalize → deidentify → label-studies → split → verify → profile → report.</summary>
public sealed class GoldEndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new("gold-e2e");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Sample_archive_to_leakage_free_split_and_profile()
    {
        var sample = Support.SampleSilverLake.Build(_dir, patients: 40, seed: 23, "5a1c9e3b7d2f8a4c6e0b1d3f5a7c9e2b4d6f8a0c2e4b6d8f1a3c5e7b9d0f2a4c");
        string archive = sample.Archive;
        var lake = sample.Lake;
        var plain = sample.Plain;
        new LabelStudiesJob().Run(plain);

        var split = new SplitJob().Execute(plain);
        split.LabeledStudies.Should().BeGreaterThan(0);
        var verified = SplitVerification.Verify(lake).Single();
        verified.LeakageFree.Should().BeTrue(verified.ToString());
        verified.UnassignedInstances.Should().Be(0);
        long patients = (long)GoldFixture.Query(lake, "SELECT count(DISTINCT patient_id) FROM silver.instances")[0][0]!;
        split.Patients.Should().Be((int)patients);

        // Every ground-truth study (by its pseudonymised UID) is in exactly one split.
        var truth = SampleArchiveFixture.ReadCsv(Path.Combine(archive, "ground-truth", "studies.csv"));
        var studySplits = GoldFixture.Query(lake,
            "SELECT i.study_instance_uid, count(DISTINCT s.split) FROM silver.instances i JOIN gold.splits s USING (patient_id) GROUP BY 1")
            .ToDictionary(r => (string)r[0]!, r => (long)r[1]!);
        studySplits.Should().HaveCount(truth.Count);
        studySplits.Values.Should().OnlyContain(n => n == 1);

        var profile = new ProfileJob().Execute(plain);
        profile.SplitVersion.Should().Be(split.SplitVersion);
        profile.Counts["studies"].Should().Be(truth.Count);
        profile.Counts["studies_unassigned"].Should().Be(0);
        profile.DeidOptions.Should().NotBeEmpty();
        var files = ProfileReport.Write(profile, _dir.Combine("report"));
        string html = File.ReadAllText(files.Html);
        var persons = SampleArchiveFixture.ReadCsv(Path.Combine(archive, "ground-truth", "persons.csv"));
        foreach (var p in persons)
        {
            html.Should().NotContain(p["patient_id"]);
            html.Should().NotContain(p["patient_name"]);
        }
        foreach (var table in new[] { SplitTables.Splits, ProfileJob.ProfileTable, ProfileJob.SummaryTable })
        {
            var check = DeltaCheck.Check(lake.PathOf(table));
            check.Succeeded.Should().BeTrue(check.StdOut + check.StdErr);
        }
    }
}
