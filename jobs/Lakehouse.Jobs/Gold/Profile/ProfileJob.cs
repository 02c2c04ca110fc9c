using System.Collections;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Lakehouse.Engine;
using Lakehouse.Jobs.Gold.Splits;
using Lakehouse.Jobs.Profile.Metrics;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Udfs.Labeling;

namespace Lakehouse.Jobs.Gold.Profile;

/// <summary>One row of <c>gold.diversity_profile</c>.</summary>
/// <param name="Dimension">modality, vendor, model, site, age_band, sex, body_part, study_type, label, or <see cref="ProfileJob.IntersectionDimension"/>.</param>
/// <param name="Category">The value (for label: the observation; for the intersection: sex|age_band|site with <c>(missing)</c> for a missing part).</param>
/// <param name="Count">Studies with the value (for label: studies labeled positive).</param>
/// <param name="Share">Count over the studies with a value (label: over the labeled studies; intersection: over all studies).</param>
/// <param name="Split">all, train, validation or test.</param>
/// <param name="Missing">Studies of the split without a value for the dimension (label: without a labels row).</param>
/// <param name="SmallCell">Intersection cells only: fewer than 5 studies or persons; reports suppress the count.</param>
public sealed record ProfileRow(string Dimension, string Category, long Count, double Share, string Split, long Missing, bool SmallCell);

/// <summary>One row of <c>gold.diversity_summary</c>: the diversity figures of one dimension in one split.</summary>
/// <param name="Dimension">The dimension.</param>
/// <param name="Split">all, train, validation or test.</param>
/// <param name="N">Studies with a value (label: labeled studies).</param>
/// <param name="MissingShare">Studies without a value over all studies of the split.</param>
/// <param name="EntropyBits">Shannon entropy in bits.</param>
/// <param name="Evenness">Pielou's evenness H/ln k; null with fewer than two categories.</param>
/// <param name="Simpson">Gini–Simpson 1 − Σp²: probability that two random studies differ.</param>
/// <param name="EffectiveCategories">Hill number of order 1, exp(H).</param>
/// <param name="ImbalanceRatio">Largest over smallest category count; null without categories.</param>
/// <param name="JsDivergenceVsAll">Jensen–Shannon divergence (bits) of the split's distribution from all data; 0 for all; null when the split has no values.</param>
public sealed record SummaryRow(string Dimension, string Split, long N, double MissingShare, double EntropyBits, double? Evenness, double Simpson,
    double EffectiveCategories, double? ImbalanceRatio, double? JsDivergenceVsAll);

/// <summary>Everything the profile job computed: the table rows and the facts the dataset card reports.</summary>
public sealed record DiversityProfileResult
{
    /// <summary>Rows of gold.diversity_profile.</summary>
    public required IReadOnlyList<ProfileRow> Profile { get; init; }
    /// <summary>Rows of gold.diversity_summary.</summary>
    public required IReadOnlyList<SummaryRow> Summary { get; init; }
    /// <summary>The split version profiled, or null when gold.splits does not exist.</summary>
    public string? SplitVersion { get; init; }
    /// <summary>Input table → version read.</summary>
    public required IReadOnlyDictionary<string, long> InputVersions { get; init; }
    /// <summary>Output table → version written (empty before the job commits).</summary>
    public IReadOnlyDictionary<string, long> OutputVersions { get; init; } = new Dictionary<string, long>();
    /// <summary>Counts of the data: instances, series, studies, patients, persons, sites, labeled_studies, and studies per split.</summary>
    public required IReadOnlyDictionary<string, long> Counts { get; init; }
    /// <summary>Distinct values of silver.instances deid_options with their instance counts.</summary>
    public required IReadOnlyDictionary<string, long> DeidOptions { get; init; }
    /// <summary>Number of distinct de-identification key fingerprints (more than one means a key rotation inside the data).</summary>
    public long DeidKeyFingerprints { get; init; }
    /// <summary>Fields left unmapped by normalization → instances (from silver.instances unmapped).</summary>
    public required IReadOnlyDictionary<string, long> Unmapped { get; init; }
    /// <summary>Whether gold.study_labels was present.</summary>
    public bool HasLabels { get; init; }
}

/// <summary>
/// The <c>profile</c> job: diversity of the data per dimension (modality, vendor, model, site, age band, sex, body part, study
/// type), label prevalence per CheXpert observation and the sex × age band × site intersection, for all data and each split.
/// The unit is the study: its value of a dimension is the ordinally smallest non-empty value among its instances (studies are
/// almost always homogeneous; this keeps reruns identical). Writes <c>gold.diversity_profile</c> and <c>gold.diversity_summary</c>
/// (overwrite, with lineage).
/// </summary>
/// <remarks>Parameter <c>split_version</c>: the split to break down by; default the most recently assigned version in gold.splits.</remarks>
public sealed class ProfileJob : ILakeJob
{
    /// <summary><c>gold.diversity_profile</c>.</summary>
    public static readonly LakeTableName ProfileTable = new("gold", "diversity_profile");

    /// <summary><c>gold.diversity_summary</c>.</summary>
    public static readonly LakeTableName SummaryTable = new("gold", "diversity_summary");

    /// <summary>The profiled dimensions, as silver.instances columns.</summary>
    public static readonly IReadOnlyList<string> Dimensions = ["modality", "vendor", "model", "site", "age_band", "sex", "body_part", "study_type", "country"];

    /// <summary>The dimension name of label prevalence rows.</summary>
    public const string LabelDimension = "label";

    /// <summary>The dimension name of the sex × age band × site cells.</summary>
    public const string IntersectionDimension = "sex|age_band|site";

    /// <summary>Cells with fewer studies or persons than this are flagged small.</summary>
    public const int MinCellSize = Intersections.DefaultMinCellSize;

    /// <summary>The split values in table order.</summary>
    public static readonly IReadOnlyList<string> SplitNames = ["all", "train", "validation", "test"];

    /// <summary>Schema of gold.diversity_profile.</summary>
    public static readonly StructType ProfileSchema = new(
        new StructField("dimension", DeltaType.String, Nullable: false), new StructField("category", DeltaType.String, Nullable: false),
        new StructField("count", DeltaType.Long, Nullable: false), new StructField("share", DeltaType.Double, Nullable: false),
        new StructField("split", DeltaType.String, Nullable: false), new StructField("missing", DeltaType.Long, Nullable: false),
        new StructField("small_cell", DeltaType.Boolean, Nullable: false));

    /// <summary>Schema of gold.diversity_summary.</summary>
    public static readonly StructType SummarySchema = new(
        new StructField("dimension", DeltaType.String, Nullable: false), new StructField("split", DeltaType.String, Nullable: false),
        new StructField("n", DeltaType.Long, Nullable: false), new StructField("missing_share", DeltaType.Double, Nullable: false),
        new StructField("entropy_bits", DeltaType.Double, Nullable: false), new StructField("evenness", DeltaType.Double),
        new StructField("simpson", DeltaType.Double, Nullable: false), new StructField("effective_categories", DeltaType.Double, Nullable: false),
        new StructField("imbalance_ratio", DeltaType.Double), new StructField("js_divergence_vs_all", DeltaType.Double));

    /// <inheritdoc/>
    public string Name => "profile";

    /// <inheritdoc/>
    public IReadOnlyList<LakeTableName> Inputs { get; } = [SplitTables.SilverInstances, SplitTables.StudyLabels, SplitTables.Splits];

    /// <inheritdoc/>
    public IReadOnlyList<LakeTableName> Outputs { get; } = [ProfileTable, SummaryTable];

    /// <summary>The parameter naming the folder for report.html and the dataset card.</summary>
    public const string ReportDirParameter = "report_dir";

    /// <inheritdoc/>
    public JobResult Run(JobContext context)
    {
        var result = Execute(context);
        // With report_dir (the pipeline file's profile parameters) the HTML report and dataset card are written too.
        string report = context.Parameter(ReportDirParameter, "");
        if (report.Length > 0) ProfileReport.Write(result, report);
        return new JobResult(result.OutputVersions, FormattableString.Invariant(
            $"profile: {result.Counts["studies"]} studies, {result.Profile.Count} profile rows, {result.Summary.Count} summary rows{(report.Length > 0 ? "; report written" : "")}"));
    }

    /// <summary>Computes the profile and overwrites both tables; returns the result with the versions written.</summary>
    public DiversityProfileResult Execute(JobContext context)
    {
        var result = Compute(context.Lake, context.Parameters);
        var lineage = new CommitLineage(Name)
        {
            Parameters = result.SplitVersion is null ? context.Parameters : new Dictionary<string, string>(context.Parameters) { ["split_version"] = result.SplitVersion },
            InputVersions = result.InputVersions,
        };
        long profileVersion = Overwrite(context.Lake, ProfileTable, ProfileSchema, lineage,
        [
            result.Profile.Select(r => r.Dimension).ToList(), result.Profile.Select(r => r.Category).ToList(),
            result.Profile.Select(r => (object)r.Count).ToList(), result.Profile.Select(r => (object)r.Share).ToList(),
            result.Profile.Select(r => r.Split).ToList(), result.Profile.Select(r => (object)r.Missing).ToList(),
            result.Profile.Select(r => (object)r.SmallCell).ToList(),
        ]);
        long summaryVersion = Overwrite(context.Lake, SummaryTable, SummarySchema, lineage,
        [
            result.Summary.Select(r => r.Dimension).ToList(), result.Summary.Select(r => r.Split).ToList(),
            result.Summary.Select(r => (object)r.N).ToList(), result.Summary.Select(r => (object)r.MissingShare).ToList(),
            result.Summary.Select(r => (object)r.EntropyBits).ToList(), result.Summary.Select(r => (object?)r.Evenness).ToList(),
            result.Summary.Select(r => (object)r.Simpson).ToList(), result.Summary.Select(r => (object)r.EffectiveCategories).ToList(),
            result.Summary.Select(r => (object?)r.ImbalanceRatio).ToList(), result.Summary.Select(r => (object?)r.JsDivergenceVsAll).ToList(),
        ]);
        context.Log.WriteLine(FormattableString.Invariant($"profile: {result.Counts["studies"]} studies; gold.diversity_profile version {profileVersion}, gold.diversity_summary version {summaryVersion}"));
        return result with { OutputVersions = new Dictionary<string, long> { [ProfileTable.ToString()] = profileVersion, [SummaryTable.ToString()] = summaryVersion } };
    }

    private static long Overwrite(LakeStore lake, LakeTableName name, StructType schema, CommitLineage lineage, IList[] columns)
    {
        var table = lake.OpenOrCreate(name, schema, lineage);
        if (!table.Snapshot().Schema.Equals(schema))
            throw new UserInputException($"profile: {name} exists with another schema; drop the table folder to rebuild it");
        var tx = table.NewTransaction(DeltaOperation.Overwrite, lineage);
        tx.Write(new ColumnBatch(schema, columns));
        return tx.Commit();
    }

    /// <summary>Computes the profile without writing anything.</summary>
    /// <exception cref="UserInputException">silver.instances is missing, or the requested split version does not exist.</exception>
    public static DiversityProfileResult Compute(LakeStore lake, IReadOnlyDictionary<string, string> parameters)
    {
        if (!lake.Exists(SplitTables.SilverInstances))
            throw new UserInputException("profile: table silver.instances does not exist; run the deidentify job first");
        using var engine = new LakeEngine(new DeltaLakeSource(lake), DeltaLakeSource.EngineOptions());
        bool hasLabels = lake.Exists(SplitTables.StudyLabels);
        string? splitVersion = ChooseSplitVersion(engine, lake, parameters);

        var studies = ReadStudies(engine, hasLabels, splitVersion);
        var profile = new List<ProfileRow>();
        var summary = new List<SummaryRow>();
        var bySplit = SplitNames.ToDictionary(s => s, s => s == "all" ? studies : studies.Where(x => x.Split == s).ToList(), StringComparer.Ordinal);
        var splits = SplitNames.Where(s => s == "all" || splitVersion is not null).ToList();

        for (int d = 0; d < Dimensions.Count; d++)
        {
            var all = CategoryDistribution.Of(studies.Select(s => s.Values[d]));
            foreach (string split in splits)
            {
                var dist = split == "all" ? all : CategoryDistribution.Of(bySplit[split].Select(s => s.Values[d]));
                foreach (var c in dist.Categories) profile.Add(new ProfileRow(Dimensions[d], c.Category, c.Count, c.Share, split, dist.Missing, false));
                summary.Add(Summarize(Dimensions[d], split, dist, all, dist.Present));
            }
        }
        if (hasLabels)
        {
            var all = LabelDistribution(studies);
            foreach (string split in splits)
            {
                var rows = bySplit[split];
                var dist = split == "all" ? all : LabelDistribution(rows);
                long labeled = rows.Count(s => s.Labels is not null);
                foreach (var o in ChexpertObservations.All)
                {
                    long positive = dist.CountOf(o.ColumnName());
                    profile.Add(new ProfileRow(LabelDimension, o.ColumnName(), positive, labeled == 0 ? 0 : (double)positive / labeled, split, rows.Count - labeled, false));
                }
                summary.Add(Summarize(LabelDimension, split, dist, all, labeled));
            }
        }
        foreach (string split in splits)
        {
            var rows = bySplit[split];
            var keys = rows.Select(s => (IReadOnlyList<string?>)[s.Values[5], s.Values[4], s.Values[3]]).ToList();
            var personCells = Intersections.Count(rows.Select((s, i) => (s.Person, Key: keys[i])).DistinctBy(t => (t.Person, CellKey(t.Key))).Select(t => t.Key))
                .ToDictionary(c => CellKey(c.Key), c => c.Count, StringComparer.Ordinal);
            foreach (var cell in Intersections.Count(keys, MinCellSize))
            {
                string key = CellKey(cell.Key);
                bool small = cell.BelowThreshold || personCells.GetValueOrDefault(key) < MinCellSize;
                profile.Add(new ProfileRow(IntersectionDimension, key, cell.Count, rows.Count == 0 ? 0 : (double)cell.Count / rows.Count, split, 0, small));
            }
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["instances"] = Long(engine, "SELECT count(*) FROM silver.instances"),
            ["series"] = Long(engine, "SELECT count(DISTINCT series_instance_uid) FROM silver.instances"),
            ["studies"] = studies.Count,
            ["patients"] = Long(engine, "SELECT count(DISTINCT patient_id) FROM silver.instances"),
            ["persons"] = Long(engine, "SELECT count(DISTINCT person_id) FROM silver.instances"),
            ["sites"] = Long(engine, "SELECT count(DISTINCT site) FROM silver.instances"),
            ["labeled_studies"] = studies.Count(s => s.Labels is not null),
        };
        if (splitVersion is not null)
        {
            foreach (string split in SplitNames.Skip(1)) counts["studies_" + split] = bySplit[split].Count;
            counts["studies_unassigned"] = studies.Count(s => s.Split is null);
        }
        return new DiversityProfileResult
        {
            Profile = profile, Summary = summary, SplitVersion = splitVersion, HasLabels = hasLabels,
            InputVersions = engine.MountedTables.ToDictionary(t => t.Name.ToString(), t => t.Version, StringComparer.Ordinal),
            Counts = counts,
            DeidOptions = Grouped(engine, "SELECT coalesce(deid_options, '(none)'), count(*) FROM silver.instances GROUP BY 1 ORDER BY 1"),
            DeidKeyFingerprints = Long(engine, "SELECT count(DISTINCT deid_key_fingerprint) FROM silver.instances"),
            Unmapped = Grouped(engine, "SELECT trim(f), count(*) FROM (SELECT unnest(string_split(unmapped, ',')) AS f FROM silver.instances WHERE unmapped IS NOT NULL AND unmapped <> '') " +
                "WHERE trim(f) <> '' GROUP BY 1 ORDER BY 1"),
        };
    }

    private static string CellKey(IReadOnlyList<string?> key) => string.Join('|', key.Select(k => k ?? "(missing)"));

    private static CategoryDistribution LabelDistribution(IEnumerable<StudyFacts> studies)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long unlabeled = 0;
        foreach (var s in studies)
        {
            if (s.Labels is null) { unlabeled++; continue; }
            foreach (var o in ChexpertObservations.All)
                if (s.Labels[(int)o]) counts[o.ColumnName()] = counts.GetValueOrDefault(o.ColumnName()) + 1;
        }
        return CategoryDistribution.FromCounts(counts, unlabeled);
    }

    private static SummaryRow Summarize(string dimension, string split, CategoryDistribution dist, CategoryDistribution all, long n)
    {
        var s = Diversity.Summarize(dist);
        double? jsd = split == "all" ? 0 : dist.Present == 0 || all.Present == 0 ? null : DistributionShift.JensenShannonDivergence(dist, all);
        return new SummaryRow(dimension, split, n, dist.MissingShare, s.ShannonBits, double.IsNaN(s.PielouEvenness) ? null : s.PielouEvenness,
            s.GiniSimpson, s.EffectiveShannon, double.IsNaN(s.ImbalanceRatio) ? null : s.ImbalanceRatio, jsd);
    }

    private sealed record StudyFacts(string Person, string?[] Values, bool[]? Labels, string? Split);

    private static string? ChooseSplitVersion(LakeEngine engine, LakeStore lake, IReadOnlyDictionary<string, string> parameters)
    {
        string? requested = parameters.TryGetValue("split_version", out var v) && v.Length > 0 ? v : null;
        if (!lake.Exists(SplitTables.Splits))
            return requested is null ? null : throw new UserInputException("profile: split_version given but gold.splits does not exist");
        if (requested is not null)
        {
            if (Long(engine, $"SELECT count(*) FROM gold.splits WHERE split_version = {Sql.String(requested)}") == 0)
                throw new UserInputException($"profile: gold.splits has no split version '{requested}'");
            return requested;
        }
        return engine.ExecuteScalar("SELECT split_version FROM gold.splits GROUP BY 1 ORDER BY max(assigned_at) DESC, 1 LIMIT 1") as string;
    }

    private static List<StudyFacts> ReadStudies(LakeEngine engine, bool hasLabels, string? splitVersion)
    {
        var labelColumns = ChexpertObservations.All.Select(o => o.ColumnName()).ToArray();
        var sql = new StringBuilder("WITH st AS (SELECT study_instance_uid, min(patient_id) AS patient_id, coalesce(min(person_id), min(patient_id)) AS person_id");
        foreach (var d in Dimensions) sql.Append(", min(NULLIF(").Append(Sql.Identifier(d)).Append(", '')) AS ").Append(Sql.Identifier(d));
        sql.Append(" FROM silver.instances WHERE study_instance_uid IS NOT NULL AND study_instance_uid <> '' GROUP BY 1)");
        if (hasLabels)
        {
            sql.Append(", lb AS (SELECT study_instance_uid");
            foreach (var c in labelColumns) sql.Append(", max(CASE WHEN ").Append(Sql.Identifier(c)).Append(" = 1 THEN 1 ELSE 0 END) AS ").Append(Sql.Identifier(c));
            sql.Append(" FROM gold.study_labels GROUP BY 1)");
        }
        sql.Append(" SELECT st.person_id, ");
        sql.Append(splitVersion is null ? "NULL::VARCHAR" : "sp.split").Append(" AS split");
        foreach (var d in Dimensions) sql.Append(", st.").Append(Sql.Identifier(d));
        if (hasLabels)
        {
            sql.Append(", lb.study_instance_uid IS NOT NULL");
            foreach (var c in labelColumns) sql.Append(", lb.").Append(Sql.Identifier(c));
        }
        sql.Append(" FROM st");
        if (hasLabels) sql.Append(" LEFT JOIN lb USING (study_instance_uid)");
        if (splitVersion is not null)
            sql.Append(" LEFT JOIN (SELECT patient_id, min(split) AS split FROM gold.splits WHERE split_version = ")
               .Append(Sql.String(splitVersion)).Append(" GROUP BY 1) sp ON sp.patient_id = st.patient_id");
        sql.Append(" ORDER BY st.study_instance_uid");

        var studies = new List<StudyFacts>();
        using var reader = engine.ExecuteReader(sql.ToString());
        int first = 2 + Dimensions.Count;
        while (reader.Read())
        {
            var values = new string?[Dimensions.Count];
            for (int d = 0; d < values.Length; d++) values[d] = Text(reader, 2 + d);
            bool[]? labels = null;
            if (hasLabels && reader.GetBoolean(first))
            {
                labels = new bool[labelColumns.Length];
                for (int i = 0; i < labels.Length; i++) labels[i] = Convert.ToInt64(reader.GetValue(first + 1 + i), CultureInfo.InvariantCulture) == 1;
            }
            studies.Add(new StudyFacts(Text(reader, 0) ?? "", values, labels, Text(reader, 1)));
        }
        return studies;
    }

    private static long Long(LakeEngine engine, string sql) => Convert.ToInt64(engine.ExecuteScalar(sql) ?? 0L, CultureInfo.InvariantCulture);

    private static Dictionary<string, long> Grouped(LakeEngine engine, string sql)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        using var reader = engine.ExecuteReader(sql);
        while (reader.Read()) result[reader.GetString(0)] = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
        return result;
    }

    private static string? Text(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal) is { Length: > 0 } s ? s : null;
}
