using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Lakehouse.Udfs.Registry;

namespace Lakehouse.Engine;

/// <summary>Options of a <see cref="LakeEngine"/>.</summary>
public sealed record LakeEngineOptions
{
    /// <summary>The UDFs to register; <see cref="UdfRegistry.Default"/> unless set.</summary>
    public UdfRegistry Udfs { get; init; } = UdfRegistry.Default;

    /// <summary>Mount tables of the <c>restricted</c> schema too. Off by default: restricted data is never mounted implicitly.</summary>
    public bool AllowRestricted { get; init; }

    /// <summary>
    /// Resolves a table folder given by path (<see cref="LakeEngine.MountTable"/>) as a table format such as Delta;
    /// returns null when the folder is not one, and the folder is then read as plain Parquet.
    /// </summary>
    public Func<string, TableVersionSpec, ResolvedTable?>? ResolvePath { get; init; }
}

/// <summary>
/// The local SQL engine: an in-process DuckDB with the registry's UDFs as scalar functions, the lake's schemas
/// (bronze, silver, gold, ref; restricted only when allowed) and each lake table as a view by its qualified name,
/// mounted when a statement first names it. Databricks' <c>VERSION AS OF</c> / <c>TIMESTAMP AS OF</c> are rewritten
/// into views pinned to that version. Not thread-safe: one engine per job or command.
/// </summary>
public sealed partial class LakeEngine : IDisposable
{
    /// <summary>The schemas created in every engine.</summary>
    public static readonly IReadOnlyList<string> LakeSchemas = ["bronze", "silver", "gold", "ref"];

    /// <summary>The schema of restricted (PHI) tables, created only with <see cref="LakeEngineOptions.AllowRestricted"/>.</summary>
    public const string RestrictedSchema = "restricted";

    private const string PinnedSchema = "__lake_pinned";

    private readonly ILakeTableSource? source;
    private readonly LakeEngineOptions options;
    private readonly HashSet<string> schemas;
    private readonly Dictionary<LakeTableName, TableVersionSpec> pins = [];
    private readonly Dictionary<LakeTableName, ResolvedTable> mounted = [];
    private readonly Dictionary<(LakeTableName, long), ResolvedTable> pinned = [];
    private HashSet<LakeTableName>? listed;

    /// <summary>Opens an in-memory DuckDB, registers the UDFs and creates the lake schemas.</summary>
    /// <param name="source">The lake's tables; null for an engine with only tables mounted by path.</param>
    /// <param name="options">Options; defaults when null.</param>
    public LakeEngine(ILakeTableSource? source, LakeEngineOptions? options = null)
    {
        this.source = source;
        this.options = options ?? new LakeEngineOptions();
        schemas = new HashSet<string>(LakeSchemas, StringComparer.Ordinal);
        if (this.options.AllowRestricted) schemas.Add(RestrictedSchema);
        Connection = new DuckDBConnection("DataSource=:memory:");
        Connection.Open();
        var binder = new DuckDbUdfBinder(Connection);
        foreach (var udf in this.options.Udfs.All) udf.Accept(binder);
        var ddl = new StringBuilder();
        foreach (var schema in schemas.Append(PinnedSchema)) ddl.Append("CREATE SCHEMA IF NOT EXISTS ").Append(Sql.Identifier(schema)).Append(';');
        Run(ddl.ToString());
    }

    /// <summary>The DuckDB connection, for callers that need the ADO.NET API directly. Statements run through it skip the time-travel rewrite and lazy mounting.</summary>
    public DuckDBConnection Connection { get; }

    /// <summary>The tables mounted so far (latest or pinned by <see cref="Pin"/>) with their versions.</summary>
    public IReadOnlyCollection<ResolvedTable> MountedTables => mounted.Values;

    /// <summary>
    /// Reads <paramref name="table"/> at <paramref name="spec"/> wherever a statement names it without a time-travel
    /// clause (the command line's <c>--as-of-version bronze.x=3</c>). Call before the first statement naming it.
    /// </summary>
    public void Pin(LakeTableName table, TableVersionSpec spec)
    {
        pins[table] = spec;
        mounted.Remove(table);
    }

    /// <summary>Mounts a lake table now (statements mount the tables they name on their own).</summary>
    /// <exception cref="LakeSqlException">Unknown table, restricted schema, or no such version.</exception>
    public ResolvedTable Mount(LakeTableName table)
    {
        if (mounted.TryGetValue(table, out var known)) return known;
        CheckSchema(table);
        if (source is null) throw new LakeSqlException($"table {table} not found: no lake is open");
        var resolved = source.Resolve(table, pins.GetValueOrDefault(table) ?? TableVersionSpec.Latest);
        Run($"CREATE OR REPLACE VIEW {table.ToSql()} AS {ViewSelect(resolved)}");
        mounted[table] = resolved;
        return resolved;
    }

    /// <summary>Mounts every table of the lake that the engine may mount.</summary>
    public void MountAll()
    {
        foreach (var table in Listed().Where(t => schemas.Contains(t.Schema)).ToList()) Mount(table);
    }

    /// <summary>
    /// Mounts the table or Parquet files at <paramref name="path"/> as <paramref name="name"/> (<c>--table NAME=PATH</c>):
    /// a table folder the <see cref="LakeEngineOptions.ResolvePath"/> hook recognizes, else a Parquet file or a folder of
    /// Parquet files (hive-style key=value folders become columns).
    /// </summary>
    /// <exception cref="LakeSqlException">Bad name, restricted schema, or no Parquet files there.</exception>
    public void MountTable(string name, string path)
    {
        var table = LakeTableName.Parse(name);
        if (table.Schema.Length > 0)
        {
            CheckSchema(table);
            Run($"CREATE SCHEMA IF NOT EXISTS {Sql.Identifier(table.Schema)}");
        }
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full) && options.ResolvePath?.Invoke(full, pins.GetValueOrDefault(table) ?? TableVersionSpec.Latest) is { } resolved)
        {
            Run($"CREATE OR REPLACE VIEW {table.ToSql()} AS {ViewSelect(resolved with { Name = table })}");
            mounted[table] = resolved with { Name = table };
            return;
        }
        List<string> files = File.Exists(full) ? [full]
            : Directory.Exists(full) ? Directory.EnumerateFiles(full, "*.parquet", SearchOption.AllDirectories)
                .Where(f => !Path.GetRelativePath(full, f).Split(Path.DirectorySeparatorChar).Any(p => p.StartsWith('_') || p.StartsWith('.')))
                .Order(StringComparer.Ordinal).ToList()
            : throw new LakeSqlException($"--table {table}: the path does not exist");
        if (files.Count == 0) throw new LakeSqlException($"--table {table}: no Parquet files under the path");
        Run($"CREATE OR REPLACE VIEW {table.ToSql()} AS SELECT * FROM read_parquet({FileList(files)}, hive_partitioning = {(Directory.Exists(full) ? "true" : "false")}, union_by_name = true)");
    }

    /// <summary>
    /// Rewrites time travel, mounts the lake tables the statement names, and returns the SQL DuckDB will run
    /// with the table versions it reads.
    /// </summary>
    public PreparedSql Prepare(string sql)
    {
        var used = new List<InputVersion>();
        string rewritten = TimeTravelRewriter.Rewrite(sql, (table, spec) =>
        {
            CheckSchema(table);
            if (source is null) throw new LakeSqlException($"table {table} not found: no lake is open");
            var resolved = source.Resolve(table, spec);
            if (!pinned.ContainsKey((table, resolved.Version)))
            {
                Run($"CREATE OR REPLACE VIEW {PinnedView(table, resolved.Version)} AS {ViewSelect(resolved)}");
                pinned[(table, resolved.Version)] = resolved;
            }
            used.Add(new InputVersion(table, resolved.Version));
            return PinnedView(table, resolved.Version);
        });
        var candidates = new HashSet<string>(schemas, StringComparer.Ordinal) { RestrictedSchema };
        foreach (var table in TimeTravelRewriter.ReferencedTables(rewritten, candidates))
        {
            if (table.Schema == RestrictedSchema && !options.AllowRestricted) CheckSchema(table);
            if (mounted.TryGetValue(table, out var m)) used.Add(new InputVersion(table, m.Version));
            else if (Listed().Contains(table)) used.Add(new InputVersion(table, Mount(table).Version));
        }
        return new PreparedSql(rewritten, used.Distinct().ToList());
    }

    /// <summary>Runs a statement and returns its reader (dispose it). SQL errors become <see cref="LakeSqlException"/>.</summary>
    public DbDataReader ExecuteReader(string sql)
    {
        string prepared = Prepare(sql).Sql;
        var command = Connection.CreateCommand();
        command.CommandText = prepared;
        // The command stays alive with its reader: DuckDB.NET streams results through it.
        try { return command.ExecuteReader(); }
        catch (DuckDBException ex) { throw SqlError(ex); }
    }

    /// <summary>Runs a statement and returns the first column of the first row, or null.</summary>
    public object? ExecuteScalar(string sql)
    {
        string prepared = Prepare(sql).Sql;
        using var command = Connection.CreateCommand();
        command.CommandText = prepared;
        try
        {
            object? value = command.ExecuteScalar();
            return value is DBNull ? null : value;
        }
        catch (DuckDBException ex) { throw SqlError(ex); }
    }

    /// <summary>Runs statements that return no rows; returns DuckDB's affected row count.</summary>
    public int ExecuteNonQuery(string sql)
    {
        string prepared = Prepare(sql).Sql;
        using var command = Connection.CreateCommand();
        command.CommandText = prepared;
        try { return command.ExecuteNonQuery(); }
        catch (DuckDBException ex) { throw SqlError(ex); }
    }

    /// <summary>The result columns of a query (name and DuckDB type), without running it.</summary>
    public IReadOnlyList<LakeColumn> Describe(string query) => DescribePrepared(Prepare(query).Sql);

    /// <summary>Writes a query's result to one Parquet file (ZSTD, Spark-compatible types).</summary>
    public void WriteParquet(string query, string file)
    {
        string prepared = TimeTravelRewriter.WithoutTrailingSemicolon(Prepare(query).Sql);
        string select = SparkCompatibleSelect(prepared, out _);
        Run($"COPY ({select}) TO {Sql.String(Path.GetFullPath(file))} (FORMAT PARQUET, COMPRESSION ZSTD)");
    }

    /// <inheritdoc />
    public void Dispose() => Connection.Dispose();

    internal static string PinnedView(LakeTableName table, long version) =>
        Sql.Identifier(PinnedSchema) + "." + Sql.Identifier($"{table}@v{version.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>
    /// The SELECT a table version's view is made of: per distinct partition-value tuple, the files' columns with the
    /// partition columns added as typed constants (so filters on them prune whole branches), joined by UNION ALL;
    /// a typed empty SELECT for a table without files, so its schema stays visible.
    /// </summary>
    internal static string ViewSelect(ResolvedTable table) => ViewSelectSql(table);

    /// <summary>The SELECT the engine mounts a table version as (public for tools and benchmarks that load the same rows elsewhere).</summary>
    public static string ViewSelectSql(ResolvedTable table)
    {
        if (table.Columns.Count == 0) throw new LakeSqlException($"table {table.Name} version {table.Version} has no columns");
        var partitions = new HashSet<string>(table.PartitionColumns, StringComparer.Ordinal);
        if (table.Files.Count == 0)
            return "SELECT " + string.Join(", ", table.Columns.Select(c => $"CAST(NULL AS {c.DuckDbType}) AS {Sql.Identifier(c.Name)}")) + " WHERE false";
        var branches = table.Files
            .GroupBy(f => string.Join("\u0001", table.PartitionColumns.Select(p => PartitionLiteral(f, p, table))), StringComparer.Ordinal)
            .Select(group =>
            {
                LakeDataFile first = group.First();
                string columns = string.Join(", ", table.Columns.Select(c => partitions.Contains(c.Name)
                    ? $"{PartitionLiteral(first, c.Name, table)} AS {Sql.Identifier(c.Name)}"
                    : Sql.Identifier(c.Name)));
                return $"SELECT {columns} FROM read_parquet({FileList(group.Select(f => f.Path))}, hive_partitioning = false, union_by_name = true)";
            });
        return string.Join("\nUNION ALL\n", branches);
    }

    private static string PartitionLiteral(LakeDataFile file, string column, ResolvedTable table)
    {
        string type = table.Columns.First(c => c.Name == column).DuckDbType;
        return Sql.Literal(file.PartitionValues.GetValueOrDefault(column), type);
    }

    private static string FileList(IEnumerable<string> files) => "[" + string.Join(", ", files.Select(Sql.String)) + "]";

    private HashSet<LakeTableName> Listed() => listed ??= source is null ? [] : [.. source.ListTables()];

    private void CheckSchema(LakeTableName table)
    {
        if (table.Schema == RestrictedSchema && !options.AllowRestricted)
            throw new LakeSqlException($"{table} is in the restricted schema, which this command does not mount");
        if (table.Schema.Length > 0 && !schemas.Contains(table.Schema))
            throw new LakeSqlException($"{table}: unknown schema {table.Schema}; lake schemas are {string.Join(", ", LakeSchemas)}");
    }

    internal void Run(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        try { command.ExecuteNonQuery(); }
        catch (DuckDBException ex) { throw SqlError(ex); }
    }

    private List<LakeColumn> DescribePrepared(string prepared)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = $"DESCRIBE SELECT * FROM ({TimeTravelRewriter.WithoutTrailingSemicolon(prepared)}) AS q";
        var columns = new List<LakeColumn>();
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read()) columns.Add(new LakeColumn(reader.GetString(0), reader.GetString(1)));
        }
        catch (DuckDBException ex) { throw SqlError(ex); }
        return columns;
    }

    /// <summary>
    /// Wraps a query in a SELECT casting the types Spark cannot read back from Parquet to ones it can: 128-bit and unsigned
    /// integers to wider signed types or DECIMAL, nanosecond/millisecond/second timestamps to microseconds, TIME, INTERVAL,
    /// UUID, ENUM and BIT to text. Nested types are passed through as they are.
    /// </summary>
    internal string SparkCompatibleSelect(string preparedQuery, out IReadOnlyList<LakeColumn> columns)
    {
        var described = DescribePrepared(preparedQuery);
        var output = new List<LakeColumn>(described.Count);
        var select = new StringBuilder("SELECT ");
        for (int i = 0; i < described.Count; i++)
        {
            var (name, type) = (described[i].Name, described[i].DuckDbType);
            string? target = SparkType(type);
            if (i > 0) select.Append(", ");
            select.Append(target is null ? Sql.Identifier(name) : $"CAST({Sql.Identifier(name)} AS {target}) AS {Sql.Identifier(name)}");
            output.Add(new LakeColumn(name, target ?? type));
        }
        select.Append(" FROM (").Append(preparedQuery).Append(") AS q");
        columns = output;
        return select.ToString();
    }

    private static string? SparkType(string duckDbType) => duckDbType.ToUpperInvariant() switch
    {
        "HUGEINT" or "UHUGEINT" => "DECIMAL(38,0)",
        "UBIGINT" => "DECIMAL(20,0)",
        "UINTEGER" => "BIGINT",
        "USMALLINT" => "INTEGER",
        "UTINYINT" => "SMALLINT",
        "TIMESTAMP_NS" or "TIMESTAMP_MS" or "TIMESTAMP_S" => "TIMESTAMP",
        "TIME" or "TIME WITH TIME ZONE" or "INTERVAL" or "UUID" or "BIT" or "VARINT" or "BIGNUM" => "VARCHAR",
        var t when t.StartsWith("ENUM(", StringComparison.Ordinal) => "VARCHAR",
        _ => null,
    };

    /// <summary>DuckDB's message without data: only its first line, every quoted literal and any quoted path redacted.</summary>
    internal static LakeSqlException SqlError(DuckDBException ex) => new(SanitizeMessage(ex.Message));

    internal static string SanitizeMessage(string message)
    {
        string first = message.ReplaceLineEndings("\n");
        int lineEcho = first.IndexOf("\nLINE ", StringComparison.Ordinal);
        if (lineEcho >= 0) first = first[..lineEcho];
        first = SingleQuoted().Replace(first, "'…'");
        first = DoubleQuotedPath().Replace(first, "\"…\"");
        return first.ReplaceLineEndings(" ").Trim();
    }

    [GeneratedRegex("'(?:[^']|'')*'")]
    private static partial Regex SingleQuoted();

    [GeneratedRegex("\"[^\"]*[/\\\\][^\"]*\"")]
    private static partial Regex DoubleQuotedPath();
}

/// <summary>A statement as DuckDB runs it, with the lake table versions it reads.</summary>
/// <param name="Sql">The rewritten SQL.</param>
/// <param name="Inputs">The lake tables and versions it reads.</param>
public sealed record PreparedSql(string Sql, IReadOnlyList<InputVersion> Inputs);

/// <summary>A lake table version a statement or job read.</summary>
/// <param name="Table">The table.</param>
/// <param name="Version">The version read.</param>
public readonly record struct InputVersion(LakeTableName Table, long Version);
