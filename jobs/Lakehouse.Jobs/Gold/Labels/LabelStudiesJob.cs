using System.Globalization;
using Lakehouse.Engine;
using Lakehouse.Jobs.SqlJobs;

namespace Lakehouse.Jobs.Gold.Labels;

/// <summary>
/// <c>label-studies</c>: CheXpert labels of the de-identified silver reports, aligned to studies. Each report is labeled
/// once (<c>chexpert_labels_json</c>); alignment and rules are SQL (<see cref="LabelStudiesSql"/>); three overwrite
/// commits with lineage: <c>gold.study_labels</c>, <c>gold.label_alignment_issues</c>, <c>gold.label_quality</c>.
/// </summary>
/// <remarks>
/// Rules:
/// <list type="number">
/// <item>A report with an accession number matches the study (silver.instances) with that accession number, and only that
/// way: an accession number found nowhere makes it <c>report_without_study</c> (an outside exam), never a date match.</item>
/// <item>A report without an accession number matches the study of the same <c>person_id</c> whose study_date is within
/// <c>match_window_days</c> (default 0: same day) of its report_date; two or more such studies make it
/// <c>ambiguous_match</c> and it labels nothing. An accession number shared by several studies is ambiguous too.</item>
/// <item>Per study, the latest final report (status final, corrected or amended; latest report_date, then highest
/// report_id) decides. Addenda dated on or after it override the observations they mention (the latest addendum wins);
/// they never set No Finding, which is withdrawn when the merged labels have a positive or uncertain pathology.</item>
/// <item>Only studies with a modality in <c>label_modalities</c> (CR,DX,CT) and a silver body_part in <c>label_body_parts</c>
/// (CHEST) get a row. Every study without a final report is listed as <c>study_without_report</c>.</item>
/// </list>
/// Quality: prevalence and uncertain_share are shares of the labeled studies with 1 and -1; disagreement is the share of
/// labeled studies with two or more final reports or addenda whose mentioned values for the observation differ (NULL
/// when no study has two). Evidence holds offsets into silver.reports.text (de-identified), never bronze text.
/// </remarks>
public sealed class LabelStudiesJob : ILakeJob
{
    /// <summary>The job name (lineage, pipeline files, CLI).</summary>
    public const string JobName = "label-studies";

    /// <summary>silver.instances (input).</summary>
    public static readonly LakeTableName Instances = new("silver", "instances");
    /// <summary>silver.reports (input).</summary>
    public static readonly LakeTableName Reports = new("silver", "reports");
    /// <summary>gold.study_labels (output).</summary>
    public static readonly LakeTableName StudyLabels = new("gold", "study_labels");
    /// <summary>gold.label_alignment_issues (output).</summary>
    public static readonly LakeTableName AlignmentIssues = new("gold", "label_alignment_issues");
    /// <summary>gold.label_quality (output).</summary>
    public static readonly LakeTableName Quality = new("gold", "label_quality");

    /// <inheritdoc />
    public string Name => JobName;

    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Inputs { get; } = [Instances, Reports];

    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Outputs { get; } = [StudyLabels, AlignmentIssues, Quality];

    /// <inheritdoc />
    public JobResult Run(JobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = LabelStudiesOptions.From(context.Parameters);
        foreach (var input in Inputs)
            if (!context.Lake.Exists(input))
                throw new UserInputException($"{JobName}: input table {input} does not exist; run the job that writes it first");

        using var engine = new LakeEngine(new DeltaLakeSource(context.Lake), DeltaLakeSource.EngineOptions());
        // Mount both inputs first: every statement below then reads the same versions.
        foreach (var input in Inputs) engine.Mount(input);
        foreach (var statement in LabelStudiesSql.LabelReports()) engine.ExecuteNonQuery(statement);

        var runner = new SqlJobRunner(context.Lake, engine);
        var parameters = options.ToParameters();
        var committed = new Dictionary<string, long>(StringComparer.Ordinal);
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (output, sql) in new[]
                 {
                     (StudyLabels, LabelStudiesSql.StudyLabels(options)),
                     (AlignmentIssues, LabelStudiesSql.Issues(options)),
                     (Quality, LabelStudiesSql.Quality(options)),
                 })
        {
            var commit = runner.Run(new SqlJob(JobName, Inputs, output, sql, JobWriteMode.Overwrite), parameters);
            committed[output.ToString()] = commit.Version;
            rows[output.ToString()] = commit.RowCount;
            context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{JobName}: {output} version {commit.Version}, {commit.RowCount} rows"));
        }
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"{JobName}: {rows[StudyLabels.ToString()]} labeled studies, {rows[AlignmentIssues.ToString()]} alignment issues (window {options.MatchWindowDays} d)");
        return new JobResult(committed, summary);
    }
}
