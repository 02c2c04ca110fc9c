using System.Text;

namespace Lakehouse.Jobs.Labels;

/// <summary>
/// A small RFC 4180 CSV reader (quoted fields, doubled quotes, line breaks inside quotes, CRLF or LF) that reports the
/// line each record starts on. Errors name the caller's label and the line, never a field value.
/// </summary>
public static class CsvRecordReader
{
    /// <summary>One record: the 1-based line it starts on and its fields.</summary>
    public readonly record struct Record(long Line, string[] Fields);

    /// <summary>Reads every record, the header included; blank lines are skipped.</summary>
    /// <exception cref="UserInputException">A quote inside an unquoted field, text after a closing quote, or an unterminated quote.</exception>
    public static IEnumerable<Record> Read(TextReader reader, string label)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var fields = new List<string>();
        var field = new StringBuilder();
        long line = 1, recordLine = 1;
        bool inQuotes = false, quoted = false, afterQuote = false, any = false;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            char ch = (char)c;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"') { reader.Read(); field.Append('"'); }
                    else { inQuotes = false; afterQuote = true; }
                }
                else
                {
                    if (ch == '\n') line++;
                    field.Append(ch);
                }
                continue;
            }
            switch (ch)
            {
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    quoted = afterQuote = false;
                    any = true;
                    break;
                case '\r':
                    break; // CRLF: the LF ends the record; a lone CR is dropped
                case '\n':
                    if (any || field.Length > 0 || quoted)
                    {
                        fields.Add(field.ToString());
                        yield return new Record(recordLine, fields.ToArray());
                    }
                    fields.Clear();
                    field.Clear();
                    quoted = afterQuote = any = false;
                    line++;
                    recordLine = line;
                    break;
                case '"':
                    if (field.Length > 0 || quoted)
                        throw new UserInputException($"{label} line {line}: a quote inside an unquoted field (fields holding quotes must be quoted, with quotes doubled)");
                    inQuotes = quoted = true;
                    break;
                default:
                    if (afterQuote)
                        throw new UserInputException($"{label} line {line}: text after the closing quote of a field");
                    field.Append(ch);
                    break;
            }
        }
        if (inQuotes) throw new UserInputException($"{label} line {recordLine}: the record starting here has an unterminated quoted field");
        if (any || field.Length > 0 || quoted)
        {
            fields.Add(field.ToString());
            yield return new Record(recordLine, fields.ToArray());
        }
    }

    /// <summary>Quotes a value for CSV output when it holds a comma, quote or line break.</summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
