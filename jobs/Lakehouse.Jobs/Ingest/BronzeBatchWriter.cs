using Lakehouse.Engine;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;

namespace Lakehouse.Jobs.Ingest;

/// <summary>
/// The batches of one ingestion run: several workers stream rows into data files of the same batch (each its own files,
/// a row group at a time), and one thread commits the batches in order once all their files are written. Each table of
/// a batch is one transaction; a batch commits its tables in the order given (instances first: a run killed between two
/// commits is finished by the next one with no duplicate rows). Files of batches that never commit are deleted.
/// </summary>
internal sealed class BronzeBatchWriter(LakeStore lake, CommitLineage lineage, IDictionary<string, long> versions, IReadOnlyList<LakeTableName> commitOrder)
    : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<(int Batch, LakeTableName Table), DeltaTransaction> _open = [];
    private readonly Dictionary<LakeTableName, Tables.DeltaTable> _tables = [];
    // Per table, the snapshot after this run's last commit to it: the next batch's transaction reads it, not the log.
    private readonly Dictionary<LakeTableName, Tables.Snapshot.Snapshot> _latest = [];
    private readonly Dictionary<int, long> _written = []; // source files (rows of any table) per batch whose data files are complete
    private readonly Queue<(int Batch, long SourceFiles, DeltaFileWriter[] Files)> _toComplete = [];
    private readonly AutoResetEvent _completedPart = new(false);
    private int _nextToCommit;

    /// <summary>Opens a new data file of <paramref name="table"/> in <paramref name="batch"/> (creating the table on first use).</summary>
    public DeltaFileWriter OpenFile(int batch, LakeTableName table, StructType schema)
    {
        lock (_lock)
        {
            if (!_open.TryGetValue((batch, table), out var transaction))
            {
                if (!_tables.TryGetValue(table, out var delta))
                    _tables[table] = delta = lake.OpenOrCreate(table, schema, lineage, properties: BronzeTables.PropertiesOf(table));
                transaction = _latest.TryGetValue(table, out var latest)
                    ? delta.NewTransaction(latest, DeltaOperation.Append, lineage)
                    : delta.NewTransaction(DeltaOperation.Append, lineage);
                _open[(batch, table)] = transaction;
            }
            return transaction.OpenFile();
        }
    }

    /// <summary>
    /// A worker is done with <paramref name="batch"/>: <paramref name="files"/> holds the rows of
    /// <paramref name="sourceFiles"/> source files. The committing thread completes them (footer, fsync), so a worker
    /// does not wait for the disk; a worker with nothing left to do completes its own (<paramref name="completeHere"/>),
    /// in parallel with the others, instead of leaving them all to one thread at the end of the run.
    /// </summary>
    public void PartCompleted(int batch, long sourceFiles, IEnumerable<DeltaFileWriter> files, bool completeHere)
    {
        if (completeHere)
        {
            foreach (var file in files)
            {
                using (file) file.Complete();
            }
        }
        lock (_lock)
        {
            if (completeHere) _written[batch] = _written.GetValueOrDefault(batch) + sourceFiles;
            else _toComplete.Enqueue((batch, sourceFiles, [.. files]));
        }
        _completedPart.Set();
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a worker to complete a part, or for <paramref name="workersDone"/>.</summary>
    public void WaitForPart(Task workersDone, TimeSpan timeout) =>
        WaitHandle.WaitAny([_completedPart, ((IAsyncResult)workersDone).AsyncWaitHandle], timeout);

    /// <summary>
    /// Completes the files workers handed over (footer, fsync: while the workers go on), then commits, in batch order,
    /// every closed batch whose files are all written; returns at the first that is not.
    /// </summary>
    public void CommitReady(FileClassifier classifier)
    {
        while (true)
        {
            (int Batch, long SourceFiles, DeltaFileWriter[] Files) part;
            lock (_lock)
            {
                if (!_toComplete.TryDequeue(out part)) break;
            }
            try
            {
                foreach (var file in part.Files) file.Complete();
            }
            finally
            {
                foreach (var file in part.Files) file.Dispose(); // a partial file (failed footer) is deleted
            }
            lock (_lock) _written[part.Batch] = _written.GetValueOrDefault(part.Batch) + part.SourceFiles; // a batch commits only complete files
        }
        while (_nextToCommit < classifier.ClosedBatches)
        {
            int batch = _nextToCommit;
            lock (_lock)
            {
                if (_written.GetValueOrDefault(batch) < classifier.FilesIn(batch)) return;
                _written.Remove(batch);
            }
            foreach (var table in commitOrder)
            {
                DeltaTransaction? transaction;
                lock (_lock) _open.Remove((batch, table), out transaction);
                if (transaction is null) continue;
                versions[table.ToString()] = transaction.Commit();
                var after = transaction.PostCommitSnapshot();
                lock (_lock) _latest[table] = after;
            }
            _nextToCommit++;
        }
    }

    /// <summary>Deletes the completed files of batches that did not commit (a failed run leaves no orphans it can avoid).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var part in _toComplete)
                foreach (var file in part.Files) file.Dispose(); // partial: deleted
            _toComplete.Clear();
            foreach (var ((_, table), transaction) in _open)
                foreach (var add in transaction.Adds)
                {
                    try { File.Delete(Path.Combine(lake.PathOf(table), add.Path)); }
                    catch (IOException) { } // an orphan that vacuum removes
                    catch (UnauthorizedAccessException) { }
                }
            _open.Clear();
        }
        _completedPart.Dispose();
    }
}
