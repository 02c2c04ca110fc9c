using Lakehouse.Tables.Actions;
using Lakehouse.Tables.Parquet;

namespace Lakehouse.Tables.Checkpoint;

/// <summary>Reads the actions of a classic (single or multi-part) checkpoint.</summary>
internal static class CheckpointReader
{
    public static CommitActions Read(string table, IReadOnlyList<string> parts)
    {
        var actions = new CommitActions();
        foreach (string part in parts)
        {
            List<Dictionary<string, object?>> rows;
            try { rows = ParquetValues.ReadAllAsync(part).GetAwaiter().GetResult().Rows; }
            catch (Exception e) when (e is not DeltaException)
            {
                throw new DeltaException(DeltaErrorKind.Corrupt, table, $"checkpoint {Path.GetFileName(part)} cannot be read ({e.GetType().Name})", inner: e);
            }
            foreach (var row in rows)
            {
                if (row.GetValueOrDefault("add") is Dictionary<string, object?> add && add.GetValueOrDefault("path") is string)
                    actions.Adds.Add(new AddFile((string)add["path"]!, StringMap(add.GetValueOrDefault("partitionValues")) ?? new Dictionary<string, string?>(),
                        AsLong(add.GetValueOrDefault("size")), AsLong(add.GetValueOrDefault("modificationTime")), add.GetValueOrDefault("dataChange") as bool? ?? false,
                        add.GetValueOrDefault("stats") as string)
                    { Tags = StringMap(add.GetValueOrDefault("tags")), DeletionVectorId = DvId(add.GetValueOrDefault("deletionVector")) });
                if (row.GetValueOrDefault("remove") is Dictionary<string, object?> rm && rm.GetValueOrDefault("path") is string)
                    actions.Removes.Add(new RemoveFile((string)rm["path"]!, rm.GetValueOrDefault("deletionTimestamp") as long?, rm.GetValueOrDefault("dataChange") as bool? ?? false)
                    { PartitionValues = StringMap(rm.GetValueOrDefault("partitionValues")), Size = rm.GetValueOrDefault("size") as long?, DeletionVectorId = DvId(rm.GetValueOrDefault("deletionVector")) });
                if (row.GetValueOrDefault("txn") is Dictionary<string, object?> txn && txn.GetValueOrDefault("appId") is string appId)
                    actions.Transactions.Add(new SetTransaction(appId, AsLong(txn.GetValueOrDefault("version")), txn.GetValueOrDefault("lastUpdated") as long?));
                if (row.GetValueOrDefault("protocol") is Dictionary<string, object?> p && p.GetValueOrDefault("minReaderVersion") is not null)
                    actions.Protocol = new Protocol(Convert.ToInt32(p["minReaderVersion"]), Convert.ToInt32(p.GetValueOrDefault("minWriterVersion") ?? 0),
                        (p.GetValueOrDefault("readerFeatures") as List<object?>)?.Select(x => (string)x!).ToList(),
                        (p.GetValueOrDefault("writerFeatures") as List<object?>)?.Select(x => (string)x!).ToList());
                if (row.GetValueOrDefault("metaData") is Dictionary<string, object?> m && m.GetValueOrDefault("schemaString") is string schema)
                    actions.Metadata = new Metadata(m.GetValueOrDefault("id") as string ?? "", schema,
                        (m.GetValueOrDefault("partitionColumns") as List<object?>)?.Select(x => (string)x!).ToList() ?? [],
                        StringMap(m.GetValueOrDefault("configuration"))?.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!) ?? [],
                        m.GetValueOrDefault("createdTime") as long?)
                    { Name = m.GetValueOrDefault("name") as string, Description = m.GetValueOrDefault("description") as string };
            }
        }
        return actions;
    }

    private static long AsLong(object? v) => v is null ? 0 : Convert.ToInt64(v);

    private static Dictionary<string, string?>? StringMap(object? v) =>
        (v as Dictionary<object, object?>)?.ToDictionary(kv => kv.Key.ToString()!, kv => kv.Value?.ToString());

    private static string? DvId(object? v) => v is Dictionary<string, object?> dv
        ? $"{dv.GetValueOrDefault("storageType")}{dv.GetValueOrDefault("pathOrInlineDv")}@{dv.GetValueOrDefault("offset")}"
        : null;
}
