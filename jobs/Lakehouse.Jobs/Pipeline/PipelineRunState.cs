using System.Collections;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lakehouse.Engine;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;

namespace Lakehouse.Jobs.Pipeline;

/// <summary>One row of restricted.pipeline_runs: a job run by a pipeline, what it read and what it committed.</summary>
/// <param name="RunId">The pipeline run.</param>
/// <param name="Job">The job name.</param>
/// <param name="Status">succeeded or failed.</param>
/// <param name="InputVersions">Input table → version read (-1 when the table did not exist).</param>
/// <param name="ParametersSha256">Hash of the job's parameters (the runner's own excluded).</param>
/// <param name="CodeVersion">The code version that ran.</param>
public sealed record PipelineRunRecord(string RunId, string Job, string Status, IReadOnlyDictionary<string, long> InputVersions,
    string ParametersSha256, string CodeVersion);

/// <summary>
/// The runner's memory, the Delta table restricted.pipeline_runs: one row per job run that succeeded or failed (skips are
/// not recorded, so a run with nothing to do commits nothing). Restricted because parameters may name source folders.
/// A job is skipped when its last successful run read the same input versions with the same parameters and code.
/// </summary>
public static class PipelineRunState
{
    /// <summary>The state table.</summary>
    public static readonly LakeTableName Table = new("restricted", "pipeline_runs");

    /// <summary>Schema of <see cref="Table"/>.</summary>
    public static readonly StructType Schema = new(
    [
        new("run_id", DeltaType.String, Nullable: false),
        new("pipeline", DeltaType.String, Nullable: false),
        new("job", DeltaType.String, Nullable: false),
        new("status", DeltaType.String, Nullable: false),
        new("started_at", DeltaType.Timestamp, Nullable: false),
        new("duration_ms", DeltaType.Long, Nullable: false),
        new("input_versions", DeltaType.String, Nullable: false),
        new("parameters_sha256", DeltaType.String, Nullable: false),
        new("code_version", DeltaType.String, Nullable: false),
        new("committed", DeltaType.String, Nullable: false),
        new("message", DeltaType.String),
    ]);

    /// <summary>The code version recorded and compared (the entry assembly's informational version, as lineage records it).</summary>
    public static readonly string CodeVersion =
        (Assembly.GetEntryAssembly() ?? typeof(PipelineRunState).Assembly).GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>The last successful run of each job, by job name.</summary>
    public static Dictionary<string, PipelineRunRecord> LastSucceeded(LakeStore lake)
    {
        var last = new Dictionary<string, (DateTime At, PipelineRunRecord Record)>(StringComparer.Ordinal);
        var table = lake.TryOpen(Table);
        if (table is null) return [];
        foreach (var row in table.Snapshot().ReadRows())
        {
            if ((string?)row["status"] != "succeeded") continue;
            var at = row["started_at"] is DateTime d ? d : row["started_at"] is DateTimeOffset o ? o.UtcDateTime : DateTime.MinValue;
            string job = (string)row["job"]!;
            if (last.TryGetValue(job, out var seen) && seen.At > at) continue;
            var inputs = JsonSerializer.Deserialize<Dictionary<string, long>>((string)row["input_versions"]!) ?? [];
            last[job] = (at, new PipelineRunRecord((string)row["run_id"]!, job, "succeeded", inputs, (string)row["parameters_sha256"]!, (string)row["code_version"]!));
        }
        return last.ToDictionary(kv => kv.Key, kv => kv.Value.Record, StringComparer.Ordinal);
    }

    /// <summary>Appends one row (one commit).</summary>
    public static void Append(LakeStore lake, string pipeline, PipelineRunRecord record, DateTime startedAt, TimeSpan duration,
        IReadOnlyDictionary<string, long> committed, string? message)
    {
        var lineage = new CommitLineage("pipeline")
        {
            Parameters = new Dictionary<string, string> { ["pipeline"] = pipeline, ["pipeline_run_id"] = record.RunId },
        };
        object?[] row =
        [
            record.RunId, pipeline, record.Job, record.Status, startedAt, (long)duration.TotalMilliseconds,
            Json(record.InputVersions), record.ParametersSha256, record.CodeVersion, Json(committed), message,
        ];
        var columns = row.Select(v => (IList)new List<object?> { v }).ToArray();
        var table = lake.OpenOrCreate(Table, Schema, lineage);
        var tx = table.NewTransaction(DeltaOperation.Append, lineage);
        tx.Write(new ColumnBatch(Schema, columns));
        tx.Commit();
    }

    /// <summary>Hash of the parameters that decide a job's result (the runner's own excluded), order-independent.</summary>
    public static string ParametersHash(IReadOnlyDictionary<string, string> parameters)
    {
        var text = new StringBuilder();
        foreach (var (k, v) in parameters.Where(p => !PipelineConfig.RunnerParameters.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
            text.Append(k).Append('=').Append(v).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string Json(IReadOnlyDictionary<string, long> versions) =>
        JsonSerializer.Serialize(new SortedDictionary<string, long>(versions.ToDictionary(), StringComparer.Ordinal));
}
