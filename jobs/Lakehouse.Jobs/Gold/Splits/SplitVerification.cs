using System.Data.Common;
using Lakehouse.Engine;
using Lakehouse.Udfs.Splitting;

namespace Lakehouse.Jobs.Gold.Splits;

/// <summary>The leakage check of one split version (counts only; the leaking identifiers are never reported).</summary>
/// <param name="SplitVersion">The split version checked.</param>
/// <param name="Patients">Distinct patient pseudonyms in the split version.</param>
/// <param name="Instances">Instance rows of silver.instances joined to a split (a patient listed in two splits joins twice).</param>
/// <param name="UnassignedInstances">Instance rows whose patient has no split in this version (not leakage, but not released either).</param>
/// <param name="LeakingPatients">Patient pseudonyms in two or more splits.</param>
/// <param name="LeakingPersons">Persons with patients in two or more splits.</param>
/// <param name="LeakingStudies">Study UIDs in two or more splits.</param>
/// <param name="LeakingSeries">Series UIDs in two or more splits.</param>
/// <param name="LeakingInstances">SOP Instance UIDs in two or more splits.</param>
public sealed record SplitVerificationResult(string SplitVersion, long Patients, long Instances, long UnassignedInstances,
    int LeakingPatients, int LeakingPersons, int LeakingStudies, int LeakingSeries, int LeakingInstances)
{
    /// <summary>True when nothing occurs in two splits.</summary>
    public bool LeakageFree => LeakingPatients + LeakingPersons + LeakingStudies + LeakingSeries + LeakingInstances == 0;

    /// <summary>One PHI-free line.</summary>
    public override string ToString() => LeakageFree
        ? FormattableString.Invariant($"split {SplitVersion}: no leakage ({Patients} patients, {Instances} instances checked; {UnassignedInstances} instances without a split)")
        : FormattableString.Invariant($"split {SplitVersion}: LEAKAGE: {LeakingPatients} patients, {LeakingPersons} persons, {LeakingStudies} studies, {LeakingSeries} series, {LeakingInstances} instances present in more than one split ({Patients} patients, {Instances} instances checked)");
}

/// <summary>
/// <c>lakehouse verify-splits</c>: joins <c>gold.splits</c> with <c>silver.instances</c> and checks with
/// <see cref="SplitLeakageVerifier"/> that no patient, person, study, series or instance occurs in two splits.
/// </summary>
public static class SplitVerification
{
    /// <summary>The split versions in gold.splits, ordinal order.</summary>
    /// <exception cref="UserInputException">gold.splits does not exist.</exception>
    public static IReadOnlyList<string> Versions(LakeStore lake)
    {
        Require(lake, SplitTables.Splits, "run the split job first");
        using var engine = new LakeEngine(new DeltaLakeSource(lake), DeltaLakeSource.EngineOptions());
        using var reader = engine.ExecuteReader("SELECT DISTINCT split_version FROM gold.splits WHERE split_version IS NOT NULL ORDER BY 1");
        var versions = new List<string>();
        while (reader.Read()) versions.Add(reader.GetString(0));
        return versions;
    }

    /// <summary>Checks one split version, or every version when <paramref name="splitVersion"/> is null.</summary>
    /// <exception cref="UserInputException">A table is missing or the version does not exist.</exception>
    public static IReadOnlyList<SplitVerificationResult> Verify(LakeStore lake, string? splitVersion = null)
    {
        Require(lake, SplitTables.SilverInstances, "run the deidentify job first");
        var versions = Versions(lake);
        if (splitVersion is not null && !versions.Contains(splitVersion, StringComparer.Ordinal))
            throw new UserInputException($"verify-splits: gold.splits has no split version '{splitVersion}' ({versions.Count} versions present)");
        return (splitVersion is null ? versions : [splitVersion]).Select(v => VerifyOne(lake, v)).ToList();
    }

    private static SplitVerificationResult VerifyOne(LakeStore lake, string version)
    {
        using var engine = new LakeEngine(new DeltaLakeSource(lake), DeltaLakeSource.EngineOptions());
        string v = Sql.String(version);
        var patientRows = new List<SplitMembershipRow>();
        var personRows = new List<SplitMembershipRow>();
        long instances = 0, bad = 0;
        var patientIds = new HashSet<string>(StringComparer.Ordinal);
        // The split rows themselves: a patient listed twice with different splits leaks even without instances.
        using (var reader = engine.ExecuteReader($"SELECT patient_id, person_id, split FROM gold.splits WHERE split_version = {v}"))
        {
            while (reader.Read())
            {
                if (reader.IsDBNull(0) || SplitTables.Parse(Text(reader, 2)) is not { } split) { bad++; continue; }
                patientIds.Add(reader.GetString(0));
                patientRows.Add(new SplitMembershipRow(reader.GetString(0), null, null, null, split));
                if (Text(reader, 1) is { } person) personRows.Add(new SplitMembershipRow(person, null, null, null, split));
            }
        }
        if (bad > 0) throw new UserInputException(FormattableString.Invariant($"verify-splits: split {version}: {bad} rows of gold.splits have no patient or an unknown split"));
        using (var reader = engine.ExecuteReader(
            "SELECT s.split, i.patient_id, i.person_id, i.study_instance_uid, i.series_instance_uid, i.sop_instance_uid " +
            $"FROM silver.instances i JOIN (SELECT DISTINCT patient_id, split FROM gold.splits WHERE split_version = {v}) s ON s.patient_id = i.patient_id"))
        {
            while (reader.Read())
            {
                var split = SplitTables.Parse(reader.GetString(0))!.Value;
                instances++;
                patientRows.Add(new SplitMembershipRow(reader.GetString(1), Text(reader, 3), Text(reader, 4), Text(reader, 5), split));
                if (Text(reader, 2) is { } person) personRows.Add(new SplitMembershipRow(person, null, null, null, split));
            }
        }
        long unassigned = Convert.ToInt64(engine.ExecuteScalar(
            $"SELECT count(*) FROM silver.instances i WHERE NOT EXISTS (SELECT 1 FROM gold.splits s WHERE s.split_version = {v} AND s.patient_id = i.patient_id)"),
            System.Globalization.CultureInfo.InvariantCulture);

        var violations = SplitLeakageVerifier.Verify(patientRows);
        int Count(LeakageIdentifierKind kind) => violations.Count(x => x.Kind == kind);
        int persons = SplitLeakageVerifier.Verify(personRows).Count;
        return new SplitVerificationResult(version, patientIds.Count, instances, unassigned,
            Count(LeakageIdentifierKind.Patient), persons, Count(LeakageIdentifierKind.Study), Count(LeakageIdentifierKind.Series), Count(LeakageIdentifierKind.Instance));
    }

    private static void Require(LakeStore lake, LakeTableName table, string help)
    {
        if (!lake.Exists(table)) throw new UserInputException($"verify-splits: table {table} does not exist; {help}");
    }

    private static string? Text(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal) is { Length: > 0 } s ? s : null;
}
