using System.Text;
using System.Text.Json;
using Lakehouse.Udfs.Labeling;

namespace Lakehouse.Jobs.Labels;

/// <summary>What <see cref="LabelReportsJob.Run"/> did.</summary>
/// <param name="Reports">Reports labeled.</param>
/// <param name="Positives">Positive labels per observation, in column order.</param>
public sealed record LabelReportsSummary(int Reports, IReadOnlyList<int> Positives);

/// <summary>
/// <c>lakehouse label-reports</c> without a lake: labels a CSV or JSONL file of reports and writes one CSV row per report
/// (<c>report_id</c> and the 14 observations as 1, 0, -1 or empty), and optionally the evidence as JSON Lines.
/// </summary>
public static class LabelReportsJob
{
    /// <summary>The output CSV header: report_id, then the 14 snake_case observation columns.</summary>
    public static string Header { get; } =
        ReportSource.IdColumn + "," + string.Join(",", ChexpertObservations.All.Select(o => o.ColumnName()));

    /// <summary>Labels <paramref name="sourcePath"/> into <paramref name="outCsvPath"/> (and <paramref name="evidencePath"/>).</summary>
    /// <param name="sourcePath">The reports: .csv with a header, or .jsonl.</param>
    /// <param name="outCsvPath">The labels CSV to write (replaced).</param>
    /// <param name="evidencePath">Optional evidence JSON Lines file: one object per report.</param>
    /// <param name="sourceLabel">How errors name the source file (a label, not necessarily its path).</param>
    /// <param name="labeler">The labeler; the shipped one when null.</param>
    /// <exception cref="UserInputException">Bad input, named by label and line.</exception>
    public static LabelReportsSummary Run(string sourcePath, string outCsvPath, string? evidencePath, string sourceLabel, ReportLabeler? labeler = null)
    {
        ArgumentNullException.ThrowIfNull(outCsvPath);
        labeler ??= ReportLabeler.Default;
        var positives = new int[ChexpertObservations.Count];
        int count = 0;
        // Write to temporary files and move them in at the end, so that a bad line leaves no half-written output.
        var csvTemp = outCsvPath + ".tmp";
        var evidenceTemp = evidencePath is null ? null : evidencePath + ".tmp";
        try
        {
            using (var csv = new StreamWriter(csvTemp, false, new UTF8Encoding(false)))
            using (var evidenceStream = evidenceTemp is null ? null : File.Create(evidenceTemp))
            using (var evidence = evidenceStream is null ? null : new Utf8JsonWriter(evidenceStream))
            {
                csv.NewLine = "\n";
                csv.WriteLine(Header);
                var row = new StringBuilder();
                var ids = new HashSet<string>(StringComparer.Ordinal);
                foreach (var report in ReportSource.Read(sourcePath, sourceLabel))
                {
                    if (!ids.Add(report.ReportId))
                        throw new UserInputException($"{sourceLabel} line {report.Line}: duplicate '{ReportSource.IdColumn}'");
                    var labels = labeler.Label(report.Text);
                    row.Clear().Append(CsvRecordReader.Escape(report.ReportId));
                    foreach (var o in ChexpertObservations.All)
                    {
                        row.Append(',');
                        if (labels.Value(o) is { } v)
                        {
                            row.Append(v);
                            if (v == 1) positives[(int)o]++;
                        }
                    }
                    csv.WriteLine(row);
                    if (evidence is not null) WriteEvidence(evidence, evidenceStream!, report.ReportId, labels);
                    count++;
                }
            }
            File.Move(csvTemp, outCsvPath, overwrite: true);
            if (evidenceTemp is not null) File.Move(evidenceTemp, evidencePath!, overwrite: true);
        }
        finally
        {
            if (File.Exists(csvTemp)) File.Delete(csvTemp);
            if (evidenceTemp is not null && File.Exists(evidenceTemp)) File.Delete(evidenceTemp);
        }
        return new LabelReportsSummary(count, positives);
    }

    private static void WriteEvidence(Utf8JsonWriter json, Stream stream, string reportId, ReportLabels labels)
    {
        json.WriteStartObject();
        json.WriteString("report_id", reportId);
        json.WriteStartArray("labels");
        foreach (var e in labels.Evidence) LabelingUdfs.WriteEvidence(json, e, includeSentence: true);
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
        json.Reset(stream);
    }
}
