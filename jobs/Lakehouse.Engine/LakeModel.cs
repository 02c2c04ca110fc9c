using System.Globalization;

namespace Lakehouse.Engine;

/// <summary>A lake table's name: schema (bronze, silver, gold, ref, restricted) and table, as in <c>bronze.dicom_instances</c>.</summary>
/// <param name="Schema">The schema (the lake layer); empty for a table mounted by path under a bare name.</param>
/// <param name="Table">The table name.</param>
public readonly record struct LakeTableName(string Schema, string Table)
{
    /// <summary>Parses <c>schema.table</c> or a bare <c>table</c>; names are case-insensitive and kept in lower case.</summary>
    /// <exception cref="LakeSqlException">The text is not one or two non-empty dot-separated parts.</exception>
    public static LakeTableName Parse(string text)
    {
        string[] parts = text.Trim().Split('.');
        if (parts.Length is < 1 or > 2 || parts.Any(p => p.Length == 0))
            throw new LakeSqlException($"'{text}' is not a table name: expected schema.table");
        return parts.Length == 1
            ? new LakeTableName("", parts[0].ToLowerInvariant())
            : new LakeTableName(parts[0].ToLowerInvariant(), parts[1].ToLowerInvariant());
    }

    /// <summary>The name as SQL, both parts quoted: <c>"bronze"."dicom_instances"</c>.</summary>
    public string ToSql() => Schema.Length == 0 ? Sql.Identifier(Table) : Sql.Identifier(Schema) + "." + Sql.Identifier(Table);

    /// <inheritdoc />
    public override string ToString() => Schema.Length == 0 ? Table : Schema + "." + Table;
}

/// <summary>Which version of a table to read: the latest, a version number, or the version current at a timestamp.</summary>
public abstract record TableVersionSpec
{
    private TableVersionSpec() { }

    /// <summary>The latest version.</summary>
    public static TableVersionSpec Latest { get; } = new LatestVersion();

    /// <summary>Version <paramref name="version"/> exactly.</summary>
    public static TableVersionSpec AtVersion(long version) => new ExactVersion(version);

    /// <summary>The last version committed at or before <paramref name="timestamp"/>.</summary>
    public static TableVersionSpec AtTimestamp(DateTimeOffset timestamp) => new AsOfTimestamp(timestamp);

    /// <summary>Parses a timestamp as Databricks accepts it: ISO 8601 date or date-time; no offset means UTC.</summary>
    /// <exception cref="LakeSqlException">The text is not a timestamp.</exception>
    public static TableVersionSpec ParseTimestamp(string text)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var ts))
            return AtTimestamp(ts);
        throw new LakeSqlException($"'{text}' is not a timestamp: expected ISO 8601 such as 2026-01-01T00:00:00Z");
    }

    /// <summary>The latest version.</summary>
    public sealed record LatestVersion : TableVersionSpec
    {
        /// <inheritdoc />
        public override string ToString() => "latest";
    }

    /// <summary>An exact version.</summary>
    /// <param name="Version">The version number (0 is the table's creation).</param>
    public sealed record ExactVersion(long Version) : TableVersionSpec
    {
        /// <inheritdoc />
        public override string ToString() => "version " + Version.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The version current at a timestamp.</summary>
    /// <param name="Timestamp">The instant.</param>
    public sealed record AsOfTimestamp(DateTimeOffset Timestamp) : TableVersionSpec
    {
        /// <inheritdoc />
        public override string ToString() => "timestamp " + Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
    }
}

/// <summary>A column of a lake table.</summary>
/// <param name="Name">The column name.</param>
/// <param name="DuckDbType">The DuckDB type, such as VARCHAR, BIGINT, DATE, TIMESTAMP WITH TIME ZONE, DECIMAL(10,2) (see <see cref="DeltaTypes"/>).</param>
public sealed record LakeColumn(string Name, string DuckDbType);

/// <summary>One active data file of a table version.</summary>
/// <param name="Path">The absolute path of the Parquet file.</param>
/// <param name="PartitionValues">
/// The file's value of each partition column, typed (string, long, int, double, bool, DateOnly, DateTime, DateTimeOffset, decimal)
/// or as Delta's partition-value string; null for a NULL partition. Missing columns are NULL.
/// </param>
public sealed record LakeDataFile(string Path, IReadOnlyDictionary<string, object?> PartitionValues);

/// <summary>A table version resolved to what the engine needs to read it.</summary>
/// <param name="Name">The table.</param>
/// <param name="Version">The resolved version number.</param>
/// <param name="Columns">Every column in table order, partition columns included.</param>
/// <param name="PartitionColumns">The partition columns (their values live in <see cref="LakeDataFile.PartitionValues"/>, not in the files).</param>
/// <param name="Files">The active data files.</param>
public sealed record ResolvedTable(LakeTableName Name, long Version, IReadOnlyList<LakeColumn> Columns,
    IReadOnlyList<string> PartitionColumns, IReadOnlyList<LakeDataFile> Files);

/// <summary>
/// What the engine needs from a table format: the tables and, for one of them, a version's schema and files.
/// The Delta implementation adapts to it; tests serve plain Parquet folders.
/// </summary>
public interface ILakeTableSource
{
    /// <summary>Every table of the lake (restricted ones included: the engine decides what to mount).</summary>
    IReadOnlyList<LakeTableName> ListTables();

    /// <summary>Resolves a version of a table.</summary>
    /// <exception cref="LakeSqlException">No such table, or no such version (a message naming the table and version, no data).</exception>
    ResolvedTable Resolve(LakeTableName name, TableVersionSpec spec);
}

/// <summary>A user error from the engine: bad SQL, unknown table or version, restricted schema. The message holds no data values.</summary>
public sealed class LakeSqlException : Exception
{
    /// <summary>Creates the error with a PHI-free message.</summary>
    public LakeSqlException(string message) : base(message) { }

    /// <summary>Creates the error with a PHI-free message and its cause.</summary>
    public LakeSqlException(string message, Exception inner) : base(message, inner) { }
}
