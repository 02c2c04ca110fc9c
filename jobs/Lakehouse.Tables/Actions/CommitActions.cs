using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lakehouse.Tables.Actions;

/// <summary>The actions of one commit file (or of a checkpoint), in file order per kind.</summary>
internal sealed class CommitActions
{
    public Protocol? Protocol;
    public Metadata? Metadata;
    public readonly List<AddFile> Adds = [];
    public readonly List<RemoveFile> Removes = [];
    public readonly List<SetTransaction> Transactions = [];
    public JsonObject? CommitInfo;

    /// <summary>Parses a newline-delimited JSON commit; <paramref name="label"/> names the file in errors (never its content).</summary>
    public static CommitActions Parse(string json, string table, string label)
    {
        var result = new CommitActions();
        int lineNumber = 0;
        foreach (string rawLine in json.Split('\n'))
        {
            lineNumber++;
            string line = rawLine.Trim();
            if (line.Length == 0) continue;
            JsonObject obj;
            try { obj = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object"); }
            catch (JsonException e)
            {
                throw new DeltaException(DeltaErrorKind.Corrupt, table, $"{label} line {lineNumber} is not valid JSON", inner: e);
            }
            try { result.Apply(obj); }
            catch (Exception e) when (e is FormatException or InvalidOperationException or JsonException)
            {
                throw new DeltaException(DeltaErrorKind.Corrupt, table, $"{label} line {lineNumber} holds an invalid action ({e.GetType().Name})", inner: e);
            }
        }
        return result;
    }

    private void Apply(JsonObject obj)
    {
        foreach (var (kind, node) in obj)
        {
            if (node is not JsonObject a) continue;
            switch (kind)
            {
                case "protocol": Protocol = Actions.Protocol.FromJson(a); break;
                case "metaData": Metadata = Actions.Metadata.FromJson(a); break;
                case "add": Adds.Add(ParseAdd(a)); break;
                case "remove": Removes.Add(ParseRemove(a)); break;
                case "txn": Transactions.Add(new SetTransaction((string?)a["appId"] ?? "", (long?)a["version"] ?? -1, (long?)a["lastUpdated"])); break;
                case "commitInfo": CommitInfo = a; break;
            }
        }
    }

    internal static AddFile ParseAdd(JsonObject a) => new(
        (string?)a["path"] ?? throw new FormatException("add without path"),
        StringMap(a["partitionValues"]) ?? new Dictionary<string, string?>(),
        (long?)a["size"] ?? 0, (long?)a["modificationTime"] ?? 0, (bool?)a["dataChange"] ?? true, (string?)a["stats"])
    {
        Tags = StringMap(a["tags"]),
        DeletionVectorId = DvId(a["deletionVector"] as JsonObject),
    };

    internal static RemoveFile ParseRemove(JsonObject a) => new(
        (string?)a["path"] ?? throw new FormatException("remove without path"), (long?)a["deletionTimestamp"], (bool?)a["dataChange"] ?? true)
    {
        PartitionValues = StringMap(a["partitionValues"]),
        Size = (long?)a["size"],
        DeletionVectorId = DvId(a["deletionVector"] as JsonObject),
    };

    private static string? DvId(JsonObject? dv) =>
        dv is null ? null : $"{(string?)dv["storageType"]}{(string?)dv["pathOrInlineDv"]}@{dv["offset"]?.ToString()}";

    private static Dictionary<string, string?>? StringMap(JsonNode? node) =>
        (node as JsonObject)?.ToDictionary(kv => kv.Key, kv => kv.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? (string?)v : kv.Value?.ToJsonString());
}
