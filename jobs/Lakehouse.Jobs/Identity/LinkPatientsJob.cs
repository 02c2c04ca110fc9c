using System.Collections;
using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Lakehouse.Engine;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Udfs.Identity;

namespace Lakehouse.Jobs.Identity;

/// <summary>The link reasons written to restricted.patient_links.</summary>
public static class LinkReason
{
    /// <summary>Other Patient IDs (0010,1000) of one key is the PatientID of exactly one other key in bronze.</summary>
    public const string OtherPatientIds = "other_patient_ids";
    /// <summary>An Other Patient IDs Sequence (0010,1002) item names another key (issuer + id).</summary>
    public const string OtherPatientIdsSequence = "other_patient_ids_sequence";
    /// <summary>Same normalized name, birth date and sex.</summary>
    public const string NameBirthDateSex = "name_birthdate_sex";
    /// <summary>The same SOP Instance UID under both keys.</summary>
    public const string SharedSopInstanceUid = "shared_sop_instance_uid";
    /// <summary>The same Study Instance UID under both keys.</summary>
    public const string SharedStudyInstanceUid = "shared_study_instance_uid";
}

/// <summary>The outcome of a link-patients run: counts only, no identifiers.</summary>
public sealed record LinkPatientsSummary(string RunId, int PatientKeys, int Persons, IReadOnlyDictionary<string, int> LinksByReason,
    IReadOnlyDictionary<string, int> ConflictsByKind, long RowsWithoutPatientId, TimeSpan Elapsed, IReadOnlyDictionary<string, long> TableVersions)
{
    /// <summary>One human line.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"link-patients: {PatientKeys} patient keys → {Persons} persons; links {Format(LinksByReason)}; conflicts {Format(ConflictsByKind)}; " +
        $"{RowsWithoutPatientId} rows without PatientID; {Elapsed.TotalSeconds:F1} s; run {RunId}");

    private static string Format(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));
}

/// <summary>
/// <c>link-patients</c>: decides which patient keys are one person, from the whole of bronze.dicom_instances and the
/// conflict rows of bronze.dicom_duplicates, and rewrites restricted.patient_links, restricted.patient_persons and
/// restricted.identity_conflicts (Overwrite: identity is recomputed from all of bronze every run, so a changed rule or a
/// late file never leaves stale links).
/// Conflict policy: a key with two birth dates or two sexes is reported and does not take part in name + birth date + sex
/// linking (its demographics cannot be trusted), but explicit links (other patient ids, shared UIDs) still merge it;
/// a person whose members disagree on birth date or sex is reported, not split.
/// </summary>
public sealed class LinkPatientsJob
{
    /// <summary>The job name recorded in lineage.</summary>
    public const string JobName = "link-patients";

    private readonly LakeStore _lake;
    private readonly IdentityOptions _options;

    /// <summary>Prepares a run over <paramref name="lake"/>.</summary>
    public LinkPatientsJob(LakeStore lake, IdentityOptions? options = null)
    {
        _lake = lake;
        _options = options ?? new IdentityOptions();
    }

    /// <summary>Runs the linking and writes the three restricted tables.</summary>
    public LinkPatientsSummary Run()
    {
        var clock = Stopwatch.StartNew();
        var instances = _lake.TryOpen(BronzeTables.DicomInstances)?.Snapshot()
            ?? throw new UserInputException($"link-patients: {BronzeTables.DicomInstances} does not exist; run 'lakehouse ingest dicom' first");
        var duplicates = _lake.TryOpen(BronzeTables.DicomDuplicates)?.Snapshot();
        string runId = Guid.CreateVersion7().ToString("N");

        var inputs = new Dictionary<string, long>(StringComparer.Ordinal) { [BronzeTables.DicomInstances.ToString()] = instances.Version };
        if (duplicates is not null) inputs[BronzeTables.DicomDuplicates.ToString()] = duplicates.Version;

        var facts = new Dictionary<string, KeyFacts>(StringComparer.Ordinal);
        var edges = new Dictionary<(string, string, string), int>();
        var conflicts = new List<Conflict>();
        long withoutId = 0;

        using (var db = new DuckDBConnection("DataSource=:memory:"))
        {
            db.Open();
            string[] instanceFiles = instances.ActiveFiles.Select(f => f.AbsolutePath).ToArray();
            string[] duplicateFiles = duplicates?.ActiveFiles.Select(f => f.AbsolutePath).ToArray() ?? [];
            string allRows = AllRowsSql(instanceFiles, duplicateFiles);
            if (allRows.Length > 0)
            {
                withoutId = ReadPatients(db, allRows, facts);
                if (_options.LinkBySharedStudyInstanceUid) ReadSharedStudies(db, allRows, edges);
                if (_options.LinkBySharedSopInstanceUid && instanceFiles.Length > 0 && duplicateFiles.Length > 0)
                    ReadSharedSops(db, instanceFiles, duplicateFiles, edges);
            }
        }

        ReportKeyConflicts(facts, conflicts);
        LinkByOtherIds(facts, edges, conflicts);
        if (_options.LinkByNameBirthDateSex) LinkByNames(facts, edges, conflicts);

        var groups = new PersonUnionFind();
        foreach (string key in facts.Keys) groups.Add(key);
        foreach (var (left, right, _) in edges.Keys) groups.Union(left, right);
        var personOf = groups.PersonIds().ToDictionary(p => p.Key, p => p.PersonId, StringComparer.Ordinal);
        ReportPersonConflicts(facts, personOf, conflicts);

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["run_id"] = runId,
            ["rules"] = string.Join(",", EnabledRules()),
            ["max_name_match_group"] = _options.MaxNameMatchGroup.ToString(CultureInfo.InvariantCulture),
        };
        // The site maps decide keys without an issuer: normalize reads them back (IdentityTables.KeyOptions) to join on the same keys.
        foreach (var (name, value) in IdentityTables.SiteMapParameters(_options)) parameters[name] = value;
        var lineage = new CommitLineage(JobName) { Parameters = parameters, InputVersions = inputs };
        var versions = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [IdentityTables.PatientLinks.ToString()] = Overwrite(IdentityTables.PatientLinks, IdentityTables.PatientLinksSchema, LinkRows(edges, runId), lineage),
            [IdentityTables.PatientPersons.ToString()] = Overwrite(IdentityTables.PatientPersons, IdentityTables.PatientPersonsSchema, PersonRows(facts, personOf, runId), lineage),
            [IdentityTables.IdentityConflicts.ToString()] = Overwrite(IdentityTables.IdentityConflicts, IdentityTables.IdentityConflictsSchema, ConflictRows(conflicts, personOf, runId), lineage),
        };
        return new LinkPatientsSummary(runId, facts.Count, personOf.Values.Distinct(StringComparer.Ordinal).Count(),
            edges.Keys.GroupBy(e => e.Item3).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            conflicts.GroupBy(c => c.Kind).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            withoutId, clock.Elapsed, versions);
    }

    private IEnumerable<string> EnabledRules()
    {
        if (_options.LinkByOtherPatientIds) yield return LinkReason.OtherPatientIds;
        if (_options.LinkByOtherPatientIdsSequence) yield return LinkReason.OtherPatientIdsSequence;
        if (_options.LinkByNameBirthDateSex) yield return LinkReason.NameBirthDateSex;
        if (_options.LinkBySharedSopInstanceUid) yield return LinkReason.SharedSopInstanceUid;
        if (_options.LinkBySharedStudyInstanceUid) yield return LinkReason.SharedStudyInstanceUid;
    }

    private const string PatientColumns = "issuer_of_patient_id, institution_name, patient_id";

    // Instances plus the conflict rows of duplicates: a conflict is the same SOP instance under another header, often another patient id.
    private static string AllRowsSql(string[] instanceFiles, string[] duplicateFiles)
    {
        const string columns = PatientColumns + ", patient_name, patient_birth_date, patient_sex, other_patient_ids, study_instance_uid, sop_instance_uid, tags_json";
        var parts = new List<string>();
        if (instanceFiles.Length > 0) parts.Add($"SELECT {columns} FROM {Parquet(instanceFiles)}");
        if (duplicateFiles.Length > 0) parts.Add($"SELECT {columns} FROM {Parquet(duplicateFiles)} WHERE kind = 'conflict'");
        return parts.Count == 0 ? "" : "(" + string.Join(" UNION ALL ", parts) + ")";
    }

    private static string Parquet(string[] files) => $"read_parquet([{string.Join(", ", files.Select(Sql.String))}], union_by_name = true)";

    private long ReadPatients(DuckDBConnection db, string allRows, Dictionary<string, KeyFacts> facts)
    {
        // One row per distinct demographic tuple; the header JSON only where it holds an Other Patient IDs Sequence.
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"""
            SELECT {PatientColumns}, patient_name, CAST(patient_birth_date AS VARCHAR), patient_sex, other_patient_ids,
                   CASE WHEN contains(tags_json, '"{OtherPatientIds.SequenceKey}"') THEN tags_json END, count(*)
            FROM {allRows} GROUP BY ALL
            """;
        using var reader = cmd.ExecuteReader();
        long withoutId = 0;
        while (reader.Read())
        {
            string? issuer = Text(reader, 0);
            string site = PatientSite.Resolve(issuer, Text(reader, 1), _options);
            long rows = reader.GetInt64(8);
            if (PatientKey.From(issuer, site, Text(reader, 2)) is not { } key)
            {
                withoutId += rows;
                continue;
            }
            if (!facts.TryGetValue(key.Text, out var f))
                facts[key.Text] = f = new KeyFacts(key, PatientKey.NormalizeIssuer(issuer), site);
            f.Instances += rows;
            if (PersonNameKey.Normalize(Text(reader, 3), _options.PlaceholderFamilyNames) is { } name) f.Names.Add(name);
            if (Text(reader, 4) is { } birth && PatientDemographics.NormalizeBirthDate(DateOnly.ParseExact(birth, "yyyy-MM-dd", CultureInfo.InvariantCulture)) is { } date)
                f.BirthDates.Add(date);
            if (PatientDemographics.NormalizeSex(Text(reader, 5)) is { } sex) f.Sexes.Add(sex);
            if (_options.LinkByOtherPatientIds)
                foreach (var other in OtherPatientIds.FromOtherPatientIds(Text(reader, 6))) f.OtherIds.Add(other);
            if (_options.LinkByOtherPatientIdsSequence && Text(reader, 7) is { } json)
            {
                if (OtherPatientIds.TryParseFromDataset(json, out var items))
                    foreach (var item in items) f.SequenceIds.Add(item);
                else f.UnreadableSequences++;
            }
        }
        return withoutId;
    }

    private void ReadSharedStudies(DuckDBConnection db, string allRows, Dictionary<(string, string, string), int> edges)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"""
            SELECT study_instance_uid, {PatientColumns} FROM {allRows}
            WHERE study_instance_uid IS NOT NULL AND patient_id IS NOT NULL GROUP BY ALL ORDER BY 1
            """;
        using var reader = cmd.ExecuteReader();
        string? study = null;
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        void Close()
        {
            // One edge per extra key of the study, from the smallest: a chain is enough for union-find.
            foreach (string k in keys.Skip(1)) AddEdge(edges, keys.Min!, k, LinkReason.SharedStudyInstanceUid);
            keys.Clear();
        }
        while (reader.Read())
        {
            string uid = reader.GetString(0);
            if (!string.Equals(uid, study, StringComparison.Ordinal)) { Close(); study = uid; }
            if (KeyOf(Text(reader, 1), Text(reader, 2), Text(reader, 3)) is { } key) keys.Add(key.Text);
        }
        Close();
    }

    private void ReadSharedSops(DuckDBConnection db, string[] instanceFiles, string[] duplicateFiles, Dictionary<(string, string, string), int> edges)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"""
            SELECT i.issuer_of_patient_id, i.institution_name, i.patient_id, d.issuer_of_patient_id, d.institution_name, d.patient_id, count(*)
            FROM {Parquet(duplicateFiles)} d JOIN {Parquet(instanceFiles)} i ON i.sop_instance_uid = d.sop_instance_uid
            WHERE d.kind = 'conflict' GROUP BY ALL
            """;
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            if (KeyOf(Text(reader, 0), Text(reader, 1), Text(reader, 2)) is not { } a || KeyOf(Text(reader, 3), Text(reader, 4), Text(reader, 5)) is not { } b) continue;
            if (a == b) continue;
            AddEdge(edges, a.Text, b.Text, LinkReason.SharedSopInstanceUid, (int)reader.GetInt64(6));
        }
    }

    private PatientKey? KeyOf(string? issuer, string? institution, string? patientId) => PatientKey.From(issuer, institution, patientId, _options);

    private static void ReportKeyConflicts(Dictionary<string, KeyFacts> facts, List<Conflict> conflicts)
    {
        foreach (var f in facts.Values)
        {
            if (f.BirthDates.Count > 1)
                conflicts.Add(new Conflict("birth_date_mismatch", f.Key.Text, null, true, $"{f.BirthDates.Count} different birth dates under one patient key"));
            if (f.Sexes.Count > 1)
                conflicts.Add(new Conflict("sex_mismatch", f.Key.Text, null, true, $"{f.Sexes.Count} different sexes under one patient key"));
            if (f.Names.Count > 1)
                conflicts.Add(new Conflict("name_mismatch", f.Key.Text, null, false, $"{f.Names.Count} different normalized names under one patient key; each can link"));
            if (f.UnreadableSequences > 0)
                conflicts.Add(new Conflict("unreadable_other_patient_ids_sequence", f.Key.Text, null, false,
                    $"{f.UnreadableSequences} headers whose Other Patient IDs Sequence (0010,1002) is not readable DICOM JSON"));
        }
    }

    private void LinkByOtherIds(Dictionary<string, KeyFacts> facts, Dictionary<(string, string, string), int> edges, List<Conflict> conflicts)
    {
        // A bare id (no issuer) can only be resolved when exactly one key in bronze has it: the same string at two sites is two people.
        var keysById = facts.Values.ToLookup(f => f.Key.PatientId, f => f.Key.Text, StringComparer.Ordinal);
        foreach (var f in facts.Values.OrderBy(f => f.Key.Text, StringComparer.Ordinal))
        {
            foreach (var other in f.SequenceIds)
            {
                if (other.Issuer is { } issuer)
                {
                    string target = new PatientKey(issuer, other.PatientId).Text;
                    if (facts.ContainsKey(target) && target != f.Key.Text) AddEdge(edges, f.Key.Text, target, LinkReason.OtherPatientIdsSequence);
                }
                else ResolveBare(f, other.PatientId, LinkReason.OtherPatientIdsSequence, "Other Patient IDs Sequence (0010,1002) item without issuer");
            }
            foreach (var other in f.OtherIds) ResolveBare(f, other.PatientId, LinkReason.OtherPatientIds, "Other Patient IDs (0010,1000) value");
        }

        void ResolveBare(KeyFacts f, string patientId, string reason, string what)
        {
            var candidates = keysById[patientId].Where(k => k != f.Key.Text).ToList();
            if (candidates.Count == 1) AddEdge(edges, f.Key.Text, candidates[0], reason);
            else if (candidates.Count > 1 && !candidates.Any(c => edges.ContainsKey(Ordered(f.Key.Text, c, LinkReason.OtherPatientIdsSequence))))
                conflicts.Add(new Conflict("ambiguous_other_patient_id", f.Key.Text, null, false,
                    $"an {what} matches the PatientID of {candidates.Count} keys at different issuers/sites; not linked"));
        }
    }

    private void LinkByNames(Dictionary<string, KeyFacts> facts, Dictionary<(string, string, string), int> edges, List<Conflict> conflicts)
    {
        var groups = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var f in facts.Values)
        {
            // Unknown or conflicting demographics cannot support a link.
            if (f.BirthDates.Count != 1 || f.Sexes.Count != 1) continue;
            string demographics = f.BirthDates.First().ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "|" + f.Sexes.First();
            foreach (string name in f.Names)
            {
                string tuple = name + "|" + demographics;
                if (!groups.TryGetValue(tuple, out var keys)) groups[tuple] = keys = new SortedSet<string>(StringComparer.Ordinal);
                keys.Add(f.Key.Text);
            }
        }
        foreach (var keys in groups.Values.Where(g => g.Count > 1))
        {
            if (keys.Count > _options.MaxNameMatchGroup)
            {
                foreach (string k in keys)
                    conflicts.Add(new Conflict("name_match_group_too_large", k, null, true,
                        $"{keys.Count} keys share one normalized name, birth date and sex (limit {_options.MaxNameMatchGroup}); likely a placeholder, not linked"));
                continue;
            }
            foreach (string k in keys.Skip(1)) AddEdge(edges, keys.Min!, k, LinkReason.NameBirthDateSex);
        }
    }

    private static void ReportPersonConflicts(Dictionary<string, KeyFacts> facts, Dictionary<string, string> personOf, List<Conflict> conflicts)
    {
        foreach (var person in facts.Values.GroupBy(f => personOf[f.Key.Text], StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (person.Count() < 2) continue;
            int dates = person.SelectMany(f => f.BirthDates).Distinct().Count();
            int sexes = person.SelectMany(f => f.Sexes).Distinct().Count();
            if (dates > 1)
                conflicts.Add(new Conflict("person_birth_date_mismatch", null, person.Key, false, $"the {person.Count()} linked keys carry {dates} different birth dates; merged on explicit links"));
            if (sexes > 1)
                conflicts.Add(new Conflict("person_sex_mismatch", null, person.Key, false, $"the {person.Count()} linked keys carry {sexes} different sexes; merged on explicit links"));
        }
    }

    private static (string, string, string) Ordered(string a, string b, string reason) =>
        string.CompareOrdinal(a, b) <= 0 ? (a, b, reason) : (b, a, reason);

    private static void AddEdge(Dictionary<(string, string, string), int> edges, string a, string b, string reason, int count = 1)
    {
        if (a == b) return;
        var edge = Ordered(a, b, reason);
        edges[edge] = edges.GetValueOrDefault(edge) + count;
    }

    private static string Evidence(string reason, int count) => reason switch
    {
        LinkReason.OtherPatientIds => "Other Patient IDs (0010,1000) of one key is the PatientID of the other, and of no other key in bronze",
        LinkReason.OtherPatientIdsSequence => "an Other Patient IDs Sequence (0010,1002) item of one key names the other's issuer and PatientID",
        LinkReason.NameBirthDateSex => "same normalized PatientName, PatientBirthDate and PatientSex",
        LinkReason.SharedSopInstanceUid => string.Create(CultureInfo.InvariantCulture, $"{count} SOP Instance UIDs present under both keys"),
        LinkReason.SharedStudyInstanceUid => "a Study Instance UID present under both keys",
        _ => reason,
    };

    private static List<object?>[] LinkRows(Dictionary<(string, string, string), int> edges, string runId)
    {
        var rows = Columns(IdentityTables.PatientLinksSchema);
        foreach (var ((left, right, reason), count) in edges.OrderBy(e => e.Key.Item1, StringComparer.Ordinal)
                     .ThenBy(e => e.Key.Item2, StringComparer.Ordinal).ThenBy(e => e.Key.Item3, StringComparer.Ordinal))
            AddRow(rows, left, right, reason, Evidence(reason, count), runId);
        return rows;
    }

    private static List<object?>[] PersonRows(Dictionary<string, KeyFacts> facts, Dictionary<string, string> personOf, string runId)
    {
        var rows = Columns(IdentityTables.PatientPersonsSchema);
        var sizes = personOf.Values.GroupBy(p => p, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var f in facts.Values.OrderBy(f => f.Key.Text, StringComparer.Ordinal))
        {
            string person = personOf[f.Key.Text];
            AddRow(rows, f.Key.Text, person, f.Issuer, f.Site, f.Key.PatientId, f.Instances, sizes[person], runId);
        }
        return rows;
    }

    private static List<object?>[] ConflictRows(List<Conflict> conflicts, Dictionary<string, string> personOf, string runId)
    {
        var rows = Columns(IdentityTables.IdentityConflictsSchema);
        foreach (var c in conflicts.OrderBy(c => c.Kind, StringComparer.Ordinal).ThenBy(c => c.PatientKey ?? c.PersonId, StringComparer.Ordinal))
            AddRow(rows, c.Kind, c.PatientKey, c.PersonId ?? (c.PatientKey is null ? null : personOf[c.PatientKey]), c.BlocksNameLink, c.Detail, runId);
        return rows;
    }

    private static List<object?>[] Columns(StructType schema) => schema.Fields.Select(_ => new List<object?>()).ToArray();

    private static void AddRow(List<object?>[] columns, params object?[] values)
    {
        for (int i = 0; i < values.Length; i++) columns[i].Add(values[i]);
    }

    private long Overwrite(LakeTableName name, StructType schema, List<object?>[] columns, CommitLineage lineage)
    {
        var table = _lake.OpenOrCreate(name, schema, lineage);
        var tx = table.NewTransaction(DeltaOperation.Overwrite, lineage);
        if (columns[0].Count > 0) tx.Write(new ColumnBatch(schema, columns.Cast<IList>().ToArray()));
        return tx.Commit();
    }

    private static string? Text(System.Data.Common.DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>What bronze says about one patient key.</summary>
    private sealed class KeyFacts(PatientKey key, string? issuer, string site)
    {
        public PatientKey Key { get; } = key;
        public string? Issuer { get; } = issuer;
        public string Site { get; } = site;
        public long Instances { get; set; }
        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
        public HashSet<DateOnly> BirthDates { get; } = [];
        public HashSet<string> Sexes { get; } = new(StringComparer.Ordinal);
        public HashSet<OtherPatientId> OtherIds { get; } = [];
        public HashSet<OtherPatientId> SequenceIds { get; } = [];
        public int UnreadableSequences { get; set; }
    }

    private sealed record Conflict(string Kind, string? PatientKey, string? PersonId, bool BlocksNameLink, string Detail);
}
