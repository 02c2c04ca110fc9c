using System.Collections;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Lakehouse.Engine;
using Lakehouse.Tables.Transaction;
using Lakehouse.Udfs.Labeling;
using Lakehouse.Udfs.Splitting;

namespace Lakehouse.Jobs.Gold.Splits;

/// <summary>What one run of <see cref="SplitJob"/> did (counts only).</summary>
/// <param name="SplitVersion">The split version written.</param>
/// <param name="Patients">Patients in the split version after the run (previous plus new).</param>
/// <param name="NewPatients">Patients assigned by this run.</param>
/// <param name="Groups">Leakage groups over silver.instances.</param>
/// <param name="MergedGroups">Groups holding more than one patient pseudonym (same person or shared UIDs).</param>
/// <param name="Studies">Studies stratified.</param>
/// <param name="LabeledStudies">Studies with a row in gold.study_labels.</param>
/// <param name="PerSplit">Patients per split (train, validation, test) after the run.</param>
/// <param name="Version">The gold.splits version committed, or null when nothing was new.</param>
public sealed record SplitJobSummary(string SplitVersion, int Patients, int NewPatients, int Groups, int MergedGroups, int Studies, int LabeledStudies,
    IReadOnlyList<int> PerSplit, long? Version)
{
    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"split {SplitVersion}: {Patients} patients ({NewPatients} new) in {Groups} leakage groups ({MergedGroups} merged), {Studies} studies ({LabeledStudies} labeled); ") +
        FormattableString.Invariant($"train {PerSplit[0]}, validation {PerSplit[1]}, test {PerSplit[2]}; ") +
        (Version is { } v ? FormattableString.Invariant($"gold.splits version {v}") : "gold.splits unchanged");
}

/// <summary>
/// The <c>split</c> job: assigns every patient pseudonym of <c>silver.instances</c> to train, validation or test and appends
/// the new assignments to <c>gold.splits</c>. Leakage groups are patients of the same person merged with patients that share
/// a study, series or SOP instance UID; groups are stratified over the 14 CheXpert labels (positive = 1 in
/// <c>gold.study_labels</c>, when that table exists), site and modality by <see cref="PatientSplitAssigner"/>.
/// Stable under appends: the rows of the same split version already in <c>gold.splits</c> are fixed, only new patients are
/// placed; another seed, ratio or weighting is another split version written alongside. A new link that joins patients of
/// two different splits fails the run (nothing is written) instead of moving anyone.
/// </summary>
/// <remarks>Parameters: <c>seed</c> (default 42), <c>ratios</c> (train/validation/test, e.g. <c>70/15/15</c> or
/// <c>0.8/0.1/0.1</c>; default 70/15/15), <c>weighting</c> (<c>instances</c> or <c>studies</c>; default instances).</remarks>
public sealed class SplitJob : ILakeJob
{
    /// <inheritdoc/>
    public string Name => "split";

    /// <inheritdoc/>
    public IReadOnlyList<LakeTableName> Inputs { get; } = [SplitTables.SilverInstances, SplitTables.StudyLabels, SplitTables.Splits];

    /// <inheritdoc/>
    public IReadOnlyList<LakeTableName> Outputs { get; } = [SplitTables.Splits];

    /// <summary>The assigner settings given by the job parameters.</summary>
    /// <exception cref="UserInputException">A parameter is malformed.</exception>
    public static PatientSplitOptions Options(IReadOnlyDictionary<string, string> parameters)
    {
        string P(string name, string fallback) => parameters.TryGetValue(name, out var v) && v.Length > 0 ? v : fallback;
        if (!ulong.TryParse(P("seed", "42"), NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
            throw new UserInputException("split: parameter 'seed' must be a non-negative integer");
        // "70/15/15", "0.8/0.1/0.1", or the pipeline file's "train=0.8,validation=0.1,test=0.1" (named, any order).
        string text = P("ratios", "70/15/15");
        var parts = text.Contains('=', StringComparison.Ordinal) ? NamedRatios(text) : text.Split('/', ':', ',');
        var values = new double[3];
        if (parts.Length != 3 || !parts.Select((p, i) => double.TryParse(p.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])).All(ok => ok))
            throw new UserInputException("split: parameter 'ratios' must be three numbers train/validation/test, e.g. 70/15/15 or 0.8/0.1/0.1");
        double sum = values.Sum();
        if (Math.Abs(sum - 100) < 1e-6) for (int i = 0; i < 3; i++) values[i] /= 100; // percentages
        var ratios = new SplitRatios(values[0], values[1], values[2]);
        try { ratios.Validate(); }
        catch (ArgumentException ex) { throw new UserInputException("split: parameter 'ratios': " + ex.Message); }
        var weighting = P("weighting", "instances") switch
        {
            "instances" => SplitWeighting.Instances,
            "studies" => SplitWeighting.Studies,
            _ => throw new UserInputException("split: parameter 'weighting' must be 'instances' or 'studies'"),
        };
        return new PatientSplitOptions { Seed = seed, Ratios = ratios, Weighting = weighting, LabelCount = ChexpertObservations.Count };
    }

    private static string[] NamedRatios(string text)
    {
        var named = text.Split(',').Select(p => p.Split('=', 2)).Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0].Trim(), kv => kv[1].Trim(), StringComparer.Ordinal);
        return named.Count == 3 && named.ContainsKey("train") && named.ContainsKey("validation") && named.ContainsKey("test")
            ? [named["train"], named["validation"], named["test"]]
            : [];
    }

    /// <inheritdoc/>
    public JobResult Run(JobContext context)
    {
        var summary = Execute(context);
        return new JobResult(summary.Version is { } v ? new Dictionary<string, long> { [SplitTables.Splits.ToString()] = v } : new Dictionary<string, long>(),
            summary.ToString());
    }

    /// <summary>Runs the job and returns its counts.</summary>
    /// <exception cref="UserInputException">silver.instances is missing, a parameter is bad, or new links conflict with the existing split.</exception>
    public SplitJobSummary Execute(JobContext context)
    {
        var lake = context.Lake;
        if (!lake.Exists(SplitTables.SilverInstances))
            throw new UserInputException("split: table silver.instances does not exist; run the deidentify job first");
        var options = Options(context.Parameters);
        var assigner = new PatientSplitAssigner(options);
        string version = assigner.Version.Id;

        using var engine = new LakeEngine(new DeltaLakeSource(lake), DeltaLakeSource.EngineOptions());
        var (grouping, personOf, skipped) = ReadGroups(engine);
        bool hasLabels = lake.Exists(SplitTables.StudyLabels);
        var studies = ReadStudies(engine, hasLabels, out int labeled);
        var previous = ReadPrevious(engine, lake, version);

        var assignment = assigner.Assign(studies, grouping, previous);
        if (assignment.Conflicts.Count > 0)
        {
            int assigned = assignment.Conflicts.Sum(c => c.AssignedMembers.Count);
            int unassigned = assignment.Conflicts.Sum(c => c.UnassignedMembers.Count);
            throw new UserInputException(
                FormattableString.Invariant($"split {version}: {assignment.Conflicts.Count} leakage groups now join patients already assigned to different splits ") +
                FormattableString.Invariant($"({assigned} assigned patients, {unassigned} unassigned patients in them); nothing was written. ") +
                "Help: a new person link or shared study/series/instance UID ties them together; review the identity links, " +
                "or start a new split version (another seed or ratios) to re-split from scratch.");
        }

        var inputVersions = engine.MountedTables.ToDictionary(t => t.Name.ToString(), t => t.Version, StringComparer.Ordinal);
        var newPatients = assignment.Patients.Keys.Where(p => !previous.ContainsKey(p)).Order(StringComparer.Ordinal).ToList();
        long? committed = null;
        if (newPatients.Count > 0)
        {
            var now = DateTime.UtcNow;
            now = new DateTime(now.Ticks - now.Ticks % 10, DateTimeKind.Utc); // Delta stores microseconds
            var columns = new IList[]
            {
                newPatients,
                newPatients.Select(p => personOf.GetValueOrDefault(p)).ToList(),
                newPatients.Select(p => SplitTables.Name(assignment.Patients[p])).ToList(),
                newPatients.Select(_ => version).ToList(),
                newPatients.Select(_ => (object)now).ToList(),
            };
            var lineage = new CommitLineage(Name)
            {
                Parameters = new Dictionary<string, string>(context.Parameters, StringComparer.Ordinal) { ["split_version"] = version },
                InputVersions = inputVersions,
            };
            var table = lake.OpenOrCreate(SplitTables.Splits, SplitTables.SplitsSchema, lineage);
            var tx = table.NewTransaction(DeltaOperation.Append, lineage);
            tx.Write(new ColumnBatch(SplitTables.SplitsSchema, columns));
            committed = tx.Commit();
        }

        var perSplit = new int[3];
        foreach (var s in assignment.Patients.Values) perSplit[(int)s]++;
        int merged = grouping.Groups.Count(g => g.Value.Count > 1);
        var summary = new SplitJobSummary(version, assignment.Patients.Count, newPatients.Count, grouping.Groups.Count, merged, studies.Count, labeled, perSplit, committed);
        if (skipped > 0) context.Log.WriteLine($"split: {skipped} instance rows without patient_id were skipped");
        context.Log.WriteLine(summary.ToString());
        return summary;
    }

    private static (LeakageGrouping Grouping, Dictionary<string, string?> PersonOf, long Skipped) ReadGroups(LakeEngine engine)
    {
        var groups = new LeakageGroups();
        var personOf = new Dictionary<string, string?>(StringComparer.Ordinal);
        using (var reader = engine.ExecuteReader(
            "SELECT DISTINCT patient_id, person_id, study_instance_uid, series_instance_uid, sop_instance_uid FROM silver.instances " +
            "WHERE patient_id IS NOT NULL AND patient_id <> '' ORDER BY ALL"))
        {
            while (reader.Read())
            {
                string patient = reader.GetString(0);
                string? person = Text(reader, 1);
                groups.Add(patient, Text(reader, 2), Text(reader, 3), Text(reader, 4));
                if (person is not null)
                {
                    groups.Add(patient, SplitTables.PersonNode(person));
                    // A patient seen under two persons (should not happen) keeps the ordinally smallest, so reruns agree.
                    if (!personOf.TryGetValue(patient, out var known) || known is null || string.CompareOrdinal(person, known) < 0) personOf[patient] = person;
                }
                else personOf.TryAdd(patient, null);
            }
        }
        long skipped = Convert.ToInt64(engine.ExecuteScalar("SELECT count(*) FROM silver.instances WHERE patient_id IS NULL OR patient_id = ''"), CultureInfo.InvariantCulture);
        return (groups.Build(), personOf, skipped);
    }

    private static List<SplitStudy> ReadStudies(LakeEngine engine, bool hasLabels, out int labeled)
    {
        var labelColumns = ChexpertObservations.All.Select(o => o.ColumnName()).ToArray();
        var sql = new StringBuilder(
            "WITH st AS (SELECT study_instance_uid, min(patient_id) AS patient_id, min(site) AS site, min(modality) AS modality, " +
            "count(DISTINCT sop_instance_uid) AS instances FROM silver.instances " +
            "WHERE patient_id IS NOT NULL AND patient_id <> '' AND study_instance_uid IS NOT NULL AND study_instance_uid <> '' GROUP BY study_instance_uid)");
        if (hasLabels)
        {
            sql.Append(", lb AS (SELECT study_instance_uid");
            foreach (var c in labelColumns) sql.Append(CultureInfo.InvariantCulture, $", max(CASE WHEN {Sql.Identifier(c)} = 1 THEN 1 ELSE 0 END) AS {Sql.Identifier(c)}");
            sql.Append(" FROM gold.study_labels GROUP BY study_instance_uid)");
            sql.Append(" SELECT st.patient_id, st.study_instance_uid, st.site, st.modality, st.instances, lb.study_instance_uid IS NOT NULL AS labeled");
            foreach (var c in labelColumns) sql.Append(", coalesce(lb.").Append(Sql.Identifier(c)).Append(", 0)");
            sql.Append(" FROM st LEFT JOIN lb USING (study_instance_uid)");
        }
        else sql.Append(" SELECT st.patient_id, st.study_instance_uid, st.site, st.modality, st.instances, false AS labeled FROM st");
        sql.Append(" ORDER BY 2");

        var studies = new List<SplitStudy>();
        labeled = 0;
        using var reader = engine.ExecuteReader(sql.ToString());
        while (reader.Read())
        {
            var labels = new bool[labelColumns.Length];
            if (hasLabels)
                for (int i = 0; i < labels.Length; i++) labels[i] = Convert.ToInt64(reader.GetValue(6 + i), CultureInfo.InvariantCulture) == 1;
            if (reader.GetBoolean(5)) labeled++;
            studies.Add(new SplitStudy(reader.GetString(0), reader.GetString(1), Text(reader, 2), Text(reader, 3),
                (int)Math.Min(int.MaxValue, Convert.ToInt64(reader.GetValue(4), CultureInfo.InvariantCulture)), labels));
        }
        return studies;
    }

    private static Dictionary<string, DatasetSplit> ReadPrevious(LakeEngine engine, LakeStore lake, string version)
    {
        var previous = new Dictionary<string, DatasetSplit>(StringComparer.Ordinal);
        if (!lake.Exists(SplitTables.Splits)) return previous;
        using var reader = engine.ExecuteReader($"SELECT patient_id, split FROM gold.splits WHERE split_version = {Sql.String(version)} ORDER BY ALL");
        int bad = 0, twice = 0;
        while (reader.Read())
        {
            var split = SplitTables.Parse(Text(reader, 1));
            if (split is null || reader.IsDBNull(0)) { bad++; continue; }
            if (previous.TryGetValue(reader.GetString(0), out var known) && known != split) twice++;
            previous.TryAdd(reader.GetString(0), split.Value);
        }
        if (bad > 0 || twice > 0)
            throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                $"split {version}: gold.splits holds {bad} rows with an unknown split or no patient and {twice} patients in two splits; fix or re-split under a new version"));
        return previous;
    }

    private static string? Text(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal) is { Length: > 0 } s ? s : null;
}
