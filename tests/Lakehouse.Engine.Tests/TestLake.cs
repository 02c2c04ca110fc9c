using DuckDB.NET.Data;
using Lakehouse.Engine;

namespace Lakehouse.Engine.Tests;

/// <summary>
/// A test double of the table source: tables with numbered versions (and commit times), each version a list of
/// plain Parquet files with typed partition values. Files are written by DuckDB from SQL.
/// </summary>
internal sealed class TestLake : ILakeTableSource, IDisposable
{
    private readonly Dictionary<LakeTableName, List<(ResolvedTable Table, DateTimeOffset CommittedAt)>> versions = [];
    private readonly DuckDBConnection writer = new("DataSource=:memory:");
    private int fileCounter;

    public TestLake(string root)
    {
        Root = root;
        writer.Open();
    }

    public string Root { get; }

    public int ResolveCalls { get; private set; }

    /// <summary>Writes the rows of a SELECT to a new Parquet file and returns its path.</summary>
    public string WriteFile(string select)
    {
        string path = Path.Combine(Root, $"f{++fileCounter:D4}.parquet");
        using var cmd = writer.CreateCommand();
        cmd.CommandText = $"COPY ({select}) TO '{path}' (FORMAT PARQUET)";
        cmd.ExecuteNonQuery();
        return path;
    }

    /// <summary>Adds the next version of a table.</summary>
    public void AddVersion(string name, LakeColumn[] columns, string[] partitionColumns, LakeDataFile[] files, DateTimeOffset? committedAt = null)
    {
        var table = LakeTableName.Parse(name);
        if (!versions.TryGetValue(table, out var list)) versions[table] = list = [];
        list.Add((new ResolvedTable(table, list.Count, columns, partitionColumns, files), committedAt ?? DateTimeOffset.UnixEpoch.AddDays(list.Count)));
    }

    /// <summary>Adds an unpartitioned version from one SELECT.</summary>
    public void AddVersion(string name, LakeColumn[] columns, string select, DateTimeOffset? committedAt = null) =>
        AddVersion(name, columns, [], [new LakeDataFile(WriteFile(select), new Dictionary<string, object?>())], committedAt);

    public IReadOnlyList<LakeTableName> ListTables() => versions.Keys.ToList();

    public ResolvedTable Resolve(LakeTableName name, TableVersionSpec spec)
    {
        ResolveCalls++;
        if (!versions.TryGetValue(name, out var list)) throw new LakeSqlException($"table {name} not found");
        return spec switch
        {
            TableVersionSpec.ExactVersion v when v.Version < list.Count => list[(int)v.Version].Table,
            TableVersionSpec.AsOfTimestamp ts => list.LastOrDefault(x => x.CommittedAt <= ts.Timestamp).Table
                ?? throw new LakeSqlException($"table {name} has no version at {spec}"),
            TableVersionSpec.LatestVersion => list[^1].Table,
            _ => throw new LakeSqlException($"table {name} has no {spec}"),
        };
    }

    public void Dispose() => writer.Dispose();
}
