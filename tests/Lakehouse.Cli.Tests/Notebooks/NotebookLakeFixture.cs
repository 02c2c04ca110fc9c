using Lakehouse.Engine;
using Lakehouse.Jobs;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Pipeline;
using Lakehouse.Jobs.Sample;
using Lakehouse.Testing;

namespace Lakehouse.Cli.Tests.Notebooks;

/// <summary>
/// A small lake for the notebooks: the sample archive run through every pipeline job the catalog has (twice, so each
/// table has versions 1 and 2 for time travel), then — for the silver/gold tables whose jobs have not landed yet — fixtures
/// built to the table contract from bronze with SQL. Fixture pseudonyms are md5/hash stand-ins, not the real UDFs.
/// </summary>
public sealed class NotebookLakeFixture : IDisposable
{
    private static readonly string[] Chain = ["ingest-dicom", "ingest-reports", "link-patients", "normalize", "deidentify", "label-studies", "split", "profile"];

    public NotebookLakeFixture()
    {
        var lake = new LakeStore(Dir.Combine("lake"));
        var jobs = Chain.Where(JobCatalog.Default.Contains).ToList();
        File.WriteAllText(Dir.Combine("pipeline.yaml"), $"""
            pipeline: notebooks
            sample: {"{"} folder: archive, patients: 8, seed: 4 {"}"}
            sources: {"{"} dicom: archive/{SampleArchiveGenerator.DicomFolder}, reports: archive/reports.jsonl {"}"}
            deidentify: {"{"} generate_key_if_missing: true {"}"}
            split: {"{"} ratios: {"{"} train: 0.8, validation: 0.1, test: 0.1 {"}"}, seed: 1 {"}"}
            jobs: [{string.Join(", ", jobs)}]
            """);
        var config = PipelineConfig.Load(Dir.Combine("pipeline.yaml"));
        var log = new StringWriter();
        for (int run = 0; run < 2; run++)
        {
            var summary = new PipelineRunner(JobCatalog.Default, log) { Force = true }.Run(config, lake);
            if (!summary.Succeeded) throw new InvalidOperationException("the notebook lake's pipeline failed:\n" + log);
        }
        // Ingestion creates an error table only when it has a row to write; a clean archive leaves none, and the
        // data-quality notebook would fail on a missing table. Create them empty, as ingestion would.
        foreach (var (table, schema) in new[]
        {
            (BronzeTables.DicomErrors, BronzeTables.DicomErrorsSchema),
            (BronzeTables.DicomDuplicates, BronzeTables.DicomDuplicatesSchema),
            (BronzeTables.Reports, ReportIngestJob.ReportsSchema),
            (BronzeTables.ReportErrors, ReportIngestJob.ReportErrorsSchema),
        })
        {
            if (lake.Exists(table)) continue;
            Built.Add(table + " (empty)");
            lake.OpenOrCreate(table, schema, new Lakehouse.Tables.Transaction.CommitLineage("notebook-fixture"));
        }
        foreach (var (table, versions) in Fixtures)
        {
            if (lake.Exists(table)) continue;
            Built.Add(table.ToString());
            foreach (string sql in versions)
            {
                var inputs = TimeTravelRewriter.ReferencedTables(sql, new HashSet<string>(LakeStore.Zones)).ToList();
                new SqlLakeJob(new SqlJob("notebook-fixture", inputs, table, sql, JobWriteMode.Overwrite))
                    .Run(new JobContext(lake, new Dictionary<string, string>(), TextWriter.Null));
            }
        }
        Lake = lake.Root;
    }

    public TempDirectory Dir { get; } = new("notebooks");
    public string Lake { get; }
    /// <summary>The tables built as fixtures (their jobs are not in the catalog yet).</summary>
    public List<string> Built { get; } = [];

    public void Dispose() => Dir.Dispose();

    private const string LabelColumns = """
        CAST(CASE WHEN r.text ILIKE '%no acute%' THEN 1 END AS INTEGER) AS no_finding,
        CAST(NULL AS INTEGER) AS enlarged_cardiomediastinum,
        CAST(CASE WHEN r.text ILIKE '%cardiomegaly%' THEN 1 END AS INTEGER) AS cardiomegaly,
        CAST(CASE WHEN r.text ILIKE '%opacit%' THEN 1 END AS INTEGER) AS lung_opacity,
        CAST(CASE WHEN r.text ILIKE '%nodule%' THEN 1 END AS INTEGER) AS lung_lesion,
        CAST(CASE WHEN r.text ILIKE '%edema%' THEN {EDEMA} END AS INTEGER) AS edema,
        CAST(CASE WHEN r.text ILIKE '%consolidation%' THEN 1 END AS INTEGER) AS consolidation,
        CAST(CASE WHEN r.text ILIKE '%pneumonia%' THEN -1 END AS INTEGER) AS pneumonia,
        CAST(CASE WHEN r.text ILIKE '%atelectasis%' THEN 1 END AS INTEGER) AS atelectasis,
        CAST(CASE WHEN r.text ILIKE '%no pneumothorax%' THEN 0 WHEN r.text ILIKE '%pneumothorax%' THEN 1 END AS INTEGER) AS pneumothorax,
        CAST(CASE WHEN r.text ILIKE '%no%effusion%' THEN 0 WHEN r.text ILIKE '%effusion%' THEN 1 END AS INTEGER) AS pleural_effusion,
        CAST(NULL AS INTEGER) AS pleural_other,
        CAST(CASE WHEN r.text ILIKE '%fracture%' THEN 1 END AS INTEGER) AS fracture,
        CAST(CASE WHEN r.text ILIKE '%tube%' OR r.text ILIKE '%line%' THEN 1 END AS INTEGER) AS support_devices,
        """;

    private static string StudyLabels(string version, string edema, string where) => $"""
        SELECT s.study_instance_uid, s.person_id, s.patient_id, s.accession_number,
        {LabelColumns.Replace("{EDEMA}", edema, StringComparison.Ordinal)}
        '[]' AS evidence, 'accession' AS method, 'RP-' || substr(md5(r.report_id), 1, 12) AS report_ids, '{version}' AS labeler_version
        FROM (SELECT study_instance_uid, min(person_id) AS person_id, min(patient_id) AS patient_id, min(accession_number) AS accession_number
              FROM silver.instances GROUP BY study_instance_uid) s
        JOIN bronze.reports r ON 'AC-' || substr(md5(coalesce(r.accession_number, '')), 1, 12) = s.accession_number
        WHERE {where}
        """;

    private const string Splits = """
        SELECT patient_id, min(person_id) AS person_id,
               CASE WHEN CAST(hash(min(person_id)) % 10 AS INTEGER) < 8 THEN 'train'
                    WHEN CAST(hash(min(person_id)) % 10 AS INTEGER) = 8 THEN 'validation' ELSE 'test' END AS split,
               'fixture-v1' AS split_version, TIMESTAMPTZ '2026-01-01 00:00:00+00' AS assigned_at
        FROM silver.instances GROUP BY patient_id
        """;

    /// <summary>Contract tables and the SQL of each version to commit (version 1, 2, ...).</summary>
    private static readonly (LakeTableName Table, string[] Versions)[] Fixtures =
    [
        (new LakeTableName("silver", "instances"), ["""
            SELECT 'PS-' || substr(md5('person:' || coalesce(issuer_of_patient_id, '') || '/' || patient_id), 1, 16) AS person_id,
                   'PT-' || substr(md5(coalesce(issuer_of_patient_id, '') || '/' || patient_id), 1, 16) AS patient_id,
                   '2.25.' || CAST(hash(study_instance_uid) AS VARCHAR) AS study_instance_uid,
                   '2.25.' || CAST(hash(series_instance_uid) AS VARCHAR) AS series_instance_uid,
                   '2.25.' || CAST(hash(sop_instance_uid) AS VARCHAR) AS sop_instance_uid,
                   sop_class_uid,
                   'AC-' || substr(md5(coalesce(accession_number, '')), 1, 12) AS accession_number,
                   study_date, series_date, acquisition_date, study_time, acquisition_time,
                   modality, manufacturer, manufacturer_model_name, body_part_examined, patient_sex, transfer_syntax_uid, specific_character_set,
                   study_description, series_description, patient_age, slice_thickness, pixel_spacing, "rows", "columns", number_of_frames,
                   '{}' AS tags_json,
                   'SITE-' || substr(md5(coalesce(institution_name, '')), 1, 4) AS site,
                   CASE WHEN upper(body_part_examined) IN ('CHEST', 'THORAX', 'TORAX', 'LUNG') THEN 'CHEST' ELSE upper(body_part_examined) END AS body_part,
                   CAST(NULL AS VARCHAR) AS body_part_code, CAST(NULL AS VARCHAR) AS body_part_name,
                   upper(split_part(manufacturer, ' ', 1)) AS vendor, manufacturer_model_name AS model,
                   study_description AS study_type, 'unknown' AS contrast, CAST(NULL AS VARCHAR) AS "view",
                   age_years,
                   CASE WHEN age_years IS NULL THEN NULL WHEN age_years < 18 THEN '0-17' WHEN age_years < 40 THEN '18-39'
                        WHEN age_years < 65 THEN '40-64' WHEN age_years < 90 THEN '65-89' ELSE '90+' END AS age_band,
                   CASE upper(patient_sex) WHEN 'M' THEN 'M' WHEN 'F' THEN 'F' WHEN 'O' THEN 'O' END AS sex,
                   CAST(study_date AS TIMESTAMPTZ) AS acquisition_at,
                   concat_ws(',', CASE WHEN body_part_examined IS NULL THEN 'body_part' END, CASE WHEN manufacturer IS NULL THEN 'vendor' END) AS unmapped,
                   'fixture' AS deid_key_fingerprint, 'fixture' AS deid_options
            FROM (SELECT *, TRY_CAST(regexp_extract(patient_age, '^([0-9]+)Y', 1) AS DOUBLE) AS age_years FROM bronze.dicom_instances)
            """]),
        (new LakeTableName("gold", "study_labels"), [
            StudyLabels("fixture-1", "1", "hash(s.study_instance_uid) % 5 <> 0"),
            StudyLabels("fixture-2", "CASE WHEN hash(s.study_instance_uid) % 3 = 0 THEN -1 ELSE 1 END", "true")]),
        (new LakeTableName("gold", "splits"), [Splits, Splits]),
        (new LakeTableName("gold", "label_alignment_issues"), ["""
            SELECT 'study_without_report' AS kind, CAST(NULL AS VARCHAR) AS report_id, study_instance_uid, 'fixture' AS detail
            FROM silver.instances GROUP BY study_instance_uid ORDER BY study_instance_uid LIMIT 3
            """]),
        (new LakeTableName("gold", "releases"), ["""
            SELECT * FROM (VALUES
              ('r1', 'gold.study_labels', CAST(1 AS BIGINT), 'fixture-v1', TIMESTAMPTZ '2026-01-01 00:00:00+00', 'fixture'),
              ('r1', 'gold.splits',       CAST(1 AS BIGINT), 'fixture-v1', TIMESTAMPTZ '2026-01-01 00:00:00+00', 'fixture'),
              ('r2', 'gold.study_labels', CAST(2 AS BIGINT), 'fixture-v1', TIMESTAMPTZ '2026-02-01 00:00:00+00', 'fixture'),
              ('r2', 'gold.splits',       CAST(2 AS BIGINT), 'fixture-v1', TIMESTAMPTZ '2026-02-01 00:00:00+00', 'fixture'))
              AS t(release, table_name, version, split_version, created_at, code_version)
            """]),
    ];
}
