namespace Lakehouse.Jobs.Ingest;

/// <summary>What happens to a walked file.</summary>
internal enum FileVerdict : byte
{
    /// <summary>Not classified yet.</summary>
    Pending,
    /// <summary>This version (path, size, time) landed in an earlier run: nothing to write.</summary>
    Unchanged,
    /// <summary>A new SOP instance: a row of bronze.dicom_instances.</summary>
    Instance,
    /// <summary>A SOP Instance UID already landed with the same header: a row of bronze.dicom_duplicates.</summary>
    Duplicate,
    /// <summary>A SOP Instance UID already landed with another header: a row of bronze.dicom_duplicates with its own header.</summary>
    Conflict,
    /// <summary>Not DICOM, broken or unreadable: a row of bronze.dicom_errors.</summary>
    Error,
}

/// <summary>
/// Decides, in walk order, what each parsed file becomes and which batch it belongs to, whichever worker parsed it.
/// Workers submit chunks as they finish parsing them, in any order; a chunk is classified once every chunk before it
/// has been, so when two files carry the same SOP Instance UID the one kept is the first in walk order, on every run and
/// with any number of workers. Classifying costs a few lookups per file, under one lock; the heavy work (parsing, rows,
/// Parquet) stays with the workers.
/// </summary>
internal sealed class FileClassifier(KnownDicomFiles known, int batchSize, long maxBatchJsonBytes)
{
    private readonly object _lock = new();
    private readonly Dictionary<long, IngestChunk> _waiting = [];
    private readonly List<long> _batchFiles = []; // files of each closed batch
    private long _nextSequence = 1;
    private long _openBatchFiles, _openBatchJsonBytes;
    private bool _failed;

    /// <summary>Counters so far (files classified); read for progress without the lock, exact once the run ends.</summary>
    public long Handled, Unchanged, Instances, Duplicates, Conflicts, Errors, BytesRead;

    /// <summary>Batches closed so far (their file counts are final).</summary>
    public int ClosedBatches { get { lock (_lock) return _batchFiles.Count; } }

    /// <summary>The number of files (rows of any table) in closed batch <paramref name="batch"/>.</summary>
    public long FilesIn(int batch) { lock (_lock) return _batchFiles[batch]; }

    /// <summary>Hands over a parsed chunk; classifies it and every waiting chunk that follows it in walk order.</summary>
    public void Submit(IngestChunk chunk)
    {
        lock (_lock)
        {
            _waiting.Add(chunk.FirstSequence, chunk);
            bool any = false;
            while (_waiting.Remove(_nextSequence, out var next))
            {
                Classify(next);
                _nextSequence += next.Count;
                any = true;
            }
            if (any) Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Blocks until <paramref name="chunk"/> is classified (chunks before it are still being parsed elsewhere).</summary>
    /// <exception cref="OperationCanceledException">The run stopped (<see cref="Fail"/> or <paramref name="cancellation"/>).</exception>
    public void WaitClassified(IngestChunk chunk, CancellationToken cancellation)
    {
        lock (_lock)
        {
            while (!chunk.Classified)
            {
                if (_failed) throw new OperationCanceledException("the ingestion run stopped");
                cancellation.ThrowIfCancellationRequested();
                Monitor.Wait(_lock, 100); // the timeout only bounds how late a cancellation is seen
            }
        }
    }

    /// <summary>Wakes every waiting worker to stop: the run failed elsewhere.</summary>
    public void Fail()
    {
        lock (_lock)
        {
            _failed = true;
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Closes the last batch; call once every chunk is classified.</summary>
    public void Finish()
    {
        lock (_lock)
        {
            if (_waiting.Count > 0) throw new InvalidOperationException("chunks are still waiting for an earlier one");
            if (_openBatchFiles > 0) CloseBatch();
        }
    }

    private void Classify(IngestChunk chunk)
    {
        var files = chunk.Files.AsSpan(0, chunk.Count);
        foreach (ref var file in files)
        {
            Handled++;
            var result = file.Result;
            if (result is null)
            {
                file.Verdict = FileVerdict.Unchanged;
                Unchanged++;
                continue;
            }
            BytesRead += result.BytesRead;
            int jsonBytes = 0;
            if (result.Error is not null)
            {
                file.Verdict = FileVerdict.Error;
                Errors++;
            }
            else
            {
                ulong sop = FileFingerprint.HashUtf8(result.Keys!.SopInstanceUid);
                var digest = result.HeaderSha256;
                ulong header = KnownDicomFiles.HashPrefix(digest);
                if (known.HeaderBySop.TryGetValue(sop, out ulong kept))
                {
                    bool identical = kept == header;
                    file.Verdict = identical ? FileVerdict.Duplicate : FileVerdict.Conflict;
                    if (identical) Duplicates++;
                    else
                    {
                        Conflicts++;
                        jsonBytes = result.JsonLength; // a conflict keeps its own header
                    }
                }
                else
                {
                    known.HeaderBySop[sop] = header;
                    file.Verdict = FileVerdict.Instance;
                    Instances++;
                    jsonBytes = result.JsonLength;
                }
            }
            file.Batch = _batchFiles.Count;
            _openBatchFiles++;
            _openBatchJsonBytes += jsonBytes;
            if (_openBatchFiles >= batchSize || _openBatchJsonBytes >= maxBatchJsonBytes) CloseBatch();
        }
        chunk.BatchAfter = _batchFiles.Count;
        chunk.Classified = true;
    }

    private void CloseBatch()
    {
        _batchFiles.Add(_openBatchFiles);
        _openBatchFiles = _openBatchJsonBytes = 0;
    }
}
