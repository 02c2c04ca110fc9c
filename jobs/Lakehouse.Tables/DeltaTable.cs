using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Lakehouse.Tables.Actions;
using Lakehouse.Tables.LogSegment;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.TableFeatures;
using Lakehouse.Tables.Transaction;

namespace Lakehouse.Tables;

/// <summary>
/// A Delta Lake table in a local directory. Reads protocol 1..3 (features: timestampNtz, vacuumProtocolCheck), writes
/// reader 1 / writer 2. Entry points: <see cref="Create"/>, <see cref="Open"/>, <see cref="Snapshot"/>,
/// <see cref="NewTransaction(Transaction.DeltaOperation, Transaction.CommitLineage?, bool)"/>, <see cref="History"/>, <see cref="Checkpoint"/>, <see cref="Vacuum"/>.
/// </summary>
public sealed class DeltaTable
{
    /// <summary>commitInfo.engineInfo of our commits.</summary>
    public static readonly string EngineInfo = "Lakehouse.Tables/" +
        (typeof(DeltaTable).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0");

    /// <summary>Default commits between checkpoints (table property <c>delta.checkpointInterval</c>).</summary>
    public const int DefaultCheckpointInterval = 10;

    /// <summary>The vacuum retention below which <see cref="Vacuum"/> refuses to run unless forced.</summary>
    public static readonly TimeSpan MinimumVacuumRetention = TimeSpan.FromDays(7);

    private DeltaTable(string path) => Path = System.IO.Path.GetFullPath(path).TrimEnd('/');

    /// <summary>The table root directory.</summary>
    public string Path { get; }

    /// <summary>True when <paramref name="path"/> holds a Delta log with at least one commit or checkpoint.</summary>
    public static bool Exists(string path)
    {
        string log = System.IO.Path.Combine(path, "_delta_log");
        return Directory.Exists(log) && Directory.EnumerateFiles(log).Any(f =>
            LogFiles.TryParseCommit(System.IO.Path.GetFileName(f), out _) || LogFiles.TryParseCheckpoint(System.IO.Path.GetFileName(f), out _, out _, out _));
    }

    /// <summary>Opens an existing table; throws <see cref="DeltaErrorKind.TableNotFound"/> when there is none.</summary>
    public static DeltaTable Open(string path)
    {
        var table = new DeltaTable(path);
        if (!Exists(table.Path))
            throw new DeltaException(DeltaErrorKind.TableNotFound, table.Path, "no Delta table here (no _delta_log commits)", "Check the path, or create the table with DeltaTable.Create.");
        return table;
    }

    /// <summary>
    /// Creates a table (version 0: protocol 1/2, metaData, commitInfo CREATE TABLE). Partition columns must be top-level
    /// primitive columns of <paramref name="schema"/>. <paramref name="configuration"/> holds table properties; the
    /// <see cref="DataSkippingProperties"/> ones are validated against the schema. Throws <see cref="DeltaErrorKind.TableAlreadyExists"/> when version 0 exists.
    /// </summary>
    public static DeltaTable Create(string path, StructType schema, IReadOnlyList<string>? partitionColumns = null,
        IReadOnlyDictionary<string, string>? configuration = null, CommitLineage? lineage = null)
    {
        var table = new DeltaTable(path);
        partitionColumns ??= [];
        foreach (string pc in partitionColumns)
        {
            var f = schema.Find(pc) ?? throw new DeltaException(DeltaErrorKind.SchemaMismatch, table.Path, $"partition column '{pc}' is not in the schema");
            if (f.Type is not (PrimitiveType or DecimalType))
                throw new DeltaException(DeltaErrorKind.SchemaMismatch, table.Path, $"partition column '{pc}' has nested type {f.Type}", "Partition by a primitive column.");
        }
        if (partitionColumns.Count > 0 && partitionColumns.Count == schema.Fields.Count)
            throw new DeltaException(DeltaErrorKind.SchemaMismatch, table.Path, "every column is a partition column; data files would have no columns");
        if (ContainsNtz(schema))
            throw new DeltaException(DeltaErrorKind.UnsupportedFeature, table.Path, "timestamp_ntz columns need the timestampNtz table feature (writer 7), which this writer does not implement",
                "Use timestamp (UTC) columns.");
        // Refuse bad statistics properties now rather than at the first write.
        Parquet.StatsColumnSelection.FromConfiguration(table.Path, schema, partitionColumns, configuration ?? new Dictionary<string, string>());
        string log = System.IO.Path.Combine(table.Path, "_delta_log");
        Directory.CreateDirectory(log);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var metadata = new Metadata(Guid.NewGuid().ToString(), schema.ToJsonString(), partitionColumns,
            configuration ?? new Dictionary<string, string>(), now);
        var commitInfo = new JsonObject
        {
            ["timestamp"] = now, ["operation"] = "CREATE TABLE",
            ["operationParameters"] = new JsonObject
            {
                ["partitionBy"] = new JsonArray(partitionColumns.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()).ToJsonString(),
                ["description"] = null, ["isManaged"] = "false", ["properties"] = new JsonObject(metadata.Configuration.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))).ToJsonString(),
            },
            ["isolationLevel"] = "Serializable", ["isBlindAppend"] = true, ["engineInfo"] = EngineInfo, ["txnId"] = Guid.NewGuid().ToString(),
        };
        if (lineage is not null) commitInfo["lakehouseLineage"] = lineage.ToJson(table.Path);
        string content = string.Join('\n',
            new JsonObject { ["commitInfo"] = commitInfo }.ToJsonString(),
            new JsonObject { ["protocol"] = new Protocol(1, 2).ToJson() }.ToJsonString(),
            new JsonObject { ["metaData"] = metadata.ToJson() }.ToJsonString()) + "\n";
        string target = System.IO.Path.Combine(log, LogFiles.CommitName(0));
        string temp = Transaction.ExclusivePublish.TempFor(target);
        // On disk before it is published, as every commit is: a power loss must not leave an empty version 0.
        Transaction.ExclusivePublish.WriteDurably(temp, content);
        bool published;
        try { published = Transaction.ExclusivePublish.TryPublish(temp, target); }
        catch
        {
            File.Delete(temp);
            throw;
        }
        if (!published)
        {
            File.Delete(temp);
            throw new DeltaException(DeltaErrorKind.TableAlreadyExists, table.Path, "a table already exists here (version 0 is committed)", "Open it with DeltaTable.Open.");
        }
        return table;
    }

    private static bool ContainsNtz(DeltaType t) => t switch
    {
        StructType s => s.Fields.Any(f => ContainsNtz(f.Type)),
        ArrayType a => ContainsNtz(a.ElementType),
        MapType m => ContainsNtz(m.KeyType) || ContainsNtz(m.ValueType),
        _ => t == DeltaType.TimestampNtz,
    };

    /// <summary>
    /// The snapshot at the latest version, at <paramref name="version"/>, or as of <paramref name="timestamp"/> (the newest
    /// commit whose time — inCommitTimestamp when the table enables it, else the commit file's modification time — is not after it).
    /// </summary>
    public Snapshot.Snapshot Snapshot(long? version = null, DateTimeOffset? timestamp = null)
    {
        if (version is not null && timestamp is not null) throw new ArgumentException("pass a version or a timestamp, not both");
        if (timestamp is { } ts) version = VersionAt(ts);
        return Tables.Snapshot.Snapshot.Replay(LogSegment.LogSegment.TryCreate(Path, version));
    }

    private long VersionAt(DateTimeOffset timestamp)
    {
        var latest = Snapshot();
        bool ict = latest.Metadata.Configuration.TryGetValue("delta.enableInCommitTimestamps", out string? e) && e == "true";
        long target = timestamp.ToUnixTimeMilliseconds();
        long? found = null;
        foreach (var (v, path) in latest.Segment.AllCommits)
        {
            long t = (ict ? ReadCommitInfo(v, path)?.InCommitTimestamp : null) ?? new DateTimeOffset(File.GetLastWriteTimeUtc(path)).ToUnixTimeMilliseconds();
            if (t <= target) found = v;
            else break;
        }
        return found ?? throw new DeltaException(DeltaErrorKind.VersionNotFound, Path, "the timestamp is before the earliest available commit",
            "Use a later timestamp; see History() for commit times.");
    }

    /// <summary>Starts a transaction against the latest snapshot. <paramref name="mergeSchema"/> allows Write to add new nullable columns.</summary>
    public DeltaTransaction NewTransaction(DeltaOperation operation, CommitLineage? lineage = null, bool mergeSchema = false) =>
        new(this, Snapshot(), operation, lineage, mergeSchema);

    /// <summary>
    /// Starts a transaction against <paramref name="read"/>, a snapshot of this table the caller holds (typically
    /// <see cref="DeltaTransaction.PostCommitSnapshot"/> of its previous one), instead of listing and replaying the log. A
    /// writer that commits batch after batch reads the log once; commits by others meanwhile are checked at commit time.
    /// </summary>
    public DeltaTransaction NewTransaction(Snapshot.Snapshot read, DeltaOperation operation, CommitLineage? lineage = null, bool mergeSchema = false)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (!string.Equals(System.IO.Path.GetFullPath(read.Table), System.IO.Path.GetFullPath(Path), StringComparison.Ordinal))
            throw new ArgumentException("the snapshot is of another table", nameof(read));
        return new(this, read, operation, lineage, mergeSchema);
    }

    /// <summary>The commitInfo of every available commit, newest first.</summary>
    public IReadOnlyList<CommitInfo> History()
    {
        var listing = LogListing.List(Path);
        return listing.Commits.Select(c => ReadCommitInfo(c.Version, c.Path) ?? new CommitInfo(c.Version, null, null, null, null)).Reverse().ToList();
    }

    private static CommitInfo? ReadCommitInfo(long version, string path)
    {
        foreach (string line in File.ReadLines(path))
        {
            if (!line.Contains("\"commitInfo\"", StringComparison.Ordinal)) continue;
            try
            {
                if (JsonNode.Parse(line)?["commitInfo"] is JsonObject ci)
                    return new CommitInfo(version, (long?)ci["timestamp"], (string?)ci["operation"], (string?)ci["engineInfo"], ci);
            }
            catch (System.Text.Json.JsonException) { return null; }
        }
        return null;
    }

    /// <summary>Writes a checkpoint at the latest version (and updates _last_checkpoint); returns that version.</summary>
    public long Checkpoint()
    {
        var snapshot = Snapshot();
        TableFeatureSupport.EnsureOperationSupported(Path, snapshot.Protocol, Operation.Write);
        Tables.Checkpoint.CheckpointWriter.Write(snapshot);
        return snapshot.Version;
    }

    // Writes the checkpoint when a commit lands on the interval. The interval comes from the committed metadata's
    // configuration, which the transaction already holds: most commits cost no log replay.
    internal void AfterCommit(long version, IReadOnlyDictionary<string, string> configuration)
    {
        int interval = configuration.TryGetValue("delta.checkpointInterval", out string? s)
            && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int i) && i > 0 ? i : DefaultCheckpointInterval;
        if (version <= 0 || version % interval != 0) return;
        try
        {
            Tables.Checkpoint.CheckpointWriter.Write(Snapshot(version));
        }
        catch (Exception e) when (e is IOException or DeltaException or UnauthorizedAccessException)
        {
            // The commit is durable; a missing checkpoint only costs replay time and the next interval writes one.
        }
    }

    /// <summary>
    /// Deletes data files no longer referenced by the latest version and older than <paramref name="retention"/> (default:
    /// <c>delta.deletedFileRetentionDuration</c> or 7 days). A retention under 7 days is refused unless <paramref name="force"/>,
    /// because readers of older versions and uncommitted writers may still need those files.
    /// </summary>
    public VacuumResult Vacuum(TimeSpan? retention = null, bool force = false, bool dryRun = false)
    {
        var snapshot = Snapshot();
        TableFeatureSupport.EnsureOperationSupported(Path, snapshot.Protocol, Operation.Write);
        var keep = retention ?? DeletedFileRetention(snapshot.Metadata);
        if (keep < MinimumVacuumRetention && !force)
            throw new DeltaException(DeltaErrorKind.InvalidArgument, Path, $"vacuum retention {keep.TotalHours:0.#} h is below the 168 h safety minimum",
                "Pass force: true only when no reader or writer can still use older versions.");
        var active = new HashSet<string>(snapshot.ActiveFiles.Select(f => System.IO.Path.GetFullPath(f.AbsolutePath)), StringComparer.Ordinal);
        var cutoff = DateTime.UtcNow - keep;
        var deleted = new List<string>();
        long bytes = 0;
        foreach (string file in DataFileCandidates(Path))
        {
            if (active.Contains(file)) continue;
            var info = new FileInfo(file);
            if (info.LastWriteTimeUtc > cutoff) continue;
            deleted.Add(file);
            bytes += info.Length;
            if (!dryRun) info.Delete();
        }
        if (!dryRun)
            foreach (string dir in Directory.EnumerateDirectories(Path, "*", SearchOption.AllDirectories).Where(d => !IsHidden(System.IO.Path.GetRelativePath(Path, d))).OrderByDescending(d => d.Length))
                if (!Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir);
        return new VacuumResult(deleted.Count, bytes, dryRun);
    }

    private static IEnumerable<string> DataFileCandidates(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !IsHidden(System.IO.Path.GetRelativePath(root, f)))
            .Select(System.IO.Path.GetFullPath);

    /// <summary>_delta_log and anything under a name starting with '_' or '.' is not data (Spark's rule).</summary>
    private static bool IsHidden(string relative) =>
        relative.Split('/').Any(part => part.StartsWith('_') && !part.Contains('=', StringComparison.Ordinal) || part.StartsWith('.'));

    internal static TimeSpan DeletedFileRetention(Metadata metadata)
    {
        if (metadata.Configuration.TryGetValue("delta.deletedFileRetentionDuration", out string? s))
        {
            var parts = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[0] == "interval" && long.TryParse(parts[1], CultureInfo.InvariantCulture, out long n))
            {
                return parts[2].TrimEnd('s') switch
                {
                    "day" => TimeSpan.FromDays(n), "hour" => TimeSpan.FromHours(n), "minute" => TimeSpan.FromMinutes(n),
                    "second" => TimeSpan.FromSeconds(n), "week" => TimeSpan.FromDays(7 * n), _ => TimeSpan.FromDays(7),
                };
            }
        }
        return TimeSpan.FromDays(7);
    }
}

/// <summary>What <see cref="DeltaTable.Vacuum"/> removed (or would remove on a dry run).</summary>
public sealed record VacuumResult(int FilesDeleted, long BytesDeleted, bool DryRun);
