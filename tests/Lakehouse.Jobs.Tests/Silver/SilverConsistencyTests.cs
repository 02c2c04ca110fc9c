using System.Globalization;
using Lakehouse.Engine;
using Lakehouse.Jobs.Silver;
using Lakehouse.Tables;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Silver;

/// <summary>Determinism across runs and keys, identity, reruns, the key requirement, and delta-check on every table written.</summary>
[Collection(SilverCollection.Name)]
public sealed class SilverConsistencyTests(SilverFixture fx)
{
    private static readonly LakeTableName[] SilverOutputs = [SilverTables.Instances, SilverTables.Reports, SilverTables.DeidAudit];

    private static List<string> Canonical(LakeStore lake, LakeTableName table) =>
        SilverFixture.Rows(lake, table)
            .Select(r => string.Join("|", r.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + Text(kv.Value))))
            .Order(StringComparer.Ordinal).ToList();

    private static string Text(object? value) => value switch
    {
        null => "null",
        System.Collections.IEnumerable e and not string => "[" + string.Join(",", e.Cast<object?>().Select(Text)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    [Fact]
    public void Two_runs_with_the_same_key_give_identical_rows_and_another_key_different_pseudonyms()
    {
        var same = fx.CopyNormalized("same-key");
        fx.Deidentify(same, fx.KeyFileA);
        foreach (var table in SilverOutputs)
            Canonical(same, table).Should().Equal(Canonical(fx.Lake, table), table.ToString());

        var other = fx.CopyNormalized("other-key");
        fx.Deidentify(other, fx.KeyFileB);
        var a = SilverFixture.Rows(fx.Lake, SilverTables.Instances);
        var b = SilverFixture.Rows(other, SilverTables.Instances);
        var aUids = a.Select(r => (string)r["sop_instance_uid"]!).ToHashSet();
        var aPatients = a.Select(r => (string)r["patient_id"]!).ToHashSet();
        b.Should().HaveCount(a.Count);
        b.Select(r => (string)r["sop_instance_uid"]!).Should().NotIntersectWith(aUids);
        b.Select(r => (string)r["patient_id"]!).Should().NotIntersectWith(aPatients);
        b.Select(r => (string)r["deid_key_fingerprint"]!).Distinct().Should().ContainSingle().Which.Should().NotBe((string)a[0]["deid_key_fingerprint"]!);
        // Date shifts differ by key: compare the shifted study dates of the same (remapped) studies by their truth UID.
        var keyA = Lakehouse.Udfs.Deidentification.DeidKey.FromSecret(SilverFixture.KeyA);
        var keyB = Lakehouse.Udfs.Deidentification.DeidKey.FromSecret(SilverFixture.KeyB);
        var dateA = a.GroupBy(r => (string)r["study_instance_uid"]!).ToDictionary(g => g.Key, g => g.First()["study_date"]);
        var dateB = b.GroupBy(r => (string)r["study_instance_uid"]!).ToDictionary(g => g.Key, g => g.First()["study_date"]);
        int differ = fx.Studies.Count(s => !Equals(dateA[Lakehouse.Udfs.Deidentification.UidRemapper.Remap(keyA, s["study_instance_uid"])],
            dateB[Lakehouse.Udfs.Deidentification.UidRemapper.Remap(keyB, s["study_instance_uid"])]));
        differ.Should().BeGreaterThan(fx.Studies.Count / 2);
    }

    [Fact]
    public void Shifted_dates_keep_each_persons_intervals_and_differ_from_the_originals()
    {
        var key = Lakehouse.Udfs.Deidentification.DeidKey.FromSecret(SilverFixture.KeyA);
        var silver = SilverFixture.Rows(fx.Lake, SilverTables.Instances).GroupBy(r => (string)r["study_instance_uid"]!).ToDictionary(g => g.Key, g => g.First());
        foreach (var byPatient in fx.Studies.GroupBy(s => s["site_id"] + "/" + s["patient_id"]))
        {
            var shifts = byPatient.Select(s =>
            {
                var original = DateOnly.ParseExact(s["study_date"], "yyyyMMdd", CultureInfo.InvariantCulture);
                var shifted = (DateOnly)silver[Lakehouse.Udfs.Deidentification.UidRemapper.Remap(key, s["study_instance_uid"])]["study_date"]!;
                return shifted.DayNumber - original.DayNumber;
            }).Distinct().ToList();
            shifts.Should().ContainSingle(byPatient.Key.Length.ToString(CultureInfo.InvariantCulture));
            shifts[0].Should().BeInRange(-3650, -1);
        }
    }

    [Fact]
    public void With_patient_persons_one_person_at_two_sites_gets_one_person_id_and_one_date_shift()
    {
        var lake = fx.CopyNormalized("identity");
        // Build restricted.patient_persons as patient identity would, from the ground truth (sop → person).
        var personBySop = fx.Instances.ToDictionary(i => i["sop_instance_uid"], i => i["person_id"]);
        var keys = SilverFixture.Rows(lake, SilverTables.InstancesNormalized)
            .GroupBy(r => (string)r["patient_key"]!)
            .Select(g => (Key: g.Key, Person: personBySop[(string)g.First()["sop_instance_uid"]!], Row: g.First(), Count: g.LongCount()))
            .ToList();
        var schema = new StructType(
        [
            new("patient_key", DeltaType.String, Nullable: false), new("person_id", DeltaType.String, Nullable: false),
            new("issuer_of_patient_id", DeltaType.String), new("site", DeltaType.String, Nullable: false),
            new("patient_id", DeltaType.String, Nullable: false), new("instances", DeltaType.Long, Nullable: false),
        ]);
        var table = DeltaTable.Create(lake.PathOf(SilverTables.PatientPersons), schema);
        var tx = table.NewTransaction(DeltaOperation.Append, new CommitLineage("test-identity"));
        tx.Write(new ColumnBatch(schema, new System.Collections.IList[]
        {
            keys.Select(k => k.Key).ToList(), keys.Select(k => k.Person).ToList(), keys.Select(k => (string?)k.Row["issuer_of_patient_id"]).ToList(),
            keys.Select(k => (string)k.Row["site"]!).ToList(), keys.Select(k => (string)k.Row["patient_id"]!).ToList(), keys.Select(k => k.Count).ToList(),
        }));
        tx.Commit();

        new NormalizeJob().Run(new JobContext(lake, new Dictionary<string, string>(), TextWriter.Null));
        fx.Deidentify(lake, fx.KeyFileA);

        var key = Lakehouse.Udfs.Deidentification.DeidKey.FromSecret(SilverFixture.KeyA);
        var silver = SilverFixture.Rows(lake, SilverTables.Instances).GroupBy(r => (string)r["study_instance_uid"]!).ToDictionary(g => g.Key, g => g.First());
        var multiSite = fx.Persons.GroupBy(p => p["person_id"]).Where(g => g.Select(p => p["site_id"]).Distinct().Count() > 1).Select(g => g.Key).ToHashSet();
        multiSite.Should().NotBeEmpty();
        foreach (var person in fx.Studies.Where(s => multiSite.Contains(s["person_id"])).GroupBy(s => s["person_id"]))
        {
            var rows = person.Select(s => (Truth: s, Row: silver[Lakehouse.Udfs.Deidentification.UidRemapper.Remap(key, s["study_instance_uid"])])).ToList();
            rows.Select(r => (string)r.Row["person_id"]!).Distinct().Should().ContainSingle()
                .Which.Should().Be(Lakehouse.Udfs.Deidentification.Pseudonyms.Patient(key, "person:" + person.Key));
            rows.Select(r => (string)r.Row["patient_id"]!).Distinct().Should().HaveCountGreaterThan(1, "two registrations keep two patient pseudonyms");
            rows.Select(r => ((DateOnly)r.Row["study_date"]!).DayNumber - DateOnly.ParseExact(r.Truth["study_date"], "yyyyMMdd", CultureInfo.InvariantCulture).DayNumber)
                .Distinct().Should().ContainSingle("one person, one date shift");
        }
        // A report found by accession belongs to the person of that study.
        var personByAccession = silver.Values.Where(r => r["accession_number"] is not null)
            .GroupBy(r => (string)r["accession_number"]!).ToDictionary(g => g.Key, g => (string)g.First()["person_id"]!);
        var matched = SilverFixture.Rows(lake, SilverTables.Reports).Where(r => r["accession_number"] is string a && personByAccession.ContainsKey(a)).ToList();
        matched.Should().NotBeEmpty();
        matched.Should().OnlyContain(r => (string)r["person_id"]! == personByAccession[(string)r["accession_number"]!]);
    }

    [Fact]
    public void With_the_link_patients_job_silver_has_one_person_id_per_true_person()
    {
        var lake = fx.CopyNormalized("link-patients");
        new Lakehouse.Jobs.Identity.LinkPatientsJob(lake).Run();
        new NormalizeJob().Run(new JobContext(lake, new Dictionary<string, string>(), TextWriter.Null));
        fx.Deidentify(lake, fx.KeyFileA);
        var key = Lakehouse.Udfs.Deidentification.DeidKey.FromSecret(SilverFixture.KeyA);
        var silver = SilverFixture.Rows(lake, SilverTables.Instances).ToDictionary(r => (string)r["sop_instance_uid"]!);
        // Every true person maps to exactly one silver person_id, and no two true persons share one.
        var personIds = fx.Instances.GroupBy(i => i["person_id"])
            .ToDictionary(g => g.Key, g => g.Select(i => (string)silver[Lakehouse.Udfs.Deidentification.UidRemapper.Remap(key, i["sop_instance_uid"])]["person_id"]!).Distinct().ToList());
        personIds.Values.Should().OnlyContain(ids => ids.Count == 1);
        personIds.Values.Select(ids => ids[0]).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Rerunning_with_unchanged_inputs_commits_nothing()
    {
        var lake = fx.CopyNormalized("rerun");
        fx.Deidentify(lake, fx.KeyFileA).Committed.Should().NotBeEmpty();
        var versions = SilverOutputs.Select(t => DeltaTable.Open(lake.PathOf(t)).Snapshot().Version).ToList();
        new NormalizeJob().Run(new JobContext(lake, new Dictionary<string, string>(), TextWriter.Null)).Committed.Should().BeEmpty();
        fx.Deidentify(lake, fx.KeyFileA).Committed.Should().BeEmpty();
        SilverOutputs.Select(t => DeltaTable.Open(lake.PathOf(t)).Snapshot().Version).Should().Equal(versions);
        // Another option is a different run: it commits.
        fx.Deidentify(lake, fx.KeyFileA, new Dictionary<string, string> { ["clean_descriptors"] = "false" }).Committed.Should().NotBeEmpty();
        SilverFixture.Rows(lake, SilverTables.Instances).Should().OnlyContain(r => r["study_description"] == null && (string)r["deid_options"]! == "retain_safe_private,retain_patient_characteristics,retain_modified_dates");
    }

    [Fact]
    public void A_run_without_a_key_fails_with_one_clear_line()
    {
        var lake = fx.CopyNormalized("nokey");
        var missing = () => new DeidentifyJob().Run(new JobContext(lake,
            new Dictionary<string, string> { [DeidentifyJob.KeyFileParameter] = fx.Dir.Combine("absent.key") }, TextWriter.Null));
        var error = missing.Should().Throw<UserInputException>().Which;
        error.Message.Should().Contain("de-identification key").And.NotContain("\n");
        lake.Exists(SilverTables.Instances).Should().BeFalse();

        File.WriteAllText(fx.Dir.Combine("short.key"), "too-short-secret");
        var weak = () => new DeidentifyJob().Run(new JobContext(lake,
            new Dictionary<string, string> { [DeidentifyJob.KeyFileParameter] = fx.Dir.Combine("short.key") }, TextWriter.Null));
        weak.Should().Throw<UserInputException>().Which.Message.Should().NotContain("too-short-secret");
    }

    [Fact]
    public void Lineage_records_options_by_name_and_the_fingerprint_never_the_key()
    {
        var history = DeltaTable.Open(fx.Lake.PathOf(SilverTables.DeidAudit)).History()[0];
        var lineage = history.Raw!["lakehouseLineage"]!;
        ((string)lineage["parameters"]!["deid_options"]!).Should().Be("retain_safe_private,retain_patient_characteristics,retain_modified_dates,clean_descriptors");
        lineage["parameters"]!.AsObject().Select(kv => kv.Key).Should().NotContain(DeidentifyJob.KeyFileParameter);
        lineage["inputVersions"]!.AsObject().Select(kv => kv.Key).Should().BeEquivalentTo(["restricted.instances_normalized", "bronze.reports"]);
        var audit = SilverFixture.Rows(fx.Lake, SilverTables.DeidAudit);
        audit.Should().Contain(r => (string)r["action"]! == "pseudonym" && (string)r["keyword"]! == "PatientName");
        audit.Should().Contain(r => (string)r["action"]! == "remap_uid" && (string)r["keyword"]! == "SOPInstanceUID" && (long)r["count"]! == fx.Instances.Count);
    }

    [Fact]
    public void Crosswalk_maps_originals_to_the_silver_pseudonyms()
    {
        var crosswalk = SilverFixture.Rows(fx.Lake, SilverTables.Crosswalk);
        var silverUids = SilverFixture.Rows(fx.Lake, SilverTables.Instances).Select(r => (string)r["sop_instance_uid"]!).ToHashSet();
        var sopMap = crosswalk.Where(r => (string)r["kind"]! == "uid").ToDictionary(r => (string)r["original"]!, r => (string)r["pseudonym"]!);
        fx.Instances.Should().OnlyContain(i => silverUids.Contains(sopMap[i["sop_instance_uid"]]));
        crosswalk.Select(r => (string)r["kind"]!).Distinct().Should().BeEquivalentTo(["patient_key", "accession_number", "uid", "report_id"]);
    }

    [Fact]
    public void Every_table_written_passes_delta_check_strict()
    {
        var tables = new List<LakeTableName> { SilverTables.InstancesNormalized, SilverTables.UnmappedValues, SilverTables.Instances, SilverTables.Reports, SilverTables.DeidAudit, SilverTables.Crosswalk };
        tables.AddRange(Lakehouse.Udfs.Normalization.NormalizationReference.FileNames.Select(SilverTables.Ref));
        foreach (var table in tables)
        {
            var result = DeltaCheck.Check(fx.Lake.PathOf(table), "--redact");
            result.ExitCode.Should().Be(0, table + ": " + result.StdOut + result.StdErr);
        }
    }
}
