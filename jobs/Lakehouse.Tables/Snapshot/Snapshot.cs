using Lakehouse.Tables.Actions;
using Lakehouse.Tables.Checkpoint;
using Lakehouse.Tables.Parquet;
using Lakehouse.Tables.Scan;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.TableFeatures;

namespace Lakehouse.Tables.Snapshot;

/// <summary>The state of a table at one version: protocol, metadata, active files and app transaction versions.</summary>
public sealed class Snapshot
{
    internal Snapshot(string table, long version, Protocol protocol, Metadata metadata, Dictionary<string, AddFile> adds,
        Dictionary<string, RemoveFile> tombstones, Dictionary<string, long> txns, LogSegment.LogSegment segment)
    {
        Table = table;
        Version = version;
        Protocol = protocol;
        Metadata = metadata;
        Adds = adds;
        Tombstones = tombstones;
        Transactions = txns;
        Segment = segment;
        ActiveFiles = adds.Values.Select(ToActiveFile).ToList();
    }

    /// <summary>The table directory.</summary>
    public string Table { get; }
    /// <summary>The version this snapshot shows.</summary>
    public long Version { get; }
    /// <summary>The protocol in force at this version.</summary>
    public Protocol Protocol { get; }
    /// <summary>The metaData in force at this version.</summary>
    public Metadata Metadata { get; }
    /// <summary>The table schema (partition columns included).</summary>
    public StructType Schema => Metadata.Schema;
    /// <summary>The partition columns, in order.</summary>
    public IReadOnlyList<string> PartitionColumns => Metadata.PartitionColumns;
    /// <summary>The data files of this version.</summary>
    public IReadOnlyList<ActiveFile> ActiveFiles { get; }
    /// <summary>appId → last committed version of idempotent writers (txn actions).</summary>
    public IReadOnlyDictionary<string, long> Transactions { get; }

    internal Dictionary<string, AddFile> Adds { get; }
    internal Dictionary<string, RemoveFile> Tombstones { get; }
    internal LogSegment.LogSegment Segment { get; }

    /// <summary>The last version committed by <paramref name="appId"/>, or null.</summary>
    public long? TransactionVersion(string appId) => Transactions.TryGetValue(appId, out long v) ? v : null;

    /// <summary>The files whose partition values satisfy <paramref name="partitionFilter"/> (all files when null).</summary>
    public IReadOnlyList<ActiveFile> Scan(Func<IReadOnlyDictionary<string, object?>, bool>? partitionFilter = null) =>
        partitionFilter is null ? ActiveFiles : ActiveFiles.Where(f => partitionFilter(f.PartitionValues)).ToList();

    /// <summary>
    /// Reads every row of the (filtered) snapshot: column name → value in the CLR shapes of <see cref="DeltaType"/>.
    /// For tests and small tables; engines should read <see cref="Scan"/>'s files themselves.
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> ReadRows(Func<IReadOnlyDictionary<string, object?>, bool>? partitionFilter = null)
    {
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        foreach (var file in Scan(partitionFilter))
        {
            if (!File.Exists(file.AbsolutePath))
                throw new DeltaException(DeltaErrorKind.DataFileMissing, Table, $"version {Version} references a data file that does not exist (removed by vacuum?)",
                    "Time travel only works within the vacuum retention period; read a newer version.");
            List<Dictionary<string, object?>> fileRows;
            try { fileRows = ParquetValues.ReadAllAsync(file.AbsolutePath).GetAwaiter().GetResult().Rows; }
            catch (Exception e) when (e is not DeltaException)
            {
                throw new DeltaException(DeltaErrorKind.Corrupt, Table, $"a data file of version {Version} cannot be read as Parquet ({e.GetType().Name})", inner: e);
            }
            foreach (var fileRow in fileRows)
            {
                var row = new Dictionary<string, object?>(Schema.Fields.Count, StringComparer.Ordinal);
                foreach (var field in Schema.Fields)
                {
                    row[field.Name] = file.PartitionValues.TryGetValue(field.Name, out object? pv) && PartitionColumns.Contains(field.Name)
                        ? pv
                        : FixKinds(fileRow.GetValueOrDefault(field.Name), field.Type);
                }
                rows.Add(row);
            }
        }
        return rows;
    }

    /// <summary>Timestamps are UTC instants (INT96 and INT64 read back as Unspecified), timestamp_ntz stays Unspecified.</summary>
    private static object? FixKinds(object? value, DeltaType type) => (value, type) switch
    {
        (DateTime t, PrimitiveType { Name: "timestamp" }) => DateTime.SpecifyKind(t, DateTimeKind.Utc),
        (DateTime t, PrimitiveType { Name: "timestamp_ntz" }) => DateTime.SpecifyKind(t, DateTimeKind.Unspecified),
        (Dictionary<string, object?> s, StructType st) => st.Fields.ToDictionary(f => f.Name, f => FixKinds(s.GetValueOrDefault(f.Name), f.Type)),
        (List<object?> l, ArrayType at) => l.Select(x => FixKinds(x, at.ElementType)).ToList(),
        _ => value,
    };

    private ActiveFile ToActiveFile(AddFile add)
    {
        var typed = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (string column in PartitionColumns)
        {
            var type = Schema.Find(column)?.Type ?? DeltaType.String;
            add.PartitionValues.TryGetValue(column, out string? raw);
            try { typed[column] = PartitionValues.Parse(raw, type); }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new DeltaException(DeltaErrorKind.Corrupt, Table, $"partition value of column '{column}' does not parse as {type}", inner: e);
            }
        }
        return new ActiveFile(add.Path, PartitionValues.ToAbsolutePath(Table, add.Path), add.Size, add.ModificationTime, typed, add.Stats);
    }

    /// <summary>Replays <paramref name="segment"/>: checkpoint state, then each commit in order; the last protocol/metaData win.</summary>
    internal static Snapshot Replay(LogSegment.LogSegment segment)
    {
        string table = segment.Table;
        Protocol? protocol = null;
        Metadata? metadata = null;
        var adds = new Dictionary<string, AddFile>(StringComparer.Ordinal);
        var tombstones = new Dictionary<string, RemoveFile>(StringComparer.Ordinal);
        var txns = new Dictionary<string, long>(StringComparer.Ordinal);

        void Apply(CommitActions a)
        {
            if (a.Protocol is not null) protocol = a.Protocol;
            if (a.Metadata is not null) metadata = a.Metadata;
            ApplyFiles(a, adds, tombstones, txns);
        }

        if (segment.CheckpointParts.Count > 0) Apply(CheckpointReader.Read(table, segment.CheckpointParts));
        foreach (var (version, path) in segment.AscendingCommits)
        {
            string json;
            try { json = File.ReadAllText(path); }
            catch (IOException e) { throw new DeltaException(DeltaErrorKind.Corrupt, table, $"commit {version} cannot be read", inner: e); }
            if (json.Length == 0) throw new DeltaException(DeltaErrorKind.Corrupt, table, $"commit {version} is an empty file");
            Apply(CommitActions.Parse(json, table, $"commit {version}"));
        }
        if (protocol is null)
            throw new DeltaException(DeltaErrorKind.InvalidTable, table, $"no protocol action in the log up to version {segment.EndVersion}",
                "The log is damaged or was not written by a Delta engine.");
        if (metadata is null)
            throw new DeltaException(DeltaErrorKind.InvalidTable, table, $"no metaData action in the log up to version {segment.EndVersion}",
                "The log is damaged or was not written by a Delta engine.");
        TableFeatureSupport.EnsureOperationSupported(table, protocol, Operation.Scan);
        try { _ = metadata.Schema; }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or ArgumentException or InvalidOperationException)
        {
            throw new DeltaException(DeltaErrorKind.Corrupt, table, $"the schemaString at version {segment.EndVersion} is not a valid schema", inner: e);
        }
        return new Snapshot(table, segment.EndVersion, protocol, metadata, adds, tombstones, txns, segment);
    }

    // Removes before adds: a commit that removes and re-adds a path (new DV, or delete-then-re-add) ends with the add.
    private static void ApplyFiles(CommitActions a, Dictionary<string, AddFile> adds, Dictionary<string, RemoveFile> tombstones, Dictionary<string, long> txns)
    {
        foreach (var r in a.Removes)
        {
            string key = FileKey(r.Path, r.DeletionVectorId);
            adds.Remove(key);
            tombstones[key] = r;
        }
        foreach (var add in a.Adds)
        {
            string key = FileKey(add.Path, add.DeletionVectorId);
            adds[key] = add;
            tombstones.Remove(key);
        }
        foreach (var t in a.Transactions) txns[t.AppId] = t.Version;
    }

    /// <summary>
    /// The snapshot one commit after this one: <paramref name="commit"/>'s actions (committed as <paramref name="version"/>
    /// = <see cref="Version"/> + 1, in <paramref name="commitPath"/>) applied to this state, without reading the log again.
    /// This is how a writer knows the table right after its own commit (delta-rs and delta-kernel's post-commit snapshot).
    /// </summary>
    internal Snapshot Then(CommitActions commit, long version, string commitPath)
    {
        if (version != Version + 1) throw new ArgumentException($"version {version} does not follow {Version}", nameof(version));
        var adds = new Dictionary<string, AddFile>(Adds, StringComparer.Ordinal);
        var tombstones = new Dictionary<string, RemoveFile>(Tombstones, StringComparer.Ordinal);
        var txns = new Dictionary<string, long>(Transactions, StringComparer.Ordinal);
        ApplyFiles(commit, adds, tombstones, txns);
        var segment = new LogSegment.LogSegment
        {
            Table = Table,
            EndVersion = version,
            CheckpointVersion = Segment.CheckpointVersion,
            CheckpointParts = Segment.CheckpointParts,
            AscendingCommits = [.. Segment.AscendingCommits, (version, commitPath)],
            AllCommits = [.. Segment.AllCommits, (version, commitPath)],
        };
        return new Snapshot(Table, version, commit.Protocol ?? Protocol, commit.Metadata ?? Metadata, adds, tombstones, txns, segment);
    }

    /// <summary>Files are keyed by their decoded path (so differently-escaped spellings match) plus the deletion vector id.</summary>
    internal static string FileKey(string logPath, string? dvId)
    {
        string decoded = logPath.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(logPath) : logPath;
        return dvId is null ? decoded : decoded + "\0" + dvId;
    }
}
