using System.Text.Json.Nodes;

namespace Lakehouse.Tables.Snapshot;

/// <summary>A data file of a snapshot.</summary>
/// <param name="LogPath">The path as the log stores it (URI-encoded, relative to the table root).</param>
/// <param name="AbsolutePath">The file on disk.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="ModificationTime">Milliseconds since the Unix epoch, as logged.</param>
/// <param name="PartitionValues">Partition column → typed value (null for a null partition).</param>
/// <param name="StatsJson">The add's stats JSON string, when present.</param>
public sealed record ActiveFile(string LogPath, string AbsolutePath, long Size, long ModificationTime,
    IReadOnlyDictionary<string, object?> PartitionValues, string? StatsJson)
{
    /// <summary>numRecords from the stats, when present.</summary>
    public long? NumRecords => StatsJson is null ? null : (long?)JsonNode.Parse(StatsJson)?["numRecords"];
}
