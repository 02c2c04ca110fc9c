using System.Text.Json;

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
    /// <exception cref="UserInputException">Unknown extension, missing column, malformed line.</exception>
    public static IEnumerable<SourceReport> Read(string path, string label)
    {
        ArgumentNullException.ThrowIfNull(path);
        var ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".csv" or ".jsonl" or ".ndjson"))
            throw new UserInputException($"{label}: unsupported report file type '{ext}' (expected .csv, .jsonl or .ndjson)");
        if (!File.Exists(path)) throw new UserInputException($"{label}: file not found");
        return ext == ".csv" ? ReadCsv(path, label) : ReadJsonLines(path, label);
    }

    private static IEnumerable<SourceReport> ReadCsv(string path, string label)
    {
        using var reader = new StreamReader(path);
        int idColumn = -1, textColumn = -1, width = 0;
        bool header = true;
        foreach (var record in CsvRecordReader.Read(reader, label))
        {
            if (header)
            {
                header = false;
                var names = record.Fields.Select(f => f.Trim().TrimStart('\uFEFF')).ToArray();
                idColumn = Array.IndexOf(names, IdColumn);
                textColumn = Array.IndexOf(names, TextColumn);
                if (idColumn < 0) throw new UserInputException($"{label} line {record.Line}: missing column '{IdColumn}' in the header");
                if (textColumn < 0) throw new UserInputException($"{label} line {record.Line}: missing column '{TextColumn}' in the header");
                width = names.Length;
                continue;
            }
            if (record.Fields.Length != width)
                throw new UserInputException($"{label} line {record.Line}: {record.Fields.Length} fields where the header has {width}");
            var id = record.Fields[idColumn].Trim();
            if (id.Length == 0) throw new UserInputException($"{label} line {record.Line}: empty '{IdColumn}'");
            yield return new SourceReport(id, record.Fields[textColumn], record.Line);
        }
        if (header) throw new UserInputException($"{label}: empty file (expected a header with '{IdColumn}' and '{TextColumn}')");
    }

    private static IEnumerable<SourceReport> ReadJsonLines(string path, string label)
    {
        using var reader = new StreamReader(path);
        long line = 0;
        string? raw;
        while ((raw = reader.ReadLine()) is not null)
        {
            line++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            yield return ParseJsonLine(raw, line, label);
        }
    }

    private static SourceReport ParseJsonLine(string raw, long line, string label)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(raw);
        }
        catch (JsonException ex)
        {
            // The parser's message can quote the offending character; keep only the position.
            throw new UserInputException($"{label} line {line}: malformed JSON at byte {ex.BytePositionInLine ?? 0}");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new UserInputException($"{label} line {line}: expected a JSON object");
            if (!root.TryGetProperty(IdColumn, out var id)) throw new UserInputException($"{label} line {line}: missing property '{IdColumn}'");
            if (!root.TryGetProperty(TextColumn, out var text)) throw new UserInputException($"{label} line {line}: missing property '{TextColumn}'");
            var idText = id.ValueKind switch
            {
                JsonValueKind.String => id.GetString()!,
                JsonValueKind.Number => id.GetRawText(),
                _ => throw new UserInputException($"{label} line {line}: '{IdColumn}' must be a string or a number"),
            };
            if (idText.Trim().Length == 0) throw new UserInputException($"{label} line {line}: empty '{IdColumn}'");
            if (text.ValueKind != JsonValueKind.String) throw new UserInputException($"{label} line {line}: '{TextColumn}' must be a string");
            return new SourceReport(idText.Trim(), text.GetString()!, line);
        }
    }
}
