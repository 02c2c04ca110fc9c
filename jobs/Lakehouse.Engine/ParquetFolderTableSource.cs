using DuckDB.NET.Data;

namespace Lakehouse.Engine;

/// <summary>
/// A fallback <see cref="ILakeTableSource"/> that treats every <c>&lt;lake&gt;/&lt;schema&gt;/&lt;table&gt;/</c> folder holding
/// Parquet files as a table with one version (0), without a transaction log. Hive-style <c>key=value</c> folders become
/// VARCHAR partition columns (<c>__HIVE_DEFAULT_PARTITION__</c> is NULL). Meant until the Delta source is wired in.
/// </summary>
public sealed class ParquetFolderTableSource(string lakeRoot) : ILakeTableSource
{
    private const string HiveNull = "__HIVE_DEFAULT_PARTITION__";
    private readonly string root = Path.GetFullPath(lakeRoot);

    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> ListTables()
    {
        if (!Directory.Exists(root)) throw new LakeSqlException("the lake folder does not exist");
        var tables = new List<LakeTableName>();
        foreach (string schemaDir in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
            foreach (string tableDir in Directory.EnumerateDirectories(schemaDir).Order(StringComparer.Ordinal))
                if (DataFiles(tableDir).Any())
                    tables.Add(new LakeTableName(Path.GetFileName(schemaDir).ToLowerInvariant(), Path.GetFileName(tableDir).ToLowerInvariant()));
        return tables;
    }

    /// <inheritdoc />
    public ResolvedTable Resolve(LakeTableName name, TableVersionSpec spec)
    {
        string dir = Path.Combine(root, name.Schema, name.Table);
        var files = Directory.Exists(dir) ? DataFiles(dir).ToList() : [];
        if (files.Count == 0) throw new LakeSqlException($"table {name} not found");
        if (spec is TableVersionSpec.ExactVersion { Version: not 0 })
            throw new LakeSqlException($"table {name} has no {spec}: a plain Parquet folder has only version 0");
        var partitionColumns = new List<string>();
        var dataFiles = files.Select(f =>
        {
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (string segment in Path.GetRelativePath(dir, f).Split(Path.DirectorySeparatorChar)[..^1])
            {
                int eq = segment.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) continue;
                string key = segment[..eq];
                string value = Uri.UnescapeDataString(segment[(eq + 1)..]);
                values[key] = value == HiveNull ? null : value;
                if (!partitionColumns.Contains(key)) partitionColumns.Add(key);
            }
            return new LakeDataFile(f, values);
        }).ToList();

        var columns = new List<LakeColumn>();
        using (var connection = new DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DESCRIBE SELECT * FROM read_parquet([" + string.Join(", ", files.Select(Sql.String)) + "], hive_partitioning = false, union_by_name = true)";
            try
            {
                using var reader = command.ExecuteReader();
                while (reader.Read()) columns.Add(new LakeColumn(reader.GetString(0), reader.GetString(1)));
            }
            catch (DuckDBException ex) { throw new LakeSqlException($"table {name}: {LakeEngine.SanitizeMessage(ex.Message)}"); }
        }
        columns.RemoveAll(c => partitionColumns.Contains(c.Name));
        columns.AddRange(partitionColumns.Select(p => new LakeColumn(p, "VARCHAR")));
        return new ResolvedTable(name, 0, columns, partitionColumns, dataFiles);
    }

    private static IEnumerable<string> DataFiles(string tableDir) =>
        Directory.EnumerateFiles(tableDir, "*.parquet", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(tableDir, f).Split(Path.DirectorySeparatorChar).Any(p => p.StartsWith('_') || p.StartsWith('.')))
            .Order(StringComparer.Ordinal);
}
