using Lakehouse.Tables;
using Lakehouse.Tables.Schema;

namespace Lakehouse.Engine;

/// <summary>
/// The lake's Delta tables as the engine sees them: each <c>zone.table</c> of a <see cref="LakeStore"/> resolved to a
/// snapshot (latest, a version, or the version current at a timestamp) and its active Parquet files.
/// </summary>
public sealed class DeltaLakeSource(LakeStore lake) : ILakeTableSource
{
    /// <summary>A source over the lake rooted at <paramref name="root"/>.</summary>
    public DeltaLakeSource(string root) : this(new LakeStore(root)) { }

    /// <summary>Engine options that read a folder given by path (<c>--table NAME=PATH</c>) as a Delta table when it is one.</summary>
    public static LakeEngineOptions EngineOptions(bool allowRestricted = false) => new()
    {
        AllowRestricted = allowRestricted,
        ResolvePath = (path, spec) => DeltaTable.Exists(path) ? ResolvePath(new LakeTableName("", Path.GetFileName(Path.TrimEndingDirectorySeparator(path))), path, spec) : null,
    };

    /// <summary>The lake.</summary>
    public LakeStore Lake => lake;

    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> ListTables() => lake.ListTables();

    /// <inheritdoc />
    public ResolvedTable Resolve(LakeTableName name, TableVersionSpec spec) => ResolvePath(name, lake.PathOf(name), spec);

    /// <summary>Resolves a Delta table by its folder (for <c>--table NAME=PATH</c>: tables written by Spark, delta-rs or us).</summary>
    /// <exception cref="LakeSqlException">No table there, no such version, or a table feature we cannot read.</exception>
    public static ResolvedTable ResolvePath(LakeTableName name, string path, TableVersionSpec spec)
    {
        if (!DeltaTable.Exists(path)) throw new LakeSqlException($"table {name} does not exist");
        Tables.Snapshot.Snapshot snapshot;
        try
        {
            var table = DeltaTable.Open(path);
            snapshot = spec switch
            {
                TableVersionSpec.ExactVersion v => table.Snapshot(version: v.Version),
                TableVersionSpec.AsOfTimestamp t => table.Snapshot(timestamp: t.Timestamp),
                _ => table.Snapshot(),
            };
        }
        catch (DeltaException ex) when (ex.IsUserError)
        {
            throw new LakeSqlException($"table {name} ({spec}): {ex.Message}", ex);
        }
        var columns = snapshot.Schema.Fields.Select(f => new LakeColumn(f.Name, DuckDbType(f.Type))).ToList();
        var files = snapshot.ActiveFiles.Select(f => new LakeDataFile(f.AbsolutePath, f.PartitionValues)).ToList();
        return new ResolvedTable(name, snapshot.Version, columns, snapshot.PartitionColumns, files);
    }

    /// <summary>The DuckDB type of a Delta type, nested types included.</summary>
    public static string DuckDbType(DeltaType type) => type switch
    {
        PrimitiveType p => DeltaTypes.ToDuckDb(p.Name),
        DecimalType d => $"DECIMAL({d.Precision},{d.Scale})",
        ArrayType a => DuckDbType(a.ElementType) + "[]",
        MapType m => $"MAP({DuckDbType(m.KeyType)}, {DuckDbType(m.ValueType)})",
        StructType s => "STRUCT(" + string.Join(", ", s.Fields.Select(f => Sql.Identifier(f.Name) + " " + DuckDbType(f.Type))) + ")",
        _ => throw new NotSupportedException($"Delta type {type} is not supported by the engine"),
    };
}
