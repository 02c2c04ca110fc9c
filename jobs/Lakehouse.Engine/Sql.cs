using System.Globalization;

namespace Lakehouse.Engine;

/// <summary>Quoting of identifiers and literals for generated SQL.</summary>
public static class Sql
{
    /// <summary>A double-quoted identifier.</summary>
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A single-quoted string literal.</summary>
    public static string String(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A typed value as a SQL literal cast to <paramref name="duckDbType"/>: NULL, numbers, booleans, dates and text.</summary>
    public static string Literal(object? value, string duckDbType)
    {
        string literal = value switch
        {
            null => "NULL",
            string s => String(s),
            bool b => b ? "TRUE" : "FALSE",
            DateOnly d => String(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            DateTime dt => String(dt.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)),
            DateTimeOffset dto => String(dto.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00"),
            double x => String(x.ToString("R", CultureInfo.InvariantCulture)),
            float x => String(x.ToString("R", CultureInfo.InvariantCulture)),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => String(value.ToString() ?? ""),
        };
        return $"CAST({literal} AS {duckDbType})";
    }
}

/// <summary>Delta Lake primitive types and DuckDB types, both ways.</summary>
public static class DeltaTypes
{
    /// <summary>The DuckDB type of a Delta primitive type name (string, long, integer, timestamp, decimal(10,2), ...).</summary>
    /// <exception cref="NotSupportedException">A type the engine does not read.</exception>
    public static string ToDuckDb(string deltaType) => deltaType.Trim().ToLowerInvariant() switch
    {
        "string" => "VARCHAR",
        "long" => "BIGINT",
        "integer" => "INTEGER",
        "short" => "SMALLINT",
        "byte" => "TINYINT",
        "double" => "DOUBLE",
        "float" => "FLOAT",
        "boolean" => "BOOLEAN",
        "date" => "DATE",
        "timestamp" => "TIMESTAMP WITH TIME ZONE",
        "timestamp_ntz" => "TIMESTAMP",
        "binary" => "BLOB",
        var d when d.StartsWith("decimal", StringComparison.Ordinal) => d.ToUpperInvariant().Replace(" ", "", StringComparison.Ordinal),
        var other => throw new NotSupportedException($"Delta type {other} is not supported by the engine"),
    };

    /// <summary>The Delta primitive type of a DuckDB type as written by <see cref="LakeEngine.RunJob"/> (after its Spark-compatible casts).</summary>
    /// <exception cref="NotSupportedException">A nested or unsupported type.</exception>
    public static string FromDuckDb(string duckDbType)
    {
        string t = duckDbType.Trim().ToUpperInvariant();
        return t switch
        {
            "VARCHAR" => "string",
            "BIGINT" => "long",
            "INTEGER" => "integer",
            "SMALLINT" => "short",
            "TINYINT" => "byte",
            "DOUBLE" => "double",
            "FLOAT" => "float",
            "BOOLEAN" => "boolean",
            "DATE" => "date",
            "TIMESTAMP WITH TIME ZONE" => "timestamp",
            "TIMESTAMP" => "timestamp_ntz",
            "BLOB" => "binary",
            _ when t.StartsWith("DECIMAL", StringComparison.Ordinal) => t.ToLowerInvariant(),
            _ => throw new NotSupportedException($"DuckDB type {duckDbType} has no Delta primitive type"),
        };
    }
}
