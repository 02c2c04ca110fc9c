using System.Globalization;
using System.Text;
using Lakehouse.Engine;
using Lakehouse.Udfs.Labeling;

namespace Lakehouse.Jobs.Gold.Labels;

/// <summary>
/// The SQL of <c>label-studies</c>. Reports are labeled once into the session table <see cref="MentionsTable"/>
/// (one row per report and mentioned observation); the alignment and the label rules are shared CTEs
/// (<see cref="Common"/>) that each output statement starts with, so all three outputs read the same
/// silver versions and state the same rules.
/// </summary>
internal static class LabelStudiesSql
{
    /// <summary>Session table: report_id, observation, ordinal, value, evidence (non-null values only).</summary>
    public const string MentionsTable = "label_studies_report_mentions";

    private const string JsonTable = "label_studies_report_json";

    // Status words of a report that stands on its own; an addendum only amends one.
    private const string FinalStatuses = "'final', 'corrected', 'amended'";

    private static string ObservationValues() =>
        "(VALUES " + string.Join(", ", ChexpertObservations.All.Select(o =>
            $"('{o.ColumnName()}', {((int)o).ToString(CultureInfo.InvariantCulture)})")) + ")";

    /// <summary>Statements that label every silver report once (run before the output statements, in the same engine).</summary>
    public static IEnumerable<string> LabelReports() =>
    [
        $"CREATE OR REPLACE TEMP TABLE {JsonTable} AS SELECT report_id, chexpert_labels_json(text) AS labels_json FROM silver.reports",
        $"""
        CREATE OR REPLACE TEMP TABLE {MentionsTable} AS
        SELECT report_id, observation, ordinal, value, evidence FROM (
            SELECT j.report_id, o.observation, o.ordinal,
                   chexpert_json_label(j.labels_json, o.observation) AS value,
                   chexpert_json_evidence(j.labels_json, o.observation, j.report_id) AS evidence
            FROM {JsonTable} j CROSS JOIN {ObservationValues()} AS o(observation, ordinal)
        ) AS m
        WHERE value IS NOT NULL
        """,
        $"DROP TABLE {JsonTable}",
    ];

    /// <summary>
    /// The shared CTEs (a WITH clause without the final SELECT):
    /// <c>reports</c>, <c>studies</c>, <c>candidates</c> / <c>candidate_counts</c> (alignment), <c>aligned</c> (reports matched
    /// to exactly one study), <c>base</c> (the deciding final report per study), <c>addenda</c> (addenda applied on top),
    /// <c>kept</c> (the deciding value and evidence per study and observation), <c>labeled</c> (studies that get a row).
    /// </summary>
    public static string Common(LabelStudiesOptions options)
    {
        string window = options.MatchWindowDays.ToString(CultureInfo.InvariantCulture);
        string modalities = string.Join(", ", options.Modalities.Select(Sql.String));
        string bodyParts = string.Join(", ", options.BodyParts.Select(Sql.String));
        return $"""
        WITH
        reports AS (
            SELECT report_id, person_id, nullif(trim(accession_number), '') AS accession_number, report_date,
                   lower(trim(status)) AS status
            FROM silver.reports
        ),
        study_keys AS (
            SELECT DISTINCT study_instance_uid, person_id, nullif(trim(accession_number), '') AS accession_number, study_date
            FROM silver.instances WHERE study_instance_uid IS NOT NULL
        ),
        studies AS (
            SELECT study_instance_uid, min(person_id) AS person_id, min(patient_id) AS patient_id,
                   min(nullif(trim(accession_number), '')) AS accession_number,
                   coalesce(min(upper(modality)), '?') || ' ' || coalesce(min(upper(body_part)), '?') AS kind,
                   bool_or(coalesce(upper(modality) IN ({modalities}) AND upper(body_part) IN ({bodyParts}), false)) AS labelable
            FROM silver.instances WHERE study_instance_uid IS NOT NULL
            GROUP BY study_instance_uid
        ),
        candidates AS (
            SELECT DISTINCT r.report_id, k.study_instance_uid, 'accession' AS method
            FROM reports r JOIN study_keys k ON k.accession_number = r.accession_number
            UNION
            SELECT DISTINCT r.report_id, k.study_instance_uid, 'patient_and_date' AS method
            FROM reports r JOIN study_keys k ON k.person_id = r.person_id
            WHERE r.accession_number IS NULL AND abs(datediff('day', k.study_date, r.report_date)) <= {window}
        ),
        candidate_counts AS (
            SELECT report_id, count(DISTINCT study_instance_uid) AS studies, min(method) AS method,
                   min(study_instance_uid) AS study_instance_uid
            FROM candidates GROUP BY report_id
        ),
        aligned AS (
            SELECT r.report_id, c.study_instance_uid, c.method, r.status, r.report_date
            FROM reports r JOIN candidate_counts c ON c.report_id = r.report_id
            WHERE c.studies = 1
        ),
        finals AS (
            SELECT a.*, row_number() OVER (PARTITION BY a.study_instance_uid ORDER BY a.report_date DESC NULLS LAST, a.report_id DESC) AS recency
            FROM aligned a WHERE a.status IN ({FinalStatuses})
        ),
        base AS (
            SELECT study_instance_uid, report_id, method, report_date FROM finals WHERE recency = 1
        ),
        addenda AS (
            SELECT a.study_instance_uid, a.report_id, a.report_date
            FROM aligned a JOIN base b ON b.study_instance_uid = a.study_instance_uid
            WHERE a.status = 'addendum' AND coalesce(a.report_date >= b.report_date, true)
        ),
        deciding AS (
            SELECT study_instance_uid, report_id, 0 AS is_addendum, report_date FROM base
            UNION ALL
            SELECT study_instance_uid, report_id, 1 AS is_addendum, report_date FROM addenda
        ),
        decided AS (
            SELECT study_instance_uid, observation, ordinal, value, evidence FROM (
                SELECT d.study_instance_uid, m.observation, m.ordinal, m.value, m.evidence,
                       row_number() OVER (PARTITION BY d.study_instance_uid, m.observation
                                          ORDER BY d.is_addendum DESC, d.report_date DESC NULLS LAST, d.report_id DESC) AS pick
                FROM deciding d JOIN {MentionsTable} m ON m.report_id = d.report_id
                WHERE NOT (d.is_addendum = 1 AND m.observation = 'no_finding')
            ) AS p
            WHERE pick = 1
        ),
        blocked AS (
            SELECT DISTINCT study_instance_uid FROM decided
            WHERE observation NOT IN ('no_finding', 'support_devices') AND value IN (1, -1)
        ),
        kept AS (
            SELECT d.* FROM decided d
            WHERE NOT (d.observation = 'no_finding' AND d.study_instance_uid IN (SELECT study_instance_uid FROM blocked))
        ),
        labeled AS (
            SELECT b.study_instance_uid, b.method, s.person_id, s.patient_id, s.accession_number
            FROM base b JOIN studies s ON s.study_instance_uid = b.study_instance_uid
            WHERE s.labelable
        )
        """;
    }

    /// <summary>gold.study_labels: one row per labelable study with a final report.</summary>
    public static string StudyLabels(LabelStudiesOptions options)
    {
        var sb = new StringBuilder(Common(options));
        sb.Append("""
            ,
            study_reports AS (
                SELECT study_instance_uid, string_agg(report_id, ',' ORDER BY report_date NULLS LAST, report_id) AS report_ids
                FROM aligned GROUP BY study_instance_uid
            )
            SELECT l.study_instance_uid, l.person_id, l.patient_id, l.accession_number
            """);
        foreach (var o in ChexpertObservations.All)
            sb.Append(CultureInfo.InvariantCulture, $",\n    CAST(max(CASE WHEN k.observation = '{o.ColumnName()}' THEN k.value END) AS INTEGER) AS {o.ColumnName()}");
        sb.Append("""
            ,
                '[' || coalesce(string_agg(k.evidence, ',' ORDER BY k.ordinal), '') || ']' AS evidence,
                l.method, r.report_ids, chexpert_labeler_version() AS labeler_version
            FROM labeled l
            JOIN study_reports r ON r.study_instance_uid = l.study_instance_uid
            LEFT JOIN kept k ON k.study_instance_uid = l.study_instance_uid
            GROUP BY l.study_instance_uid, l.person_id, l.patient_id, l.accession_number, l.method, r.report_ids
            ORDER BY l.study_instance_uid
            """);
        return sb.ToString();
    }

    /// <summary>gold.label_alignment_issues: reports without a study, ambiguous matches, studies without a final report.</summary>
    public static string Issues(LabelStudiesOptions options)
    {
        string window = options.MatchWindowDays.ToString(CultureInfo.InvariantCulture);
        return Common(options) + $"""
            SELECT kind, report_id, study_instance_uid, detail FROM (
                SELECT 'report_without_study' AS kind, r.report_id, CAST(NULL AS VARCHAR) AS study_instance_uid,
                       CASE WHEN r.accession_number IS NOT NULL THEN 'accession number matches no study in silver.instances'
                            WHEN r.person_id IS NULL THEN 'no accession number and no person'
                            ELSE 'no accession number and no study of the person within {window} day(s) of the report date' END AS detail
                FROM reports r LEFT JOIN candidate_counts c ON c.report_id = r.report_id
                WHERE c.report_id IS NULL
                UNION ALL
                SELECT 'ambiguous_match', r.report_id, CAST(NULL AS VARCHAR),
                       CASE WHEN c.method = 'accession' THEN CAST(c.studies AS VARCHAR) || ' studies share the accession number'
                            ELSE CAST(c.studies AS VARCHAR) || ' studies of the person within {window} day(s) of the report date' END
                FROM reports r JOIN candidate_counts c ON c.report_id = r.report_id
                WHERE c.studies > 1
                UNION ALL
                SELECT 'study_without_report', CAST(NULL AS VARCHAR), s.study_instance_uid,
                       CASE WHEN coalesce(n.reports, 0) = 0 THEN 'no report' ELSE 'no final report (' || CAST(n.reports AS VARCHAR) || ' other)' END
                       || '; ' || s.kind || CASE WHEN s.labelable THEN ' (labelable)' ELSE '' END
                FROM studies s
                LEFT JOIN base b ON b.study_instance_uid = s.study_instance_uid
                LEFT JOIN (SELECT study_instance_uid, count(*) AS reports FROM aligned GROUP BY study_instance_uid) n
                       ON n.study_instance_uid = s.study_instance_uid
                WHERE b.report_id IS NULL
            ) AS issues
            ORDER BY kind, coalesce(report_id, ''), coalesce(study_instance_uid, '')
            """;
    }

    /// <summary>gold.label_quality: per observation, over the labeled studies.</summary>
    public static string Quality(LabelStudiesOptions options) => Common(options) + $"""
        ,
        usable AS (
            SELECT a.study_instance_uid, a.report_id, a.status
            FROM aligned a JOIN labeled l ON l.study_instance_uid = a.study_instance_uid
            WHERE a.status IN ({FinalStatuses}, 'addendum')
        ),
        multi AS (
            SELECT study_instance_uid FROM usable GROUP BY study_instance_uid HAVING count(*) >= 2
        ),
        disagreeing AS (
            SELECT u.study_instance_uid, m.observation
            FROM usable u JOIN multi x ON x.study_instance_uid = u.study_instance_uid
            JOIN {MentionsTable} m ON m.report_id = u.report_id
            WHERE NOT (u.status = 'addendum' AND m.observation = 'no_finding')
            GROUP BY u.study_instance_uid, m.observation
            HAVING count(DISTINCT m.value) > 1
        ),
        counts AS (
            SELECT k.observation, count(*) FILTER (WHERE k.value = 1) AS positive, count(*) FILTER (WHERE k.value = -1) AS uncertain
            FROM kept k JOIN labeled l ON l.study_instance_uid = k.study_instance_uid
            GROUP BY k.observation
        ),
        disagreements AS (SELECT observation, count(*) AS studies FROM disagreeing GROUP BY observation),
        totals AS (SELECT (SELECT count(*) FROM labeled) AS studies, (SELECT count(*) FROM multi) AS multi_studies)
        SELECT o.observation,
               CASE WHEN t.studies = 0 THEN NULL ELSE CAST(coalesce(c.positive, 0) AS DOUBLE) / t.studies END AS prevalence,
               CASE WHEN t.studies = 0 THEN NULL ELSE CAST(coalesce(c.uncertain, 0) AS DOUBLE) / t.studies END AS uncertain_share,
               CAST(t.studies AS BIGINT) AS studies,
               CASE WHEN t.multi_studies = 0 THEN NULL ELSE CAST(coalesce(d.studies, 0) AS DOUBLE) / t.multi_studies END AS disagreement
        FROM {ObservationValues()} AS o(observation, ordinal)
        CROSS JOIN totals t
        LEFT JOIN counts c ON c.observation = o.observation
        LEFT JOIN disagreements d ON d.observation = o.observation
        ORDER BY o.ordinal
        """;

    /// <summary>The alignment of every report (report_id, study_instance_uid, method); for tests and inspection.</summary>
    public static string Alignment(LabelStudiesOptions options) =>
        Common(options) + "SELECT report_id, study_instance_uid, method FROM aligned ORDER BY report_id";
}
