
namespace Lakehouse.Jobs.Labels;

/// <summary>One report to label: its id, its text and the line of the source file it starts on.</summary>
/// <param name="ReportId">The caller's report id.</param>
/// <param name="Text">The report text.</param>
/// <param name="Line">1-based line of the source file where the report starts.</param>
public readonly record struct SourceReport(string ReportId, string Text, long Line);

/// <summary>
/// Reads reports (<c>report_id</c>, <c>text</c>) from a CSV file with a header row, or from JSON Lines (one object per
/// line); other columns or properties are ignored. Errors name the file by the caller's label and the line, and the
/// reason; they never quote report text (it holds PHI).
/// </summary>
public static class ReportSource
{
    /// <summary>The id column or property.</summary>
    public const string IdColumn = "report_id";
    /// <summary>The text column or property.</summary>
    public const string TextColumn = "text";

    /// <summary>Reads the file, choosing the format by extension: .csv, or .jsonl / .ndjson.</summary>
    /// <exception cref="UserInputException">Unknown extension, missing column, malformed line: the first problem stops the read.</exception>
    public static IEnumerable<SourceReport> Read(string path, string label)
    {
        ArgumentNullException.ThrowIfNull(path);
        var records = Reports.ReportRecords.Read(path, label);
        return Strict(records, label, Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase));
    }

    // Labeling a file is all or nothing: the tolerant record reader's first error becomes the user error.
    private static IEnumerable<SourceReport> Strict(IEnumerable<Reports.ReportRecord> records, string label, bool csv)
    {
        foreach (var record in records)
        {
            if (record.Error is { } why) throw new UserInputException($"{label} line {record.Line}: {why}");
            var fields = record.Fields!;
            foreach (string column in new[] { IdColumn, TextColumn })
            {
                if (fields.TryGetValue(column, out var present) && (column == IdColumn || present is not null)) continue;
                throw new UserInputException(csv
                    ? $"{label} line 1: missing column '{column}' in the header"
                    : $"{label} line {record.Line}: missing property '{column}'");
            }
            string id = fields[IdColumn]?.Trim() ?? "";
            if (id.Length == 0)
                throw new UserInputException($"{label} line {record.Line}: empty '{IdColumn}'");
            yield return new SourceReport(id, fields[TextColumn]!, record.Line);
        }
    }
}
