using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Lakehouse.Engine;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.SqlJobs;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Udfs.Deidentification;
using Lakehouse.Udfs.Registry;

namespace Lakehouse.Jobs.Silver;

/// <summary>
/// <c>deidentify</c>: reads <c>restricted.instances_normalized</c> and <c>bronze.reports</c> and writes <c>silver.instances</c>,
/// <c>silver.reports</c>, <c>silver.deid_audit</c> and <c>restricted.crosswalk</c>. The SQL calls the key-bound UDFs of
/// <see cref="DeidentificationUdfs"/>, registered in this run's engine only. The key comes from the <c>key_file</c>
/// parameter or <c>LAKEHOUSE_DEID_KEY</c>; only its public fingerprint is recorded. Same inputs and key give identical rows.
/// </summary>
public sealed class DeidentifyJob : ILakeJob
{
    /// <summary>The job name.</summary>
    public const string JobName = "deidentify";

    /// <summary>The parameter naming the key file (never recorded).</summary>
    public const string KeyFileParameter = "key_file";

    /// <summary>Option parameters (true/false) and the <see cref="DeidOptions"/> property each sets.</summary>
    public static readonly IReadOnlyList<(string Parameter, Func<DeidOptions, bool> Get, Func<DeidOptions, bool, DeidOptions> Set)> OptionParameters =
    [
        ("retain_safe_private", o => o.RetainSafePrivate, (o, v) => o with { RetainSafePrivate = v }),
        ("retain_uids", o => o.RetainUids, (o, v) => o with { RetainUids = v }),
        ("retain_device_identity", o => o.RetainDeviceIdentity, (o, v) => o with { RetainDeviceIdentity = v }),
        ("retain_institution_identity", o => o.RetainInstitutionIdentity, (o, v) => o with { RetainInstitutionIdentity = v }),
        ("retain_patient_characteristics", o => o.RetainPatientCharacteristics, (o, v) => o with { RetainPatientCharacteristics = v }),
        ("retain_full_dates", o => o.RetainLongitudinalFullDates, (o, v) => o with { RetainLongitudinalFullDates = v }),
        ("retain_modified_dates", o => o.RetainLongitudinalModifiedDates, (o, v) => o with { RetainLongitudinalModifiedDates = v }),
        ("clean_descriptors", o => o.CleanDescriptors, (o, v) => o with { CleanDescriptors = v }),
    ];

    /// <inheritdoc />
    public string Name => JobName;

    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Inputs => [SilverTables.InstancesNormalized, BronzeTables.Reports];

    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Outputs => [SilverTables.Instances, SilverTables.Reports, SilverTables.DeidAudit, SilverTables.Crosswalk];

    /// <summary>The options from the job parameters (<see cref="DeidOptions.Default"/> for those not given).</summary>
    /// <exception cref="UserInputException">An option value is not true or false.</exception>
    public static DeidOptions Options(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var options = DeidOptions.Default;
        foreach (var (name, _, set) in OptionParameters)
        {
            if (!parameters.TryGetValue(name, out string? text) || text.Length == 0) continue;
            if (!bool.TryParse(text, out bool value)) throw new UserInputException($"deidentify: parameter {name} must be true or false");
            options = set(options, value);
        }
        return options;
    }

    /// <summary>The enabled option names, comma-separated (the <c>deid_options</c> column).</summary>
    public static string OptionNames(DeidOptions options) =>
        string.Join(",", OptionParameters.Where(p => p.Get(options)).Select(p => p.Parameter));

    /// <inheritdoc />
    public JobResult Run(JobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var lake = context.Lake;
        DeidKey key;
        try
        {
            key = DeidKey.Load(context.Parameters.GetValueOrDefault(KeyFileParameter));
        }
        catch (DeidKeyException ex)
        {
            throw new UserInputException($"deidentify needs the de-identification key (--key-file or {DeidKey.EnvironmentVariable}): {ex.Message}");
        }
        foreach (var input in Inputs)
            if (!lake.Exists(input)) throw new UserInputException($"deidentify: {input} does not exist; run {(input == BronzeTables.Reports ? "`lakehouse ingest reports`" : "`lakehouse normalize`")} first");

        var options = Options(context.Parameters);
        string optionNames = OptionNames(options);
        var inputs = SilverTables.CurrentVersions(lake, Inputs);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["deid_key_fingerprint"] = key.Fingerprint,
            ["deid_options"] = optionNames,
        };
        if (SilverTables.UpToDate(lake, SilverTables.DeidAudit, JobName, inputs, parameters)
            && Outputs.All(lake.Exists))
        {
            const string skipped = "deidentify: inputs, key and options unchanged, nothing committed";
            context.Log.WriteLine(skipped);
            return new JobResult(new Dictionary<string, long>(), skipped);
        }
        string runId = RunId(key.Fingerprint, optionNames, inputs);

        var deid = DeidentificationUdfs.For(key, options);
        using var engine = new LakeEngine(new DeltaLakeSource(lake),
            DeltaLakeSource.EngineOptions(allowRestricted: true) with { Udfs = UdfRegistry.Default.With(deid.Functions) });
        var runner = new SqlJobRunner(lake, engine);
        var committed = new Dictionary<string, long>(StringComparer.Ordinal);

        var instances = runner.Run(new SqlJob(JobName, [SilverTables.InstancesNormalized], SilverTables.Instances,
            InstancesSql(options, key.Fingerprint, optionNames), JobWriteMode.Overwrite), parameters);
        committed[instances.Output.ToString()] = instances.Version;
        var reports = runner.Run(new SqlJob(JobName, Inputs, SilverTables.Reports, ReportsSql(options, key.Fingerprint), JobWriteMode.Overwrite), parameters);
        committed[reports.Output.ToString()] = reports.Version;
        var crosswalk = runner.Run(new SqlJob(JobName, Inputs, SilverTables.Crosswalk, CrosswalkSql(runId, key.Fingerprint), JobWriteMode.Overwrite), parameters);
        committed[crosswalk.Output.ToString()] = crosswalk.Version;
        committed[SilverTables.DeidAudit.ToString()] = WriteAudit(lake, deid.Audit, runId, reports.RowCount, parameters, inputs);

        string summary = $"deidentify: {instances.RowCount} instances, {reports.RowCount} reports de-identified; {crosswalk.RowCount} crosswalk rows; key {key.Fingerprint}; options {optionNames}";
        context.Log.WriteLine(summary);
        return new JobResult(committed, summary);
    }

    /// <summary>A run id that depends only on the key fingerprint, the options and the input versions (so reruns give identical rows).</summary>
    private static string RunId(string fingerprint, string options, IReadOnlyDictionary<string, long> inputs)
    {
        string text = fingerprint + "|" + options + "|" + string.Join("|", inputs.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => $"{i.Key}={i.Value}"));
        return "deid-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    private static readonly StructType AuditSchema = new(
    [
        new("run_id", DeltaType.String, Nullable: false),
        new("table_name", DeltaType.String, Nullable: false),
        new("action", DeltaType.String, Nullable: false),
        new("keyword", DeltaType.String, Nullable: false),
        new("count", DeltaType.Long, Nullable: false),
    ]);

    private static long WriteAudit(LakeStore lake, DeidAudit audit, string runId, long reports, IReadOnlyDictionary<string, string> parameters, IReadOnlyDictionary<string, long> inputs)
    {
        var rows = audit.Entries
            .Select(e => (Table: SilverTables.Instances.ToString(), Action: Snake(e.Action.ToString()), e.Keyword, e.Count))
            .Append((SilverTables.Reports.ToString(), "clean", "text", reports))
            .OrderBy(r => r.Item1, StringComparer.Ordinal).ThenBy(r => r.Item2, StringComparer.Ordinal).ThenBy(r => r.Item3, StringComparer.Ordinal)
            .ToList();
        var columns = new System.Collections.IList[]
        {
            rows.Select(_ => runId).ToList(), rows.Select(r => r.Item1).ToList(), rows.Select(r => r.Item2).ToList(),
            rows.Select(r => r.Item3).ToList(), rows.Select(r => r.Item4).ToList(),
        };
        var lineage = new CommitLineage(JobName) { Parameters = parameters, InputVersions = inputs };
        var table = lake.OpenOrCreate(SilverTables.DeidAudit, AuditSchema, lineage);
        var tx = table.NewTransaction(DeltaOperation.Overwrite, lineage);
        tx.Write(new ColumnBatch(AuditSchema, columns));
        return tx.Commit();
    }

    private static string Snake(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        foreach (char c in name)
        {
            if (char.IsUpper(c) && sb.Length > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    private static string Date(DeidOptions options, string column, string personKey) =>
        options.RetainLongitudinalModifiedDates ? $"deid_shift_date({column}, {personKey})"
        : options.RetainLongitudinalFullDates ? column
        : "CAST(NULL AS DATE)";

    private static string Lit(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>The site of a row in silver: the mapped site name, else a keyed pseudonym (unmapped sites are institution names).</summary>
    private const string SiteSql = "CASE WHEN site_mapped THEN site ELSE 'ST-' || substr(deid_patient('site:' || coalesce(site, '')), 4) END";

    /// <summary>The SQL of <c>silver.instances</c>.</summary>
    public static string InstancesSql(DeidOptions options, string fingerprint, string optionNames)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Names = "coalesce(known_names, '')";
        const string Ids = "coalesce(known_identifiers, '') || chr(30) || coalesce(known_institutions, '')";
        string Clean(string column) => options.CleanDescriptors ? $"deid_scrub({column}, {Names}, {Ids}, person_key)" : "CAST(NULL AS VARCHAR)";
        string shiftedAt = options.RetainLongitudinalModifiedDates ? "timezone('UTC', deid_shift_date(CAST(timezone('UTC', acquisition_at) AS DATE), person_key) + CAST(timezone('UTC', acquisition_at) AS TIME))"
            : options.RetainLongitudinalFullDates ? "acquisition_at" : "CAST(NULL AS TIMESTAMP)";
        return $"""
            SELECT
              deid_patient(person_key) AS person_id,
              deid_patient(patient_key) AS patient_id,
              deid_uid(study_instance_uid) AS study_instance_uid,
              deid_uid(series_instance_uid) AS series_instance_uid,
              deid_uid(sop_instance_uid) AS sop_instance_uid,
              sop_class_uid,
              deid_accession(nullif(trim(accession_number), '')) AS accession_number,
              {Date(options, "study_date", "person_key")} AS study_date,
              {Date(options, "series_date", "person_key")} AS series_date,
              {Date(options, "acquisition_date", "person_key")} AS acquisition_date,
              study_time, acquisition_time,
              modality, manufacturer, manufacturer_model_name, body_part_examined, patient_sex, transfer_syntax_uid, specific_character_set,
              {Clean("study_description")} AS study_description,
              {Clean("series_description")} AS series_description,
              deid_age(patient_age) AS patient_age,
              slice_thickness, pixel_spacing, "rows", "columns", number_of_frames,
              deid_tags_json(tags_json, person_key) AS tags_json,
              {SiteSql} AS site, country,
              body_part, body_part_code, body_part_name, vendor, model,
              CASE WHEN list_contains(string_split(unmapped, ','), 'study_type') THEN {Clean("study_type")} ELSE study_type END AS study_type,
              contrast, view,
              least(age_years, 90.0) AS age_years, age_band, sex,
              {shiftedAt} AS acquisition_at,
              unmapped,
              {Lit(fingerprint)} AS deid_key_fingerprint,
              {Lit(optionNames)} AS deid_options
            FROM restricted.instances_normalized
            ORDER BY sop_instance_uid
            """;
    }

    /// <summary>
    /// The SQL of <c>silver.reports</c>: each report's patient is found by accession, else by unique PatientID (+ issuer),
    /// else it is the report's own key (<c>patient_key_at_site</c>: issuer or the report's site id; NULL without a PatientID).
    /// </summary>
    public static string ReportsSql(DeidOptions options, string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(options);
        return $"""
            WITH pk AS (
              SELECT patient_key, min(person_key) AS person_key, min({SiteSql}) AS site,
                min(trim(patient_id)) AS pid, min(nullif(trim(issuer_of_patient_id), '')) AS issuer,
                string_agg(DISTINCT known_names, chr(31)) AS names,
                string_agg(DISTINCT known_identifiers, chr(31)) AS ids,
                string_agg(DISTINCT known_institutions, chr(31)) AS institutions
              FROM restricted.instances_normalized GROUP BY patient_key
            ), acc AS (
              SELECT trim(accession_number) AS accession_number, min(patient_key) AS patient_key
              FROM restricted.instances_normalized WHERE nullif(trim(accession_number), '') IS NOT NULL GROUP BY 1
            ), byid AS (
              SELECT pid, issuer, min(patient_key) AS patient_key, count(*) AS n FROM pk GROUP BY pid, issuer
            ), r AS (
              SELECT r.*, coalesce(acc.patient_key, CASE WHEN byid.n = 1 THEN byid.patient_key END,
                  patient_key_at_site(r.issuer_of_patient_id, r.site, r.patient_id)) AS patient_key
              FROM bronze.reports r
              LEFT JOIN acc ON acc.accession_number = trim(r.accession_number)
              LEFT JOIN byid ON byid.pid = trim(r.patient_id) AND byid.issuer IS NOT DISTINCT FROM nullif(trim(r.issuer_of_patient_id), '')
            ), k AS (
              SELECT r.*, coalesce(pk.person_key, r.patient_key) AS person_key, pk.site AS patient_site,
                coalesce(pk.names, '') AS names,
                concat_ws(chr(31), pk.ids, r.patient_id, r.accession_number) || chr(30) || coalesce(pk.institutions, '') AS ids
              FROM r LEFT JOIN pk ON pk.patient_key = r.patient_key
            )
            SELECT
              deid_report_id(report_id) AS report_id,
              deid_patient(person_key) AS person_id,
              deid_patient(patient_key) AS patient_id,
              deid_accession(nullif(trim(accession_number), '')) AS accession_number,
              coalesce(patient_site, 'ST-' || substr(deid_patient('site:' || coalesce(site, '')), 4)) AS site,
              {Date(options, "report_date", "person_key")} AS report_date,
              status,
              deid_scrub(text, names, ids, person_key) AS text,
              deid_scrub(findings, names, ids, person_key) AS findings,
              deid_scrub(impression, names, ids, person_key) AS impression,
              {Lit(fingerprint)} AS deid_key_fingerprint
            FROM k
            ORDER BY report_id
            """;
    }

    /// <summary>The SQL of <c>restricted.crosswalk</c>.</summary>
    public static string CrosswalkSql(string runId, string fingerprint) => $"""
        WITH n AS (SELECT * FROM restricted.instances_normalized), x AS (
          SELECT 'patient_key' AS kind, patient_key AS original, deid_patient(patient_key) AS pseudonym, 'restricted.instances_normalized' AS source_table FROM n WHERE patient_key IS NOT NULL
          UNION SELECT 'person_id', substr(person_key, 8), deid_patient(person_key), 'restricted.instances_normalized' FROM n WHERE starts_with(person_key, 'person:')
          UNION SELECT 'accession_number', trim(accession_number), deid_accession(trim(accession_number)), 'restricted.instances_normalized' FROM n WHERE nullif(trim(accession_number), '') IS NOT NULL
          UNION SELECT 'uid', study_instance_uid, deid_uid(study_instance_uid), 'restricted.instances_normalized' FROM n WHERE study_instance_uid IS NOT NULL
          UNION SELECT 'uid', series_instance_uid, deid_uid(series_instance_uid), 'restricted.instances_normalized' FROM n WHERE series_instance_uid IS NOT NULL
          UNION SELECT 'uid', sop_instance_uid, deid_uid(sop_instance_uid), 'restricted.instances_normalized' FROM n WHERE sop_instance_uid IS NOT NULL
          UNION SELECT 'report_id', report_id, deid_report_id(report_id), 'bronze.reports' FROM bronze.reports
          UNION SELECT 'accession_number', trim(accession_number), deid_accession(trim(accession_number)), 'bronze.reports' FROM bronze.reports WHERE nullif(trim(accession_number), '') IS NOT NULL
        )
        SELECT {Lit(runId)} AS run_id, {Lit(fingerprint)} AS key_fingerprint, kind, original, pseudonym, source_table
        FROM x ORDER BY kind, original, source_table
        """;
}
