using System.Globalization;
using System.Text.Json.Nodes;
using Lakehouse.Engine;
using Lakehouse.Tables;

namespace Lakehouse.Jobs.Gold.Release;

/// <summary>One commit of a table as <c>lakehouse history</c> shows it.</summary>
/// <param name="Version">The Delta version.</param>
/// <param name="Timestamp">commitInfo.timestamp (UTC), when present.</param>
/// <param name="Operation">commitInfo.operation (WRITE, CREATE TABLE, ...).</param>
/// <param name="Job">The job that wrote it (lineage), or null for commits without lineage.</param>
/// <param name="InputVersions">Input table → version read (lineage), ordered by table.</param>
/// <param name="CodeVersion">The code version (lineage).</param>
public sealed record TableCommit(long Version, DateTimeOffset? Timestamp, string? Operation, string? Job,
    IReadOnlyList<KeyValuePair<string, long>> InputVersions, string? CodeVersion);

/// <summary>
/// A table's commit history with the lineage our jobs record under commitInfo key <c>lakehouseLineage</c>. Lineage holds
/// job names, parameters, versions and code versions only, so it may be shown for any zone.
/// </summary>
public static class TableHistory
{
    /// <summary>The commitInfo key of our lineage.</summary>
    public const string LineageKey = "lakehouseLineage";

    /// <summary>The commits of <paramref name="table"/>, newest first.</summary>
    /// <exception cref="UserInputException">The table does not exist.</exception>
    public static IReadOnlyList<TableCommit> Read(LakeStore lake, LakeTableName table)
    {
        var delta = lake.TryOpen(table) ?? throw new UserInputException($"history: table {table} does not exist");
        return delta.History().Select(c =>
        {
            var lineage = c.Raw?[LineageKey] as JsonObject;
            var inputs = (lineage?["inputVersions"] as JsonObject)?
                .Where(kv => kv.Value is JsonValue)
                .Select(kv => KeyValuePair.Create(kv.Key, (long)kv.Value!))
                .OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList() ?? [];
            return new TableCommit(c.Version, c.Timestamp is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null, c.Operation,
                (string?)lineage?["job"], inputs, (string?)lineage?["codeVersion"]);
        }).ToList();
    }

    /// <summary>The history as a text table: version | timestamp | operation | job | inputs | code.</summary>
    public static void Write(IReadOnlyList<TableCommit> commits, TextWriter output)
    {
        var rows = commits.Select(c => new[]
        {
            c.Version.ToString(CultureInfo.InvariantCulture),
            c.Timestamp?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "-",
            c.Operation ?? "-",
            c.Job ?? "-",
            c.InputVersions.Count == 0 ? "-" : string.Join(", ", c.InputVersions.Select(kv => $"{kv.Key}@{kv.Value.ToString(CultureInfo.InvariantCulture)}")),
            c.CodeVersion ?? "-",
        }).ToList();
        string[] header = ["version", "timestamp", "operation", "job", "input versions", "code version"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        output.WriteLine(string.Join(" | ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var r in rows) output.WriteLine(string.Join(" | ", r.Select((v, i) => v.PadRight(widths[i]))).TrimEnd());
    }
}
