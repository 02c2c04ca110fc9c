using System.Text.Json.Nodes;
using Lakehouse.Tables.Parquet;
using Lakehouse.Tables.Schema;
using Parquet;
using Parquet.Serialization;
using StructField = Lakehouse.Tables.Schema.StructField;

namespace Lakehouse.Tables.Checkpoint;

/// <summary>
/// Writes a classic single-file checkpoint with Spark's checkpoint schema (protocol §Checkpoint Schema: txn, add, remove,
/// metaData, protocol; one action per row) and then <c>_last_checkpoint</c>. Both are written to a temporary name and
/// renamed, so readers never see a partial file.
/// </summary>
internal static class CheckpointWriter
{
    private static readonly MapType StringMap = new(DeltaType.String, DeltaType.String, true);

    private static readonly StructType CheckpointSchema = new(
        new StructField("txn", new StructType(new StructField("appId", DeltaType.String), new StructField("version", DeltaType.Long), new StructField("lastUpdated", DeltaType.Long))),
        new StructField("add", new StructType(new StructField("path", DeltaType.String), new StructField("partitionValues", StringMap),
            new StructField("size", DeltaType.Long), new StructField("modificationTime", DeltaType.Long), new StructField("dataChange", DeltaType.Boolean),
            new StructField("stats", DeltaType.String), new StructField("tags", StringMap))),
        new StructField("remove", new StructType(new StructField("path", DeltaType.String), new StructField("deletionTimestamp", DeltaType.Long),
            new StructField("dataChange", DeltaType.Boolean), new StructField("extendedFileMetadata", DeltaType.Boolean),
            new StructField("partitionValues", StringMap), new StructField("size", DeltaType.Long))),
        new StructField("metaData", new StructType(new StructField("id", DeltaType.String), new StructField("name", DeltaType.String),
            new StructField("description", DeltaType.String),
            new StructField("format", new StructType(new StructField("provider", DeltaType.String), new StructField("options", StringMap))),
            new StructField("schemaString", DeltaType.String), new StructField("partitionColumns", new ArrayType(DeltaType.String)),
            new StructField("configuration", StringMap), new StructField("createdTime", DeltaType.Long))),
        new StructField("protocol", new StructType(new StructField("minReaderVersion", DeltaType.Integer), new StructField("minWriterVersion", DeltaType.Integer))));

    public static void Write(Snapshot.Snapshot snapshot)
    {
        long retentionCutoff = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - (long)DeltaTable.DeletedFileRetention(snapshot.Metadata).TotalMilliseconds;
        var rows = new List<Dictionary<string, object?>>();
        var p = snapshot.Protocol;
        rows.Add(new() { ["protocol"] = new Dictionary<string, object?> { ["minReaderVersion"] = p.MinReaderVersion, ["minWriterVersion"] = p.MinWriterVersion } });
        var m = snapshot.Metadata;
        rows.Add(new()
        {
            ["metaData"] = new Dictionary<string, object?>
            {
                ["id"] = m.Id, ["name"] = m.Name, ["description"] = m.Description,
                ["format"] = new Dictionary<string, object?> { ["provider"] = "parquet", ["options"] = new Dictionary<object, object?>() },
                ["schemaString"] = m.SchemaString, ["partitionColumns"] = m.PartitionColumns.Cast<object?>().ToList(),
                ["configuration"] = m.Configuration.ToDictionary(kv => (object)kv.Key, kv => (object?)kv.Value), ["createdTime"] = m.CreatedTime,
            },
        });
        foreach (var (app, version) in snapshot.Transactions)
            rows.Add(new() { ["txn"] = new Dictionary<string, object?> { ["appId"] = app, ["version"] = version, ["lastUpdated"] = null } });
        foreach (var a in snapshot.Adds.Values)
            rows.Add(new()
            {
                ["add"] = new Dictionary<string, object?>
                {
                    ["path"] = a.Path, ["partitionValues"] = a.PartitionValues.ToDictionary(kv => (object)kv.Key, kv => (object?)kv.Value),
                    ["size"] = a.Size, ["modificationTime"] = a.ModificationTime, ["dataChange"] = false, ["stats"] = a.Stats,
                    ["tags"] = a.Tags?.ToDictionary(kv => (object)kv.Key, kv => (object?)kv.Value),
                },
            });
        foreach (var r in snapshot.Tombstones.Values)
        {
            if (r.DeletionTimestamp is long t && t < retentionCutoff) continue; // expired tombstones are dropped (protocol §Checkpoints)
            rows.Add(new()
            {
                ["remove"] = new Dictionary<string, object?>
                {
                    ["path"] = r.Path, ["deletionTimestamp"] = r.DeletionTimestamp, ["dataChange"] = false,
                    ["extendedFileMetadata"] = r.PartitionValues is not null,
                    ["partitionValues"] = r.PartitionValues?.ToDictionary(kv => (object)kv.Key, kv => (object?)kv.Value), ["size"] = r.Size,
                },
            });
        }

        var pqSchema = ParquetSchemaMapper.ToParquet(CheckpointSchema.Fields);
        var pqRows = rows.Select(row =>
        {
            var d = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var f in pqSchema.Fields) d[f.Name] = ParquetSchemaMapper.ToParquetValue(row.GetValueOrDefault(f.Name), f);
            return (IDictionary<string, object?>)d;
        }).ToList();

        string logDir = Path.Combine(snapshot.Table, "_delta_log");
        string target = Path.Combine(logDir, LogSegment.LogFiles.CheckpointName(snapshot.Version));
        string temp = Transaction.ExclusivePublish.TempFor(target);
        using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            ParquetSerializer.SerializeUntypedAsync(pqRows, pqSchema, fs, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }).GetAwaiter().GetResult();
            fs.Flush(flushToDisk: true);
        }
        File.Move(temp, target, overwrite: true);

        var hint = new JsonObject
        {
            ["version"] = snapshot.Version,
            ["size"] = rows.Count,
            ["sizeInBytes"] = new FileInfo(target).Length,
            ["numOfAddFiles"] = snapshot.Adds.Count,
        };
        if (LogSegment.LastCheckpointFile.TryRead(snapshot.Table) is long existing && existing > snapshot.Version) return; // never move the hint backwards
        string hintTarget = Path.Combine(logDir, "_last_checkpoint");
        string hintTemp = Transaction.ExclusivePublish.TempFor(hintTarget);
        File.WriteAllText(hintTemp, hint.ToJsonString());
        File.Move(hintTemp, hintTarget, overwrite: true);
    }
}
