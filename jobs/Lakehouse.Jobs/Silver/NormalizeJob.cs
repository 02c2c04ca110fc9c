using Lakehouse.Engine;
using Lakehouse.Jobs.Identity;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.SqlJobs;
using Lakehouse.Udfs.Identity;
using Lakehouse.Udfs.Normalization;
using Lakehouse.Udfs.Registry;

namespace Lakehouse.Jobs.Silver;

/// <summary>
/// <c>normalize</c>: loads the <c>ref.*</c> mapping tables (<see cref="LoadRefJob"/>), then, as SQL jobs calling the
/// normalization UDFs by name over <c>bronze.dicom_instances</c>, writes <c>restricted.instances_normalized</c> (bronze columns,
/// the patient and person keys, the normalized columns) and <c>silver.unmapped_values</c> (non-PHI fields only). The
/// normalized table stays restricted: it still holds PHI. The patient key is the <c>patient_key</c> UDF
/// (<see cref="IdentityUdfs"/>; NULL without a PatientID). With <c>restricted.patient_persons</c> present, the UDF is
/// bound to the site maps that table was built with (<see cref="IdentityTables.KeyOptions"/>), so the join finds every
/// key, and the person key is <c>"person:" + person_id</c>; else it is the patient key.
/// </summary>
public sealed class NormalizeJob : ILakeJob
{
    /// <summary>The job name.</summary>
    public const string JobName = "normalize";

    /// <summary>Distinct patients a study description must have before it is listed in <c>silver.unmapped_values</c>.</summary>
    public const int MinimumPatientsForDescription = 5;

    /// <inheritdoc />
    public string Name => JobName;

    /// <inheritdoc />
    /// <remarks>
    /// Lists the optional <c>restricted.patient_persons</c> too: the pipeline runner skips by these versions and orders
    /// normalize after link-patients by them, so a new identity must re-run normalize (and through its output, deidentify).
    /// </remarks>
    public IReadOnlyList<LakeTableName> Inputs => [.. RequiredInputs, SilverTables.PatientPersons];

    private static IReadOnlyList<LakeTableName> RequiredInputs => [BronzeTables.DicomInstances, .. NormalizationReference.FileNames.Select(SilverTables.Ref)];

    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Outputs => [SilverTables.InstancesNormalized, SilverTables.UnmappedValues];

    /// <inheritdoc />
    public JobResult Run(JobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var lake = context.Lake;
        if (!lake.Exists(BronzeTables.DicomInstances))
            throw new UserInputException("normalize: bronze.dicom_instances does not exist; run `lakehouse ingest dicom` first");
        var refResult = new LoadRefJob().Run(context);
        var reference = LoadRefJob.ReadFromLake(lake)!;
        bool identity = lake.Exists(SilverTables.PatientPersons);

        var committed = new Dictionary<string, long>(refResult.Committed, StringComparer.Ordinal);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal) { ["identity"] = identity ? "patient_persons" : "patient_key" };
        LakeTableName[] readInputs = [.. RequiredInputs, .. identity ? [SilverTables.PatientPersons] : Array.Empty<LakeTableName>()];
        var inputs = SilverTables.CurrentVersions(lake, readInputs);
        if (SilverTables.UpToDate(lake, SilverTables.InstancesNormalized, JobName, inputs, parameters) && lake.Exists(SilverTables.UnmappedValues))
        {
            string skipped = "normalize: inputs unchanged, nothing committed";
            context.Log.WriteLine(skipped);
            return new JobResult(committed, skipped);
        }

        // The default registry binds the embedded mappings and no site maps; this run binds the ref tables' mappings and
        // identity's site maps under the same names.
        var keyOptions = identity ? IdentityTables.KeyOptions(lake) : new IdentityOptions();
        var registry = new UdfRegistry(UdfRegistry.Default.All.Where(f => !IsNormalization(f.Name) && !IdentityUdfs.IsIdentityFunction(f.Name))
            .Concat(NormalizationUdfs.For(new NormalizationFunctions(reference))).Concat(IdentityUdfs.For(keyOptions)));
        using var engine = new LakeEngine(new DeltaLakeSource(lake), DeltaLakeSource.EngineOptions(allowRestricted: true) with { Udfs = registry });
        var runner = new SqlJobRunner(lake, engine);

        var normalized = runner.Run(new SqlJob(JobName, readInputs,
            SilverTables.InstancesNormalized, NormalizedSql(identity), JobWriteMode.Overwrite), parameters);
        committed[normalized.Output.ToString()] = normalized.Version;
        // A new engine: the first one listed the lake's tables before restricted.instances_normalized existed.
        using var engine2 = new LakeEngine(new DeltaLakeSource(lake), DeltaLakeSource.EngineOptions(allowRestricted: true) with { Udfs = registry });
        var unmapped = new SqlJobRunner(lake, engine2).Run(new SqlJob(JobName, [SilverTables.InstancesNormalized, .. NormalizationReference.FileNames.Select(SilverTables.Ref)],
            SilverTables.UnmappedValues, UnmappedSql, JobWriteMode.Overwrite), parameters);
        committed[unmapped.Output.ToString()] = unmapped.Version;

        string summary = $"normalize: {normalized.RowCount} instances normalized (version {normalized.Version}), {unmapped.RowCount} unmapped values listed; person key from {parameters["identity"]}";
        context.Log.WriteLine(summary);
        return new JobResult(committed, summary);
    }

    private static readonly HashSet<string> NormalizationNames =
        NormalizationUdfs.Functions.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);

    private static bool IsNormalization(string name) => NormalizationNames.Contains(name);

    private static string RefVersion(string file) => $"(SELECT max(ref_version) FROM {SilverTables.Ref(file)})";

    /// <summary>Person names of the header that reports and descriptors may quote: patient, referring, performing, reading, requesting physicians, operators.</summary>
    private static readonly string[] NameTags = ["00100010", "00080090", "00081050", "00081060", "00081070", "00321032", "00101001"];

    /// <summary>Identifiers of the header a report may quote: IDs, phone numbers, addresses, procedure ids, device serial numbers.</summary>
    private static readonly string[] IdentifierTags = ["00100020", "00101000", "00102154", "00101040", "00401001", "00321060", "00181000", "00080050", "00200010"];

    /// <summary>Institution names and addresses of the header. Not the department name: "Radiology" would blank that word in every report.</summary>
    private static readonly string[] InstitutionTags = ["00080080", "00080081", "00081010"];

    /// <summary>
    /// The values of the header's <paramref name="tags"/> (from tags_json) plus <paramref name="first"/>, separated by U+001F,
    /// for the scrubber's known names/identifiers (the <c>known_*</c> columns; restricted like the rest of the row).
    /// </summary>
    private static string KnownSql(string first, string[] tags, string? member) =>
        "concat_ws(chr(31), " + first + ", " + string.Join(", ", tags.Select(t =>
            $"array_to_string(json_extract_string(b.tags_json, '$.\"{t}\".Value[*]{(member is null ? "" : "." + member)}'), chr(31))")) + ")";

    /// <summary>Full years at the study date: from the birth date when both are known, else from Patient's Age (AS).</summary>
    private const string AgeSql =
        "floor(coalesce(age_years_from_dates(strftime(b.patient_birth_date, '%Y%m%d'), strftime(b.study_date, '%Y%m%d')), age_years(b.patient_age)))";

    /// <summary>The SQL of <c>restricted.instances_normalized</c>.</summary>
    public static string NormalizedSql(bool identity) => $"""
        SELECT b.* EXCLUDE (ingest_run_id, ingested_at),
          {(identity ? "coalesce('person:' || pp.person_id, b.patient_key)" : "b.patient_key")} AS person_key,
          site(b.issuer_of_patient_id, b.institution_name) AS site,
          site_mapped(b.issuer_of_patient_id, b.institution_name) AS site_mapped,
          site_country(b.issuer_of_patient_id, b.institution_name) AS country,
          body_part_term(b.body_part_examined, b.study_description) AS body_part,
          body_part_code(b.body_part_examined, b.study_description) AS body_part_code,
          body_part_name(b.body_part_examined, b.study_description) AS body_part_name,
          manufacturer(b.manufacturer) AS vendor,
          model_name(b.manufacturer, b.manufacturer_model_name) AS model,
          study_type(b.study_description, b.modality) AS study_type,
          study_contrast(b.study_description, b.modality) AS contrast,
          study_view(b.study_description, b.modality) AS view,
          {AgeSql} AS age_years,
          age_band({AgeSql}) AS age_band,
          patient_sex(b.patient_sex) AS sex,
          timezone('UTC', coalesce(b.acquisition_date, b.series_date, b.study_date)
            + coalesce(try_cast(coalesce(b.acquisition_time, b.study_time) AS TIME), TIME '00:00:00')) AS acquisition_at,
          concat_ws(',',
            CASE WHEN nullif(trim(b.modality), '') IS NOT NULL AND NOT modality_mapped(b.modality) THEN 'modality' END,
            CASE WHEN body_part_method(b.body_part_examined, b.study_description) IN ('unmapped', 'none') THEN 'body_part' END,
            CASE WHEN nullif(trim(b.manufacturer), '') IS NOT NULL AND NOT manufacturer_mapped(b.manufacturer) THEN 'vendor' END,
            CASE WHEN nullif(trim(b.manufacturer_model_name), '') IS NOT NULL AND NOT model_name_mapped(b.manufacturer, b.manufacturer_model_name) THEN 'model' END,
            CASE WHEN nullif(trim(b.study_description), '') IS NOT NULL AND NOT study_type_mapped(b.study_description, b.modality) THEN 'study_type' END,
            CASE WHEN nullif(trim(b.patient_sex), '') IS NOT NULL AND NOT patient_sex_mapped(b.patient_sex) THEN 'sex' END,
            CASE WHEN NOT site_mapped(b.issuer_of_patient_id, b.institution_name) THEN 'site' END) AS unmapped,
          {KnownSql("b.patient_name", NameTags, "Alphabetic")} AS known_names,
          {KnownSql("concat_ws(chr(31), b.patient_id, b.accession_number, b.other_patient_ids, b.issuer_of_patient_id)", IdentifierTags, null)} AS known_identifiers,
          {KnownSql("concat_ws(chr(31), b.institution_name, b.station_name)", InstitutionTags, null)} AS known_institutions,
          concat_ws(',', {string.Join(", ", NormalizationReference.FileNames.Select(f => $"'{f}=' || {RefVersion(f)}"))}) AS ref_versions
        FROM (SELECT *, patient_key(issuer_of_patient_id, institution_name, patient_id) AS patient_key FROM bronze.dicom_instances) b
        {(identity ? "LEFT JOIN restricted.patient_persons pp ON pp.patient_key = b.patient_key" : "")}
        ORDER BY b.sop_instance_uid
        """;

    /// <summary>The SQL of <c>silver.unmapped_values</c>: fields that are not PHI; study descriptions only when shared by enough patients.</summary>
    public static readonly string UnmappedSql = $"""
        WITH v AS (
          SELECT 'modality' AS field, trim(modality) AS raw_value, patient_key, {RefVersion("modality")} AS ref_version
            FROM restricted.instances_normalized WHERE nullif(trim(modality), '') IS NOT NULL AND NOT modality_mapped(modality)
          UNION ALL
          SELECT 'body_part_examined', trim(body_part_examined), patient_key, {RefVersion("body_part_alias")}
            FROM restricted.instances_normalized WHERE body_part_method(body_part_examined, study_description) = 'unmapped'
          UNION ALL
          SELECT 'manufacturer', trim(manufacturer), patient_key, {RefVersion("manufacturer")}
            FROM restricted.instances_normalized WHERE nullif(trim(manufacturer), '') IS NOT NULL AND NOT manufacturer_mapped(manufacturer)
          UNION ALL
          SELECT 'manufacturer_model_name', trim(manufacturer_model_name), patient_key, {RefVersion("model")}
            FROM restricted.instances_normalized WHERE nullif(trim(manufacturer_model_name), '') IS NOT NULL AND NOT model_name_mapped(manufacturer, manufacturer_model_name)
          UNION ALL
          SELECT 'patient_sex', trim(patient_sex), patient_key, {RefVersion("sex")}
            FROM restricted.instances_normalized WHERE nullif(trim(patient_sex), '') IS NOT NULL AND NOT patient_sex_mapped(patient_sex)
          UNION ALL
          SELECT 'study_description', trim(study_description), patient_key, {RefVersion("study_token")}
            FROM restricted.instances_normalized WHERE nullif(trim(study_description), '') IS NOT NULL AND NOT study_type_mapped(study_description, modality)
        )
        SELECT field, raw_value, count(*) AS "count", ref_version
        FROM v
        GROUP BY field, raw_value, ref_version
        HAVING field <> 'study_description' OR count(DISTINCT patient_key) >= {MinimumPatientsForDescription}
        ORDER BY field, "count" DESC, raw_value
        """;
}
