using System.Globalization;
using System.Text.Json;
using Lakehouse.Jobs.Identity;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Engine;
using Lakehouse.Jobs.Sample;
using Lakehouse.Tables;
using Lakehouse.Testing;
using Lakehouse.Udfs.Identity;

namespace Lakehouse.Jobs.Tests.Identity;

/// <summary>A generated 40-person archive with the identity traps, ingested into bronze once for the class.</summary>
public sealed class SampleLakeFixture : IDisposable
{
    public SampleLakeFixture()
    {
        SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = Archive, Patients = 40, Seed = 7 });
        new DicomIngestJob(Store, new DicomIngestOptions(Archive)).Run();
    }

    public TempDirectory Root { get; } = new("identity-sample");
    public string Archive => Root.Combine("archive");
    public string LakeRoot => Root.Combine("lake");
    public LakeStore Store => new(LakeRoot);
    public string GroundTruth(string file) => Path.Combine(Archive, "ground-truth", file);

    public void Dispose() => Root.Dispose();
}

public class LinkPatientsJobTests(SampleLakeFixture sample) : IClassFixture<SampleLakeFixture>
{
    // The test names sites like the ground truth does, which also exercises the site configuration.
    private static readonly IdentityOptions SiteNames = new()
    {
        SiteByIssuer = new Dictionary<string, string> { ["RIVERSIDE_MC"] = "S1", ["KLINIKUM_NORD"] = "S2", ["FJORDVIK_HF"] = "S3" },
        SiteByInstitution = new Dictionary<string, string> { ["ST ANNE COMMUNITY HOSPITAL"] = "S4", ["SAKURA IMAGING CLINIC"] = "S5" },
    };

    private sealed record TruthRow(string PersonId, string Site, string PatientId, string? Issuer)
    {
        public string Key => (Issuer ?? PatientKey.SitePrefix + Site) + "\\" + PatientId;
    }

    private List<TruthRow> Truth() => File.ReadAllLines(sample.GroundTruth("persons.csv")).Skip(1).Select(l => l.Split(','))
        .Select(c => new TruthRow(c[0], c[1], c[2], c[3].Length == 0 ? null : c[3])).ToList();

    private List<IReadOnlyDictionary<string, object?>> Rows(Engine.LakeTableName table) =>
        DeltaTable.Open(sample.Store.PathOf(table)).Snapshot().ReadRows().ToList();

    [Fact]
    public void Person_ids_equal_the_ground_truth_exactly()
    {
        var summary = new LinkPatientsJob(sample.Store, SiteNames).Run();
        var truth = Truth();
        var persons = Rows(IdentityTables.PatientPersons);

        persons.Select(r => (string)r["patient_key"]!).Should().BeEquivalentTo(truth.Select(t => t.Key), "every registration is one key, no more");
        var ours = persons.ToDictionary(r => (string)r["patient_key"]!, r => (string)r["person_id"]!);
        // The same partition: each true person maps to exactly one of our persons and no two true persons share one.
        var mapping = truth.GroupBy(t => t.PersonId).ToDictionary(g => g.Key, g => g.Select(t => ours[t.Key]).Distinct().ToList());
        mapping.Where(m => m.Value.Count != 1).Select(m => m.Key).Should().BeEmpty("no missed link");
        mapping.Values.Select(v => v[0]).Should().OnlyHaveUniqueItems("no false merge");
        summary.Persons.Should().Be(truth.Select(t => t.PersonId).Distinct().Count());
        summary.PatientKeys.Should().Be(truth.Count);

        foreach (var row in persons)
        {
            var t = truth.Single(x => x.Key == (string)row["patient_key"]!);
            row["site"].Should().Be(t.Site);
            row["patient_id"].Should().Be(t.PatientId);
            row["issuer_of_patient_id"].Should().Be(t.Issuer);
            ((string)row["person_id"]!).Should().MatchRegex("^PER-[0-9a-f]{16}$");
        }
    }

    [Fact]
    public void Without_configuration_the_site_is_the_normalized_institution_name()
    {
        new LinkPatientsJob(sample.Store).Run();
        var persons = Rows(IdentityTables.PatientPersons);
        var siteless = Truth().Where(t => t.Issuer is null).ToList();
        siteless.Should().NotBeEmpty();
        string Institution(string site) => site == "S4" ? "ST ANNE COMMUNITY HOSPITAL" : "SAKURA IMAGING CLINIC";
        var keys = persons.Select(r => (string)r["patient_key"]!).ToList();
        foreach (var t in siteless)
        {
            string expected = "site:" + Institution(t.Site) + "\\" + t.PatientId;
            keys.Should().ContainSingle(k => k == expected);
        }
        persons.Select(r => r["person_id"]).Distinct().Should().HaveCount(Truth().Select(t => t.PersonId).Distinct().Count());
    }

    [Fact]
    public void Each_identity_trap_is_resolved_by_its_rule()
    {
        new LinkPatientsJob(sample.Store, SiteNames).Run();
        var truth = Truth();
        var persons = Rows(IdentityTables.PatientPersons).ToDictionary(r => (string)r["patient_key"]!, r => (string)r["person_id"]!);
        var links = Rows(IdentityTables.PatientLinks).Select(r => ((string)r["left_patient_key"]!, (string)r["right_patient_key"]!, (string)r["reason"]!)).ToList();
        using var traps = JsonDocument.Parse(File.ReadAllText(sample.GroundTruth("traps.json")));
        var byTrap = traps.RootElement.EnumerateArray().ToDictionary(t => t.GetProperty("trap").GetString()!,
            t => t.GetProperty("patient_ids").EnumerateArray().Select(p => p.GetString()!).ToArray());

        void Linked(string trap, params string[] reasons)
        {
            var keys = byTrap[trap].Select(id => truth.Single(t => t.PatientId == id).Key).Order(StringComparer.Ordinal).ToArray();
            keys.Should().HaveCount(2);
            persons[keys[0]].Should().Be(persons[keys[1]], trap);
            foreach (string reason in reasons) links.Should().Contain((keys[0], keys[1], reason), trap);
        }
        Linked("same_person_name_birthdate_sex", LinkReason.NameBirthDateSex);
        Linked("linked_by_other_patient_ids", LinkReason.OtherPatientIdsSequence, LinkReason.OtherPatientIds);
        Linked("study_under_two_patient_ids", LinkReason.SharedSopInstanceUid, LinkReason.SharedStudyInstanceUid);

        string shared = byTrap["shared_patient_id_different_people"].Single();
        var sharedKeys = truth.Where(t => t.PatientId == shared).Select(t => t.Key).ToArray();
        sharedKeys.Should().HaveCount(2);
        persons[sharedKeys[0]].Should().NotBe(persons[sharedKeys[1]], "the same PatientID string at two sites is two people");
        links.Should().NotContain(l => sharedKeys.Contains(l.Item1) && sharedKeys.Contains(l.Item2));
    }

    [Fact]
    public void Turning_the_name_rule_off_leaves_the_name_only_person_split()
    {
        var summary = new LinkPatientsJob(sample.Store, SiteNames with { LinkByNameBirthDateSex = false }).Run();
        summary.LinksByReason.Should().NotContainKey(LinkReason.NameBirthDateSex);
        var truth = Truth();
        var persons = Rows(IdentityTables.PatientPersons).ToDictionary(r => (string)r["patient_key"]!, r => (string)r["person_id"]!);
        summary.Persons.Should().Be(truth.Select(t => t.PersonId).Distinct().Count() + 1);
        using var traps = JsonDocument.Parse(File.ReadAllText(sample.GroundTruth("traps.json")));
        var ids = traps.RootElement.EnumerateArray().Single(t => t.GetProperty("trap").GetString() == "same_person_name_birthdate_sex")
            .GetProperty("patient_ids").EnumerateArray().Select(p => truth.Single(t => t.PatientId == p.GetString()).Key).ToArray();
        persons[ids[0]].Should().NotBe(persons[ids[1]]);
    }

    [Fact]
    public void No_PHI_value_reaches_evidence_details_or_the_summary()
    {
        var summary = new LinkPatientsJob(sample.Store, SiteNames).Run();
        using var phi = JsonDocument.Parse(File.ReadAllText(sample.GroundTruth("phi.json")));
        var values = phi.RootElement.EnumerateArray().Select(p => p.GetProperty("value").GetString()!).Where(v => v.Length >= 4).ToList();
        values.Should().NotBeEmpty();
        var texts = Rows(IdentityTables.PatientLinks).Select(r => (string)r["evidence"]!)
            .Concat(Rows(IdentityTables.IdentityConflicts).Select(r => (string)r["detail"]!))
            .Append(summary.ToString().Replace(summary.RunId, "", StringComparison.Ordinal))
            .Append(JsonSerializer.Serialize(summary with { RunId = "" })).ToList();
        foreach (string text in texts)
            values.Where(v => text.Contains(v, StringComparison.OrdinalIgnoreCase)).Should().BeEmpty();
    }

    [Fact]
    public void Reruns_overwrite_with_the_same_person_ids_and_the_tables_pass_delta_check()
    {
        var first = new LinkPatientsJob(sample.Store, SiteNames).Run();
        var before = Rows(IdentityTables.PatientPersons).Select(r => ((string)r["patient_key"]!, (string)r["person_id"]!)).Order().ToList();
        var second = new LinkPatientsJob(sample.Store, SiteNames).Run();
        var after = Rows(IdentityTables.PatientPersons).Select(r => ((string)r["patient_key"]!, (string)r["person_id"]!)).Order().ToList();
        after.Should().Equal(before, "identity is recomputed, not appended");
        second.RunId.Should().NotBe(first.RunId);
        Rows(IdentityTables.PatientPersons).Select(r => r["link_run_id"]).Distinct().Should().Equal(second.RunId);
        second.TableVersions[IdentityTables.PatientPersons.ToString()].Should().BeGreaterThan(first.TableVersions[IdentityTables.PatientPersons.ToString()]);

        foreach (var table in new[] { IdentityTables.PatientLinks, IdentityTables.PatientPersons, IdentityTables.IdentityConflicts })
        {
            string path = sample.Store.PathOf(table);
            var check = DeltaCheck.Check(path);
            check.ExitCode.Should().Be(0, $"{table}: {check.StdOut} {check.StdErr}");
            string commit = DeltaTable.Open(path).History().OrderBy(c => c.Version).Last().Raw!.ToJsonString();
            commit.Should().Contain("inputVersions").And.Contain("bronze.dicom_instances").And.Contain(LinkPatientsJob.JobName);
        }
    }

    [Fact]
    public void A_lake_without_bronze_is_a_user_error()
    {
        using var empty = new TempDirectory("identity-empty");
        var act = () => new LinkPatientsJob(new LakeStore(empty.Path)).Run();
        act.Should().Throw<UserInputException>().WithMessage("*bronze.dicom_instances does not exist*");
    }
}
