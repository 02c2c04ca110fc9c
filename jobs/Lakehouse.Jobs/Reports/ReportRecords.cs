using System.Text.Json;
using Lakehouse.Jobs.Labels;

namespace Lakehouse.Jobs.Reports;

/// <summary>One record of a report file: its 1-based line and its fields (lower-case names), or why it could not be read.</summary>
/// <param name="Line">The line the record starts on.</param>
/// <param name="Fields">Field name → value (null for JSON null), when the record was read.</param>
/// <param name="Error">A PHI-free reason (names the line and the problem, never a value), when it was not.</param>
public sealed record ReportRecord(long Line, IReadOnlyDictionary<string, string?>? Fields, string? Error);

/// <summary>
/// Reads report files record by record: CSV with a header row, or JSON Lines. A malformed record becomes a
/// <see cref="ReportRecord"/> with an <see cref="ReportRecord.Error"/> and reading goes on, so one bad line never hides the
/// good ones; callers that want to stop at the first error do so. Messages never quote report text (it holds PHI).
/// </summary>
public static class ReportRecords
{
    /// <summary>The file extensions read: .csv, .jsonl and .ndjson.</summary>
    public static bool IsReportFile(string path) => Path.GetExtension(path).ToLowerInvariant() is ".csv" or ".jsonl" or ".ndjson";

    /// <summary>Reads every record of <paramref name="path"/>; <paramref name="label"/> names the file in errors.</summary>
    /// <exception cref="UserInputException">The file type is not supported or the file does not exist.</exception>
    public static IEnumerable<ReportRecord> Read(string path, string label)
    {
        if (!IsReportFile(path))
            throw new UserInputException($"{label}: unsupported report file type '{Path.GetExtension(path)}' (expected .csv, .jsonl or .ndjson)");
        if (!File.Exists(path)) throw new UserInputException($"{label}: file not found");
        return Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(path, label) : ReadJsonLines(path);
    }

    private static IEnumerable<ReportRecord> ReadCsv(string path, string label)
    {
        using var reader = new StreamReader(path);
        string[]? names = null;
        foreach (var record in CsvRecordReader.Read(reader, label))
        {
            if (names is null)
            {
                names = record.Fields.Select(f => f.Trim().TrimStart('\uFEFF').ToLowerInvariant()).ToArray();
                continue;
            }
            if (record.Fields.Length != names.Length)
            {
                yield return new ReportRecord(record.Line, null, $"{record.Fields.Length} fields where the header has {names.Length}");
                continue;
            }
            var fields = new Dictionary<string, string?>(names.Length, StringComparer.Ordinal);
            for (int i = 0; i < names.Length; i++) fields[names[i]] = record.Fields[i];
            yield return new ReportRecord(record.Line, fields, null);
        }
    }

    private static IEnumerable<ReportRecord> ReadJsonLines(string path)
    {
        using var reader = new StreamReader(path);
        long line = 0;
        string? raw;
        while ((raw = reader.ReadLine()) is not null)
        {
            line++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            yield return ParseJsonLine(raw, line);
        }
    }

    private static ReportRecord ParseJsonLine(string raw, long line)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(raw);
        }
        catch (JsonException ex)
        {
            // The parser's message can quote the offending text; keep only the position.
            return new ReportRecord(line, null, $"malformed JSON at byte {ex.BytePositionInLine ?? 0}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return new ReportRecord(line, null, "expected a JSON object");
            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                fields[p.Name.ToLowerInvariant()] = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString(),
                    JsonValueKind.Null or JsonValueKind.Undefined => null,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => p.Value.GetRawText(),
                    _ => null,
                };
                if (p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    return new ReportRecord(line, null, $"property '{p.Name}' must be a string, number or null");
            }
            return new ReportRecord(line, fields, null);
        }
    }
}
