using Lakehouse.Tables;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;

namespace Lakehouse.Engine;

/// <summary>
/// The lake on disk: one Delta table per <c>&lt;root&gt;/&lt;zone&gt;/&lt;table&gt;</c>, where the zone is the SQL schema.
/// bronze and restricted hold PHI; silver, gold and ref must never.
/// </summary>
public sealed class LakeStore
{
    /// <summary>The zones, which are also the SQL schemas.</summary>
    public static readonly IReadOnlyList<string> Zones = ["bronze", "silver", "gold", "ref", "restricted"];

    /// <summary>Opens the lake at <paramref name="root"/> (created on first write).</summary>
    public LakeStore(string root) => Root = Path.GetFullPath(root);

    /// <summary>The lake root directory.</summary>
    public string Root { get; }

    /// <summary>The directory of a table.</summary>
    public string PathOf(LakeTableName name)
    {
        if (!Zones.Contains(name.Schema))
            throw new LakeSqlException($"'{name}' is not in a lake zone: the schema must be one of {string.Join(", ", Zones)}");
        return Path.Combine(Root, name.Schema, name.Table);
    }

    /// <summary>True when the table exists (has a commit).</summary>
    public bool Exists(LakeTableName name) => DeltaTable.Exists(PathOf(name));

    /// <summary>Opens an existing table, or null.</summary>
    public DeltaTable? TryOpen(LakeTableName name) => Exists(name) ? DeltaTable.Open(PathOf(name)) : null;

    /// <summary>
    /// Opens the table, creating it with <paramref name="schema"/> and the table <paramref name="properties"/> when it does
    /// not exist yet (an existing table keeps its own properties).
    /// </summary>
    public DeltaTable OpenOrCreate(LakeTableName name, StructType schema, CommitLineage lineage, IReadOnlyList<string>? partitionColumns = null,
        IReadOnlyDictionary<string, string>? properties = null)
    {
        string path = PathOf(name);
        if (DeltaTable.Exists(path)) return DeltaTable.Open(path);
        try
        {
            return DeltaTable.Create(path, schema, partitionColumns, properties, lineage);
        }
        catch (DeltaException ex) when (ex.Kind == DeltaErrorKind.TableAlreadyExists)
        {
            return DeltaTable.Open(path); // another process created it first
        }
    }

    /// <summary>Every table in the lake, by zone.</summary>
    public IReadOnlyList<LakeTableName> ListTables()
    {
        var names = new List<LakeTableName>();
        foreach (string zone in Zones)
        {
            string dir = Path.Combine(Root, zone);
            if (!Directory.Exists(dir)) continue;
            foreach (string table in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
                if (DeltaTable.Exists(table)) names.Add(new LakeTableName(zone, Path.GetFileName(table)));
        }
        return names;
    }
}
