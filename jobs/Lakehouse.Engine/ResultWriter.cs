using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Lakehouse.Engine;

/// <summary>Text formats of a query result.</summary>
public enum ResultFormat
{
    /// <summary>An aligned text table for people.</summary>
    Table,
    /// <summary>RFC 4180 CSV with a header row.</summary>
    Csv,
    /// <summary>A JSON array of objects, one per row.</summary>
    Json,
}

/// <summary>Writes a result set as text: table, CSV or JSON.</summary>
public static class ResultWriter
{
    /// <summary>Writes every row of <paramref name="reader"/>; returns the row count. A table caps its rows at <paramref name="maxTableRows"/>.</summary>
    public static long Write(DbDataReader reader, ResultFormat format, TextWriter output, int maxTableRows = 1000) => format switch
    {
        ResultFormat.Csv => WriteCsv(reader, output),
        ResultFormat.Json => WriteJson(reader, output),
        _ => WriteTable(reader, output, maxTableRows),
    };

    private static long WriteCsv(DbDataReader reader, TextWriter output)
    {
        output.WriteLine(string.Join(",", Enumerable.Range(0, reader.FieldCount).Select(i => CsvField(reader.GetName(i)))));
        long rows = 0;
        var fields = new string[reader.FieldCount];
        while (reader.Read())
        {
            for (int i = 0; i < fields.Length; i++) fields[i] = reader.IsDBNull(i) ? "" : CsvField(Text(reader.GetValue(i)));
            output.WriteLine(string.Join(",", fields));
            rows++;
        }
        return rows;
    }

    private static string CsvField(string s) =>
        s.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    private static long WriteJson(DbDataReader reader, TextWriter output)
    {
        using var buffer = new MemoryStream();
        long rows = 0;
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartArray();
            while (reader.Read())
            {
                json.WriteStartObject();
                for (int i = 0; i < reader.FieldCount; i++)
                {
                    json.WritePropertyName(reader.GetName(i));
                    if (reader.IsDBNull(i)) { json.WriteNullValue(); continue; }
                    switch (reader.GetValue(i))
                    {
                        case bool b: json.WriteBooleanValue(b); break;
                        case sbyte or byte or short or ushort or int or uint or long: json.WriteNumberValue(Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture)); break;
                        case ulong u: json.WriteNumberValue(u); break;
                        case double d when double.IsFinite(d): json.WriteNumberValue(d); break;
                        case float f when float.IsFinite(f): json.WriteNumberValue(f); break;
                        case decimal m: json.WriteNumberValue(m); break;
                        case var v: json.WriteStringValue(Text(v)); break;
                    }
                }
                json.WriteEndObject();
                rows++;
                if (buffer.Length > 1 << 20) { json.Flush(); Drain(buffer, output); }
            }
            json.WriteEndArray();
        }
        Drain(buffer, output);
        output.WriteLine();
        return rows;
    }

    private static void Drain(MemoryStream buffer, TextWriter output)
    {
        output.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        buffer.SetLength(0);
    }

    private static long WriteTable(DbDataReader reader, TextWriter output, int maxRows)
    {
        int n = reader.FieldCount;
        var header = Enumerable.Range(0, n).Select(reader.GetName).ToArray();
        var rows = new List<string[]>();
        long total = 0;
        while (reader.Read())
        {
            total++;
            if (rows.Count >= maxRows) continue;
            var row = new string[n];
            for (int i = 0; i < n; i++) row[i] = reader.IsDBNull(i) ? "NULL" : Text(reader.GetValue(i)).ReplaceLineEndings(" ");
            rows.Add(row);
        }
        var widths = Enumerable.Range(0, n).Select(i => Math.Max(header[i].Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        bool[] numeric = Enumerable.Range(0, n).Select(i => IsNumeric(reader.GetFieldType(i))).ToArray();
        string Line(string[] cells, bool isHeader) => string.Join(" | ", cells.Select((c, i) =>
            !isHeader && numeric[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();
        output.WriteLine(Line(header, true));
        output.WriteLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var row in rows) output.WriteLine(Line(row, false));
        output.WriteLine(total > rows.Count
            ? $"({total} rows, first {rows.Count} shown)"
            : $"({total} row{(total == 1 ? "" : "s")})");
        return total;
    }

    private static bool IsNumeric(Type t) => t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(sbyte)
        || t == typeof(byte) || t == typeof(ushort) || t == typeof(uint) || t == typeof(ulong) || t == typeof(double) || t == typeof(float)
        || t == typeof(decimal) || t == typeof(System.Numerics.BigInteger);

    /// <summary>A value as invariant text: ISO 8601 dates and times, round-trip doubles, hex bytes.</summary>
    public static string Text(object value) => value switch
    {
        string s => s,
        DateTime dt => dt.ToString(dt.TimeOfDay == TimeSpan.Zero && dt.Kind == DateTimeKind.Unspecified ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        byte[] bytes => Convert.ToHexString(bytes),
        Stream stream => StreamHex(stream),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().Select(k => Text(k) + ": " + (map[k] is { } v ? Text(v) : "NULL"))) + "}",
        System.Collections.IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(v => v is null ? "NULL" : Text(v))) + "]",
        _ => value.ToString() ?? "",
    };

    private static string StreamHex(Stream stream)
    {
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        return Convert.ToHexString(ms.ToArray());
    }
}
