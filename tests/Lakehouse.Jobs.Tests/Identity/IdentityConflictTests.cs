using Lakehouse.Jobs.Identity;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Engine;
using Lakehouse.Tables;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Identity;

/// <summary>Conflict reporting on a hand-written bronze table: each row set plants one disagreement.</summary>
public class IdentityConflictTests
{
    private static readonly DateOnly Born = new(1970, 1, 1);
    private int _row;

    private Dictionary<string, object?> Row(string? issuer, string? institution, string? patientId, string? name = null, DateOnly? birth = null,
        string? sex = null, string? otherIds = null, string? tagsJson = null, string? study = null) => new()
    {
        ["source_path"] = $"/x/{++_row}", ["file_size"] = 1L, ["file_modified_at"] = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        ["issuer_of_patient_id"] = issuer, ["institution_name"] = institution, ["patient_id"] = patientId, ["patient_name"] = name,
        ["patient_birth_date"] = birth, ["patient_sex"] = sex, ["other_patient_ids"] = otherIds, ["tags_json"] = tagsJson ?? "{}",
        ["study_instance_uid"] = study ?? $"1.2.{_row}", ["sop_instance_uid"] = $"1.3.{_row}",
        ["header_bytes"] = 10L, ["header_sha256"] = new string('0', 64), ["ingest_run_id"] = "r", ["ingested_at"] = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc),
    };

    [Fact]
    public void Conflicts_are_reported_and_block_only_the_name_link()
    {
        using var dir = new TempDirectory("identity-conflicts");
        var lake = new LakeStore(dir.Path);
        List<Dictionary<string, object?>> rows =
        [
            // A has two birth dates: reported, and it may not link by name to B although one of them matches.
            Row("H1", null, "A", "Smith^Ann", Born, "F"), Row("H1", null, "A", "Smith^Ann", new DateOnly(1971, 2, 2), "F"),
            Row("H2", null, "B", "SMITH^ANN", Born, "F"),
            // C lists a bare other id that two sites use: ambiguous, not linked.
            Row("H3", null, "C", "Roe^Cat", Born, "M", otherIds: "7"), Row(null, "Site One", "7"), Row(null, "Site Two", "7"),
            // F names G through the sequence, but their sexes differ: linked (explicit link) and reported.
            Row("H4", null, "F", "Poe^Ed", Born, "M", tagsJson: """{"00101002":{"vr":"SQ","Value":[{"00100020":{"vr":"LO","Value":["G"]},"00100021":{"vr":"LO","Value":["H5"]}}]}}"""),
            Row("H5", null, "G", "Poe^Edna", Born, "F"),
            // H's sequence is broken JSON content.
            Row("H6", null, "H", tagsJson: """{"00101002":{"vr":"SQ","Value":"broken"}}"""),
            // Five keys with one name, birth date and sex: a placeholder, not a person.
            .. Enumerable.Range(1, 5).Select(i => Row("P" + i, null, "Q", "Lee^Kim", new DateOnly(1980, 5, 5), "M")),
            // Two keys with the same name but different sexes do not link.
            Row("S1", null, "S", "Ito^Yu", Born, "M"), Row("S2", null, "S", "Ito^Yu", Born, "F"),
            Row("H7", null, null, "No^Id", Born, "M"),
        ];
        var bronze = DeltaTable.Create(lake.PathOf(BronzeTables.DicomInstances), BronzeTables.DicomInstancesSchema);
        var tx = bronze.NewTransaction(DeltaOperation.Append);
        tx.Write(ColumnBatch.FromRows(BronzeTables.DicomInstancesSchema, rows));
        tx.Commit();

        var summary = new LinkPatientsJob(lake).Run();
        summary.RowsWithoutPatientId.Should().Be(1);
        var persons = DeltaTable.Open(lake.PathOf(IdentityTables.PatientPersons)).Snapshot().ReadRows()
            .ToDictionary(r => (string)r["patient_key"]!, r => (string)r["person_id"]!);
        var conflicts = DeltaTable.Open(lake.PathOf(IdentityTables.IdentityConflicts)).Snapshot().ReadRows()
            .Select(r => ((string)r["kind"]!, (string?)r["patient_key"], (string?)r["person_id"], (bool)r["blocks_name_link"]!)).ToList();

        persons["H1\\A"].Should().NotBe(persons["H2\\B"]);
        conflicts.Should().Contain(("birth_date_mismatch", "H1\\A", persons["H1\\A"], true));

        persons["H3\\C"].Should().NotBe(persons["site:SITE ONE\\7"]).And.NotBe(persons["site:SITE TWO\\7"]);
        conflicts.Should().Contain(("ambiguous_other_patient_id", "H3\\C", persons["H3\\C"], false));

        persons["H4\\F"].Should().Be(persons["H5\\G"]);
        conflicts.Should().Contain(("person_sex_mismatch", null, persons["H4\\F"], false));

        conflicts.Should().Contain(("unreadable_other_patient_ids_sequence", "H6\\H", persons["H6\\H"], false));

        Enumerable.Range(1, 5).Select(i => persons[$"P{i}\\Q"]).Distinct().Should().HaveCount(5);
        conflicts.Count(c => c.Item1 == "name_match_group_too_large").Should().Be(5);

        persons["S1\\S"].Should().NotBe(persons["S2\\S"]);
        summary.Persons.Should().Be(persons.Count - 1, "only F and G merged");
        summary.LinksByReason.Should().Equal(new Dictionary<string, int> { [LinkReason.OtherPatientIdsSequence] = 1 });
        conflicts.Should().HaveCount(1 + 1 + 1 + 1 + 5);

        foreach (var table in new[] { IdentityTables.PatientLinks, IdentityTables.PatientPersons, IdentityTables.IdentityConflicts })
        {
            var check = DeltaCheck.Check(lake.PathOf(table));
            check.ExitCode.Should().Be(0, $"{table}: {check.StdOut} {check.StdErr}");
        }
    }
}
