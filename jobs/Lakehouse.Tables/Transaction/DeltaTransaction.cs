using System.Text;
using System.Text.Json.Nodes;
using Lakehouse.Tables.Actions;
using Lakehouse.Tables.Parquet;
using Lakehouse.Tables.Scan;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.TableFeatures;
using Parquet;

namespace Lakehouse.Tables.Transaction;

/// <summary>
/// One atomic change to a table, built against the snapshot it read:
/// Write/AddFile (data files, written immediately) → RemoveWhere (partitions replaced) → SetTransactionId → Commit.
/// Commit creates <c>_delta_log/N.json</c> exclusively; when another writer took N the winning commits are checked by
/// <see cref="ConflictChecker"/> and the commit is retried at the next version (at most <see cref="MaxCommitAttempts"/> times).
/// Data files of an uncommitted transaction are orphans that vacuum removes later.
/// </summary>
public sealed class DeltaTransaction
{
    /// <summary>How often Commit retries after losing a version race before giving up.</summary>
    public const int MaxCommitAttempts = 15;

    private readonly DeltaTable _table;
    private readonly Snapshot.Snapshot _read;
    private readonly CommitLineage? _lineage;
    private readonly bool _mergeSchema;
    private readonly List<AddFile> _adds = [];
    private readonly List<RemoveFile> _removes = [];
    private StructType _schema;
    private bool _schemaChanged;
    private string? _predicateText;
    private bool _committed;
    private long _committedVersion = -1;

    internal DeltaTransaction(DeltaTable table, Snapshot.Snapshot read, DeltaOperation operation, CommitLineage? lineage, bool mergeSchema)
    {
        TableFeatureSupport.EnsureOperationSupported(table.Path, read.Protocol, TableFeatures.Operation.Write);
        _table = table;
        _read = read;
        Operation = operation;
        _lineage = lineage;
        _mergeSchema = mergeSchema;
        _schema = read.Schema;
        if (operation == DeltaOperation.Overwrite) RemoveWhere(_ => true, "true");
    }

    /// <summary>What this transaction does.</summary>
    public DeltaOperation Operation { get; }
    /// <summary>The version the transaction read (its changes are relative to it).</summary>
    public long ReadVersion => _read.Version;
    /// <summary>The schema the commit will have (differs from the read one after a mergeSchema write).</summary>
    public StructType Schema => _schema;
    /// <summary>Add actions collected so far.</summary>
    public IReadOnlyList<AddFile> Adds => _adds;

    internal Func<IReadOnlyDictionary<string, object?>, bool>? ReadPredicate { get; private set; }
    internal HashSet<string> RemovedKeys { get; } = new(StringComparer.Ordinal);
    internal SetTransaction? AppTransaction { get; private set; }

    /// <summary>Writes <paramref name="batch"/> as Parquet data files (one per partition) into the table directory.</summary>
    public void Write(ColumnBatch batch, CompressionMethod compression = CompressionMethod.Zstd)
    {
        EnsureOpen();
        ReconcileSchema(batch.Schema);
        _adds.AddRange(DataFileWriter.Write(_table.Path, _schema, _read.PartitionColumns, batch, compression, StatsColumns()));
        TestHooks.MaybeCrash(TestHooks.AfterDataFiles);
    }

    /// <summary>
    /// Opens a data file to be written a row group at a time (<see cref="DeltaFileWriter"/>); it joins the commit when
    /// completed. Unpartitioned tables with flat columns only. Files opened here may be written and completed on different
    /// threads at once; opening, committing and everything else stay single-threaded.
    /// </summary>
    public DeltaFileWriter OpenFile(CompressionMethod compression = CompressionMethod.Zstd)
    {
        EnsureOpen();
        return new DeltaFileWriter(this, _table.Path, _schema, _read.PartitionColumns, compression, StatsColumns());
    }

    // Completed streamed files join from the threads that wrote them (several workers may share one transaction).
    internal void AddWritten(AddFile add)
    {
        EnsureOpen();
        lock (_adds) _adds.Add(add);
        TestHooks.MaybeCrash(TestHooks.AfterDataFiles);
    }

    /// <summary>
    /// Adds a Parquet file already written under the table directory (e.g. by DuckDB <c>COPY ... TO</c>): its size and stats
    /// are computed from the file. <paramref name="partitionValues"/> gives the file's partition (column → typed value).
    /// </summary>
    public void AddFile(string absolutePath, IReadOnlyDictionary<string, object?>? partitionValues = null)
    {
        EnsureOpen();
        _adds.Add(DataFileWriter.Describe(_table.Path, _schema, _read.PartitionColumns, absolutePath, partitionValues, StatsColumns()));
    }

    /// <summary>
    /// Removes every file of the read snapshot whose partition values satisfy <paramref name="partitionPredicate"/>
    /// (replace-where / delete by partition). <paramref name="predicateText"/> is logged in commitInfo: column names and
    /// operators only, never data values that could be PHI.
    /// </summary>
    public void RemoveWhere(Func<IReadOnlyDictionary<string, object?>, bool> partitionPredicate, string predicateText)
    {
        EnsureOpen();
        if (_read.Metadata.Configuration.TryGetValue("delta.appendOnly", out string? appendOnly) && appendOnly == "true")
            throw new DeltaException(DeltaErrorKind.InvalidArgument, _table.Path, $"the table is append-only (delta.appendOnly=true); {Operation} would remove data",
                "Append instead, or unset delta.appendOnly on the table first.");
        var previous = ReadPredicate;
        ReadPredicate = previous is null ? partitionPredicate : pv => previous(pv) || partitionPredicate(pv);
        _predicateText = _predicateText is null ? predicateText : $"({_predicateText}) OR ({predicateText})";
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var (key, add) in _read.Adds)
        {
            if (RemovedKeys.Contains(key) || !partitionPredicate(TypedPartitionValues(add.PartitionValues))) continue;
            RemovedKeys.Add(key);
            _removes.Add(new RemoveFile(add.Path, now, DataChange: true) { PartitionValues = add.PartitionValues, Size = add.Size, DeletionVectorId = add.DeletionVectorId });
        }
    }

    /// <summary>Records that this commit completes batch <paramref name="version"/> of <paramref name="appId"/> (idempotent ingestion).</summary>
    public void SetTransactionId(string appId, long version)
    {
        EnsureOpen();
        AppTransaction = new SetTransaction(appId, version, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    /// <summary>Commits with bounded retries and returns the committed version; throws <see cref="DeltaErrorKind.Conflict"/> on a logical conflict.</summary>
    public long Commit()
    {
        long attemptVersion = _read.Version + 1;
        for (int attempt = 1; attempt <= MaxCommitAttempts; attempt++)
        {
            switch (TryCommit(attemptVersion))
            {
                case CommitResult.Committed c:
                    _committed = true;
                    _committedVersion = c.Version;
                    TestHooks.MaybeCrash(TestHooks.AfterCommit);
                    _table.AfterCommit(c.Version, _read.Metadata.Configuration); // a transaction never changes the configuration
                    return c.Version;
                case CommitResult.Conflicted c:
                    attemptVersion = CheckWinners(c.Version);
                    break;
                case CommitResult.Retryable:
                    Thread.Sleep(10 * attempt);
                    break;
            }
        }
        throw new DeltaException(DeltaErrorKind.Conflict, _table.Path, $"gave up after {MaxCommitAttempts} commit attempts: other writers kept winning",
            "Reduce the number of concurrent writers or retry later.");
    }

    /// <summary>
    /// The table as of this transaction's commit, for the writer's next transaction: when nobody committed in between, the
    /// read snapshot with this commit's actions applied (no log read); otherwise read from the log.
    /// </summary>
    /// <exception cref="InvalidOperationException">The transaction has not committed.</exception>
    public Snapshot.Snapshot PostCommitSnapshot()
    {
        if (!_committed) throw new InvalidOperationException("the transaction has not committed");
        if (_committedVersion != _read.Version + 1) return _table.Snapshot(_committedVersion);
        var actions = new CommitActions();
        if (_schemaChanged) actions.Metadata = _read.Metadata with { SchemaString = _schema.ToJsonString() };
        actions.Removes.AddRange(_removes);
        actions.Adds.AddRange(_adds);
        if (AppTransaction is not null) actions.Transactions.Add(AppTransaction);
        string path = Path.Combine(_table.Path, "_delta_log", LogSegment.LogFiles.CommitName(_committedVersion));
        return _read.Then(actions, _committedVersion, path);
    }

    /// <summary>One attempt: exclusively creates the commit file for <paramref name="version"/>.</summary>
    public CommitResult TryCommit(long version)
    {
        EnsureOpen();
        string logDir = Path.Combine(_table.Path, "_delta_log");
        string target = Path.Combine(logDir, LogSegment.LogFiles.CommitName(version));
        if (File.Exists(target)) return new CommitResult.Conflicted(version);
        string temp = ExclusivePublish.TempFor(target);
        try
        {
            ExclusivePublish.WriteDurably(temp, BuildCommit(version));
            TestHooks.MaybeCrash(TestHooks.BeforeCommit);
            // Exclusive and atomic: exactly one writer gets version N, and a reader never sees a half-written commit.
            return ExclusivePublish.TryPublish(temp, target) ? new CommitResult.Committed(version) : new CommitResult.Conflicted(version);
        }
        catch (IOException) when (File.Exists(target))
        {
            return new CommitResult.Conflicted(version);
        }
        catch (IOException e)
        {
            return new CommitResult.Retryable(version, e.GetType().Name);
        }
        finally
        {
            try { if (File.Exists(temp)) File.Delete(temp); } catch (IOException) { }
        }
    }

    private long CheckWinners(long fromVersion)
    {
        var listing = LogSegment.LogListing.List(_table.Path);
        long v = fromVersion;
        foreach (var (version, path) in listing.Commits.Where(c => c.Version >= fromVersion))
        {
            if (version != v) break;
            var winner = CommitActions.Parse(File.ReadAllText(path), _table.Path, $"commit {version}");
            new ConflictChecker(_table.Path, this, version, winner).CheckConflicts();
            v++;
        }
        return v;
    }

    private string BuildCommit(long version)
    {
        var sb = new StringBuilder();
        void Line(string kind, JsonNode body) => sb.Append(new JsonObject { [kind] = body }.ToJsonString()).Append('\n');
        Line("commitInfo", CommitInfoJson());
        if (_schemaChanged)
            Line("metaData", (_read.Metadata with { SchemaString = _schema.ToJsonString() }).ToJson());
        if (AppTransaction is not null) Line("txn", AppTransaction.ToJson());
        foreach (var r in _removes) Line("remove", r.ToJson());
        foreach (var a in _adds) Line("add", a.ToJson());
        return sb.ToString();
    }

    private JsonObject CommitInfoJson()
    {
        var parameters = new JsonObject();
        switch (Operation)
        {
            case DeltaOperation.Append:
            case DeltaOperation.Overwrite:
                parameters["mode"] = Operation == DeltaOperation.Append ? "Append" : "Overwrite";
                parameters["partitionBy"] = new JsonArray(_read.PartitionColumns.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()).ToJsonString();
                break;
            case DeltaOperation.ReplaceWhere:
                parameters["mode"] = "Overwrite";
                parameters["predicate"] = _predicateText ?? "";
                break;
            case DeltaOperation.Delete:
                parameters["predicate"] = _predicateText ?? "";
                break;
        }
        if (_schemaChanged) parameters["mergeSchema"] = "true";
        var o = new JsonObject
        {
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            ["operation"] = Operation == DeltaOperation.Delete ? "DELETE" : "WRITE",
            ["operationParameters"] = parameters,
            ["readVersion"] = _read.Version,
            ["isolationLevel"] = "Serializable",
            ["isBlindAppend"] = Operation == DeltaOperation.Append,
            ["engineInfo"] = DeltaTable.EngineInfo,
            ["txnId"] = Guid.NewGuid().ToString(),
        };
        if (_lineage is not null) o["lakehouseLineage"] = _lineage.ToJson(_table.Path);
        return o;
    }

    /// <summary>A batch's schema must match the table's: same types, and new columns only with mergeSchema (nullable, appended).</summary>
    private void ReconcileSchema(StructType batchSchema)
    {
        var added = new List<StructField>();
        foreach (var f in batchSchema.Fields)
        {
            var existing = _schema.Find(f.Name);
            if (existing is null)
            {
                if (_schema.Fields.Any(e => string.Equals(e.Name, f.Name, StringComparison.OrdinalIgnoreCase)))
                    throw new DeltaException(DeltaErrorKind.SchemaMismatch, _table.Path, $"column '{f.Name}' differs only in case from a table column",
                        "Use the table's column name.");
                added.Add(f with { Nullable = true });
            }
            else if (!TypesCompatible(existing.Type, f.Type))
                throw new DeltaException(DeltaErrorKind.SchemaMismatch, _table.Path, $"column '{f.Name}' is {f.Type} in the data but {existing.Type} in the table",
                    "Cast the column to the table's type; changing a column's type needs an explicit table rewrite.");
        }
        foreach (var f in _schema.Fields)
            if (!f.Nullable && batchSchema.Find(f.Name) is null)
                throw new DeltaException(DeltaErrorKind.SchemaMismatch, _table.Path, $"non-nullable column '{f.Name}' is missing from the data");
        if (added.Count == 0) return;
        if (!_mergeSchema)
            throw new DeltaException(DeltaErrorKind.SchemaMismatch, _table.Path, $"the data has column(s) not in the table schema: {string.Join(", ", added.Select(a => a.Name))}",
                "Pass mergeSchema: true to add them (additive schema evolution), or drop them from the data.");
        if (_adds.Count > 0)
            throw new DeltaException(DeltaErrorKind.SchemaMismatch, _table.Path, "the schema can only be evolved by the first Write of a transaction",
                "Write the batch with the new columns first.");
        _schema = new StructType([.. _schema.Fields, .. added]);
        _schemaChanged = true;
    }

    /// <summary>Nested structs may gain nullable fields; everything else must be equal.</summary>
    private static bool TypesCompatible(DeltaType table, DeltaType data) => (table, data) switch
    {
        (StructType t, StructType d) => d.Fields.All(df => t.Find(df.Name) is { } tf ? TypesCompatible(tf.Type, df.Type) : false),
        _ => table == data,
    };

    internal IReadOnlyDictionary<string, object?> TypedPartitionValues(IReadOnlyDictionary<string, string?> raw)
    {
        var typed = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (string pc in _read.PartitionColumns)
            typed[pc] = PartitionValues.Parse(raw.GetValueOrDefault(pc), _read.Schema.Find(pc)?.Type ?? DeltaType.String);
        return typed;
    }

    /// <summary>
    /// The columns that get statistics, from the table properties against the schema this commit will have (checked on
    /// every data write: a table created by another writer may carry a value we refuse).
    /// </summary>
    private StatsColumnSelection StatsColumns() =>
        StatsColumnSelection.FromConfiguration(_table.Path, _schema, _read.PartitionColumns, _read.Metadata.Configuration);

    private void EnsureOpen()
    {
        if (_committed) throw new InvalidOperationException("the transaction is already committed");
    }
}

/// <summary>Crash points for the crash tests: LAKEHOUSE_DELTA_CRASH_AT=&lt;point&gt; makes the process exit there.</summary>
internal static class TestHooks
{
    public const string AfterDataFiles = "after-data-files", BeforeCommit = "before-commit", AfterCommit = "after-commit";
    private static readonly string? CrashAt = Environment.GetEnvironmentVariable("LAKEHOUSE_DELTA_CRASH_AT");

    public static void MaybeCrash(string point)
    {
        if (CrashAt == point) Environment.Exit(86);
    }
}
