using System.Text.Json.Nodes;
using Lakehouse.Tables.Schema;

namespace Lakehouse.Tables.Actions;

/// <summary>The protocol action: reader/writer versions and (for 3/7) the table feature names.</summary>
public sealed record Protocol(int MinReaderVersion, int MinWriterVersion, IReadOnlyList<string>? ReaderFeatures = null, IReadOnlyList<string>? WriterFeatures = null)
{
    internal JsonObject ToJson()
    {
        var o = new JsonObject { ["minReaderVersion"] = MinReaderVersion, ["minWriterVersion"] = MinWriterVersion };
        if (ReaderFeatures is not null) o["readerFeatures"] = new JsonArray(ReaderFeatures.Select(f => (JsonNode)JsonValue.Create(f)).ToArray());
        if (WriterFeatures is not null) o["writerFeatures"] = new JsonArray(WriterFeatures.Select(f => (JsonNode)JsonValue.Create(f)).ToArray());
        return o;
    }

    internal static Protocol FromJson(JsonObject o) => new(
        (int?)o["minReaderVersion"] ?? 0, (int?)o["minWriterVersion"] ?? 0,
        (o["readerFeatures"] as JsonArray)?.Select(n => (string)n!).ToList(),
        (o["writerFeatures"] as JsonArray)?.Select(n => (string)n!).ToList());
}

/// <summary>The metaData action: table id, schema, partition columns and configuration.</summary>
public sealed record Metadata(string Id, string SchemaString, IReadOnlyList<string> PartitionColumns, IReadOnlyDictionary<string, string> Configuration, long? CreatedTime)
{
    /// <summary>Optional user-facing table name.</summary>
    public string? Name { get; init; }
    /// <summary>Optional description.</summary>
    public string? Description { get; init; }

    /// <summary>The parsed schema.</summary>
    public StructType Schema
    {
        get
        {
            // The cache remembers the text it parsed: a copy made with `with { SchemaString = ... }` copies the cache too.
            // One reference, read and written whole: threads sharing a snapshot never see half of it.
            var cached = _schema;
            if (cached is null || !ReferenceEquals(cached.Text, SchemaString)) _schema = cached = new ParsedSchema(SchemaString, StructType.Parse(SchemaString));
            return cached.Parsed;
        }
    }

    private ParsedSchema? _schema;

    private sealed record ParsedSchema(string Text, StructType Parsed);

    internal JsonObject ToJson()
    {
        var o = new JsonObject { ["id"] = Id };
        if (Name is not null) o["name"] = Name;
        if (Description is not null) o["description"] = Description;
        o["format"] = new JsonObject { ["provider"] = "parquet", ["options"] = new JsonObject() };
        o["schemaString"] = SchemaString;
        o["partitionColumns"] = new JsonArray(PartitionColumns.Select(c => (JsonNode)JsonValue.Create(c)).ToArray());
        var conf = new JsonObject();
        foreach (var (k, v) in Configuration) conf[k] = v;
        o["configuration"] = conf;
        if (CreatedTime is long t) o["createdTime"] = t;
        return o;
    }

    internal static Metadata FromJson(JsonObject o) => new(
        (string?)o["id"] ?? "",
        (string?)o["schemaString"] ?? throw new FormatException("metaData without schemaString"),
        (o["partitionColumns"] as JsonArray)?.Select(n => (string)n!).ToList() ?? [],
        (o["configuration"] as JsonObject)?.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!.ToString()) ?? [],
        (long?)o["createdTime"])
    { Name = (string?)o["name"], Description = (string?)o["description"] };
}

/// <summary>An add action: a data file that is part of the table (path as written in the log: a relative URI).</summary>
public sealed record AddFile(string Path, IReadOnlyDictionary<string, string?> PartitionValues, long Size, long ModificationTime, bool DataChange, string? Stats)
{
    /// <summary>Tags, as read.</summary>
    public IReadOnlyDictionary<string, string?>? Tags { get; init; }
    /// <summary>The deletion vector's unique id (storageType+pathOrInlineDv+offset), when the file has one.</summary>
    public string? DeletionVectorId { get; init; }

    internal JsonObject ToJson()
    {
        var pv = new JsonObject();
        foreach (var (k, v) in PartitionValues) pv[k] = v;
        var o = new JsonObject { ["path"] = Path, ["partitionValues"] = pv, ["size"] = Size, ["modificationTime"] = ModificationTime, ["dataChange"] = DataChange };
        if (Stats is not null) o["stats"] = Stats;
        return o;
    }
}

/// <summary>A remove action (tombstone).</summary>
public sealed record RemoveFile(string Path, long? DeletionTimestamp, bool DataChange)
{
    /// <summary>Partition values of the removed file, when known.</summary>
    public IReadOnlyDictionary<string, string?>? PartitionValues { get; init; }
    /// <summary>Size of the removed file, when known.</summary>
    public long? Size { get; init; }
    /// <summary>The deletion vector's unique id, when the removed entry had one.</summary>
    public string? DeletionVectorId { get; init; }

    internal JsonObject ToJson()
    {
        var o = new JsonObject { ["path"] = Path, ["deletionTimestamp"] = DeletionTimestamp, ["dataChange"] = DataChange };
        if (PartitionValues is not null)
        {
            o["extendedFileMetadata"] = true;
            var pv = new JsonObject();
            foreach (var (k, v) in PartitionValues) pv[k] = v;
            o["partitionValues"] = pv;
            o["size"] = Size;
        }
        return o;
    }
}

/// <summary>A txn action: the last committed version of an application's idempotent batch stream.</summary>
public sealed record SetTransaction(string AppId, long Version, long? LastUpdated)
{
    internal JsonObject ToJson()
    {
        var o = new JsonObject { ["appId"] = AppId, ["version"] = Version };
        if (LastUpdated is long l) o["lastUpdated"] = l;
        return o;
    }
}

/// <summary>One version in the table history: the commitInfo of that commit (null fields when the writer omitted them).</summary>
public sealed record CommitInfo(long Version, long? Timestamp, string? Operation, string? EngineInfo, JsonObject? Raw)
{
    /// <summary>operationParameters as strings.</summary>
    public IReadOnlyDictionary<string, string> OperationParameters =>
        (Raw?["operationParameters"] as JsonObject)?.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!.ToString()) ?? [];
    /// <summary>The in-commit timestamp, when the table enables it.</summary>
    public long? InCommitTimestamp => (long?)Raw?["inCommitTimestamp"];
}
