using System.Globalization;
using System.Text;
using Lakehouse.Tables.Schema;

namespace Lakehouse.Tables.Scan;

/// <summary>
/// Partition value serialization (protocol §Partition Value Serialization) and the Hive-style directory names and
/// URI-encoded log paths of partitioned files.
/// </summary>
internal static class PartitionValues
{
    public const string HiveNull = "__HIVE_DEFAULT_PARTITION__";

    /// <summary>The typed value → its string form in <c>partitionValues</c> (null stays null).</summary>
    public static string? Serialize(object? value, DeltaType type) => value switch
    {
        null or "" => null, // the protocol reads an empty partition value as null, so we never write one
        string s => s,
        bool b => b ? "true" : "false",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t when type == DeltaType.TimestampNtz => t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        DateTime t => ToUtc(t).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        DateTimeOffset o => o.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        decimal m when type is DecimalType dt => m.ToString("F" + dt.Scale, CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>The string form → a typed value of <paramref name="type"/> (timestamps without zone are read as UTC).</summary>
    public static object? Parse(string? s, DeltaType type)
    {
        if (string.IsNullOrEmpty(s)) return null; // protocol: an empty string is a null partition value for any type
        if (type == DeltaType.String) return s;
        var inv = CultureInfo.InvariantCulture;
        return type switch
        {
            PrimitiveType { Name: "long" } => long.Parse(s, inv),
            PrimitiveType { Name: "integer" } => int.Parse(s, inv),
            PrimitiveType { Name: "short" } => short.Parse(s, inv),
            PrimitiveType { Name: "byte" } => sbyte.Parse(s, inv),
            PrimitiveType { Name: "float" } => float.Parse(s, inv),
            PrimitiveType { Name: "double" } => double.Parse(s, inv),
            PrimitiveType { Name: "boolean" } => bool.Parse(s),
            PrimitiveType { Name: "binary" } => Encoding.UTF8.GetBytes(s),
            PrimitiveType { Name: "date" } => DateOnly.ParseExact(s, "yyyy-MM-dd", inv),
            PrimitiveType { Name: "timestamp" } => DateTime.SpecifyKind(
                DateTime.Parse(s, inv, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), DateTimeKind.Utc),
            PrimitiveType { Name: "timestamp_ntz" } => DateTime.SpecifyKind(DateTime.Parse(s, inv, DateTimeStyles.None), DateTimeKind.Unspecified),
            DecimalType => decimal.Parse(s, NumberStyles.Float, inv),
            _ => s,
        };
    }

    private static DateTime ToUtc(DateTime t) => t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc);

    /// <summary>Hive directory escaping of a partition value (the set of characters Spark escapes), as %XX.</summary>
    public static string EscapeDirectoryValue(string? value)
    {
        if (value is null) return HiveNull;
        if (value.Length == 0) return HiveNull;
        var sb = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            if (c < 0x20 || c == 0x7F || "\"#%'*/:=?\\{[]^".Contains(c)) sb.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>
    /// A relative file path as the log stores it: a URI path, so every byte outside the unreserved set and '/' is %XX-encoded
    /// (a Hive '%' escape becomes %25, a space %20, non-ASCII its UTF-8 bytes).
    /// </summary>
    public static string ToLogPath(string relativePath)
    {
        var sb = new StringBuilder(relativePath.Length + 8);
        foreach (byte b in Encoding.UTF8.GetBytes(relativePath))
        {
            char c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '/' or '=')) sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>A log path → the file's absolute path (relative paths are URI-decoded; '+' stays '+').</summary>
    public static string ToAbsolutePath(string table, string logPath)
    {
        if (logPath.StartsWith("file:", StringComparison.Ordinal))
            return new Uri(logPath).LocalPath;
        return Path.Combine(table, Uri.UnescapeDataString(logPath));
    }
}
