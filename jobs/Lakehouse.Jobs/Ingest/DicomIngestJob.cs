using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading.Channels;
using Lakehouse.Engine;
using Lakehouse.Tables;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Jobs.Ingest;

/// <summary>Settings of a DICOM ingestion run.</summary>
/// <param name="SourceDirectory">The archive folder, read recursively.</param>
public sealed record DicomIngestOptions(string SourceDirectory)
{
    /// <summary>Files per commit: a killed run loses at most the batch in flight.</summary>
    public int BatchSize { get; init; } = 5000;
    /// <summary>Header JSON bytes (UTF-8) per commit, so a batch of huge headers still commits (and its files stay a sensible size).</summary>
    public long MaxBatchJsonBytes { get; init; } = 64L << 20;
    /// <summary>Header parsers running at once. With one per CPU the process may use (the default), each is pinned to its own CPU.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;
    /// <summary>Receives counters a few times per second.</summary>
    public Action<IngestProgress>? Progress { get; init; }
    /// <summary>Open each chunk's files in io_uring batches where the system allows it (tests compare both ways; the
    /// environment variable LAKEHOUSE_IO_URING=0 also turns it off).</summary>
    internal bool BatchedOpens { get; init; } = true;
}

/// <summary>The outcome of a DICOM ingestion run: counts and the table versions it committed. No paths, no values.</summary>
public sealed record DicomIngestSummary(string RunId, long FilesFound, long FilesUnchanged, long Instances, long Duplicates, long Conflicts,
    long Errors, long BytesRead, TimeSpan Elapsed, IReadOnlyDictionary<string, long> TableVersions)
{
    /// <summary>One human line.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"ingest dicom: {FilesFound} files, {FilesUnchanged} unchanged, {Instances} instances, {Duplicates} duplicates, {Conflicts} conflicts, {Errors} errors, {BytesRead / 1e6:F1} MB in {Elapsed.TotalSeconds:F1} s ({(Elapsed.TotalSeconds > 0 ? FilesFound / Elapsed.TotalSeconds : 0):F0} files/s); run {RunId}");
}

/// <summary>
/// <c>ingest dicom</c>: lands every DICOM header of an archive in bronze.dicom_instances, once.
/// A few workers (one per core) each take the next chunk of walked files, parse them (headers only: reading stops before
/// Pixel Data), hand the chunk to a classifier that decides in walk order what each file becomes, then build the rows
/// and stream them a row group at a time into their own data files of the batch. One thread commits the batches in
/// order, every <see cref="DicomIngestOptions.BatchSize"/> files. A file's bytes stay on the core that parsed them, and
/// workers share only the walk, a few lookups per file and the commits, so the job scales like independent processes.
/// Memory is bounded by a few chunks and row groups per worker, not by the batch or the archive. A file version (path,
/// size, mtime) already landed in any bronze DICOM table is skipped; a SOP Instance UID already landed goes to
/// bronze.dicom_duplicates as a duplicate (same header) or a conflict (different header), never overwriting.
/// Each batch commits instances first, so a killed run is finished by the next one with no duplicate rows.
/// </summary>
public sealed class DicomIngestJob
{
    /// <summary>The job name recorded in lineage.</summary>
    public const string JobName = "ingest-dicom";

    /// <summary>Files per hand-over between the walk, a worker and the classifier.</summary>
    private const int ChunkFiles = 32;

    /// <summary>Parsed chunks a worker holds while earlier ones (another worker's) are still being parsed.</summary>
    private const int MaxPendingChunks = 4;

    /// <summary>Files (or header JSON bytes) per Parquet row group.</summary>
    private const int RowGroupFiles = 2048, RowGroupJsonBytes = 8 << 20;

    /// <summary>Instances commit first (see the class summary).</summary>
    private static readonly LakeTableName[] CommitOrder = [BronzeTables.DicomInstances, BronzeTables.DicomDuplicates, BronzeTables.DicomErrors];

    private readonly LakeStore _lake;
    private readonly DicomIngestOptions _options;

    /// <summary>Prepares a run into <paramref name="lake"/>.</summary>
    public DicomIngestJob(LakeStore lake, DicomIngestOptions options)
    {
        _lake = lake;
        _options = options;
    }

    /// <summary>Runs the ingestion to the end.</summary>
    public DicomIngestSummary Run(CancellationToken cancellation = default)
    {
        string source = Path.GetFullPath(_options.SourceDirectory);
        if (!Directory.Exists(source)) throw new UserInputException("ingest dicom: the --source folder does not exist");
        var clock = Stopwatch.StartNew();
        string runId = Guid.CreateVersion7().ToString("N");
        var ingestedAt = DateTimeOffset.UtcNow;
        var known = KnownDicomFiles.Load(_lake);
        var lineage = new CommitLineage(JobName)
        {
            Parameters = new Dictionary<string, string>
            {
                ["run_id"] = runId,
                ["batch_size"] = _options.BatchSize.ToString(CultureInfo.InvariantCulture),
            },
        };
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        long? total = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var token = stop.Token;
        // The total is only for the ETA: a second walk of the tree is not worth it when nobody watches.
        if (_options.Progress is not null) _ = Task.Run(() => total = SourceTree.Count(source), token);

        using var walk = new ChunkedWalk(SourceTree.WalkFiles(source));
        var classifier = new FileClassifier(known, Math.Max(1, _options.BatchSize), _options.MaxBatchJsonBytes);
        using var batches = new BronzeBatchWriter(_lake, lineage, versions, CommitOrder);
        int parallelism = Math.Max(1, _options.Parallelism);
        var cpus = WorkerCpus.Assign(parallelism);
        var workers = Enumerable.Range(0, parallelism)
            .Select(i => new Worker(walk, known, classifier, batches, new RowGroup(runId, ingestedAt), _options.BatchedOpens, cpus?[i]))
            .Select(w => Task.Factory.StartNew(() => w.Run(token), token, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        var done = Task.WhenAll(workers);

        var lastReport = Stopwatch.StartNew();
        void Report(bool force)
        {
            if (_options.Progress is null || (!force && lastReport.ElapsedMilliseconds < 250)) return;
            lastReport.Restart();
            _options.Progress(new IngestProgress(classifier.Handled, total, classifier.BytesRead, classifier.Errors, clock.Elapsed));
        }

        try
        {
            // This thread commits: batches whose files are all written, in order, as workers complete their parts.
            while (!done.IsCompleted)
            {
                batches.WaitForPart(done, TimeSpan.FromMilliseconds(250));
                if (workers.Any(w => w.IsFaulted)) break;
                batches.CommitReady(classifier);
                Report(force: false);
            }
            if (workers.FirstOrDefault(w => w.IsFaulted) is { } failed) failed.GetAwaiter().GetResult();
            done.GetAwaiter().GetResult(); // a cancellation surfaces here
            classifier.Finish();
            batches.CommitReady(classifier);
        }
        catch
        {
            stop.Cancel(); // stop walking and parsing; batches already committed stay committed
            classifier.Fail();
            try { done.Wait(TimeSpan.FromSeconds(30), CancellationToken.None); } catch (AggregateException) { } // the failure being thrown, or follows from it
            throw;
        }
        Report(force: true);
        return new DicomIngestSummary(runId, walk.Walked, classifier.Unchanged, classifier.Instances, classifier.Duplicates, classifier.Conflicts,
            classifier.Errors, classifier.BytesRead, clock.Elapsed, versions);
    }

    /// <summary>
    /// One worker: takes chunks from the walk, parses them, and once the classifier has decided a chunk, adds its rows to
    /// its own row group and writes that into its own data files of the file's batch. A batch's files are completed (and
    /// reported to the committing thread) as soon as no later file of this worker can belong to it.
    /// </summary>
    private sealed class Worker(ChunkedWalk walk, KnownDicomFiles known, FileClassifier classifier, BronzeBatchWriter batches, RowGroup group,
        bool batchedOpens, int? cpu)
    {
        private readonly Queue<IngestChunk> _pending = new();
        private readonly Stack<IngestChunk> _free = new();
        private readonly Dictionary<LakeTableName, DeltaFileWriter> _files = [];
        private int _batch = -1;
        private long _batchFiles;

        // Batched opens (io_uring) where the system allows them; created on this thread, the ring's only submitter.
        private ChunkOpener? _opener;

        // How much of each file to read first.
        private readonly HeadLength _headLength = new();

        public void Run(CancellationToken token)
        {
            try
            {
                // Pinned before the ring exists: its kernel workers inherit the CPU.
                if (cpu is { } pinned) WorkerCpus.PinCurrentThread(pinned);
                _opener = batchedOpens ? ChunkOpener.TryCreate(ChunkFiles) : null;
                while (true)
                {
                    token.ThrowIfCancellationRequested();
                    BuildClassified(block: _pending.Count >= MaxPendingChunks, token);
                    var chunk = _free.Count > 0 ? _free.Pop() : new IngestChunk(ChunkFiles);
                    if (!walk.TryTake(chunk))
                    {
                        _free.Push(chunk);
                        break;
                    }
                    int headBytes = _headLength.NextChunk();
                    if (_opener is not null)
                    {
                        _opener.Open(chunk);
                        // A version already landed is not read.
                        _opener.ReadHeads(i => !known.HasVersion(chunk.Walked[i].Path, _opener[i].Size, _opener[i].ModifiedMicros), headBytes);
                    }
                    for (int i = 0; i < chunk.Count; i++) Parse(chunk, i);
                    // Submitted right after parsing, never held while waiting: a chunk another worker waits for always comes.
                    classifier.Submit(chunk);
                    _pending.Enqueue(chunk);
                }
                while (_pending.Count > 0) BuildClassified(block: true, token);
                CompleteBatch(last: true);
            }
            finally
            {
                foreach (var file in _files.Values) file.Dispose(); // deletes partial files of a failed run
                group.Dispose();
                _opener?.Dispose();
            }
        }

        // Builds the rows of the classified chunks at the head of the queue; with block, waits for the first one.
        private void BuildClassified(bool block, CancellationToken token)
        {
            while (_pending.TryPeek(out var head))
            {
                if (!head.Classified)
                {
                    if (!block) return;
                    classifier.WaitClassified(head, token);
                }
                block = false;
                Build(_pending.Dequeue());
            }
        }

        // One file: open it (size and time from the descriptor), skip a version already landed, else read its header,
        // appending the JSON to the chunk's buffer.
        private void Parse(IngestChunk chunk, int i)
        {
            ref readonly var walked = ref chunk.Walked[i];
            string path = walked.Path;
            ref var file = ref chunk.Files[i];
            long sequence = chunk.FirstSequence + i;
            if (_opener is not null && _opener[i].InBatch)
            {
                // The chunk's batch opened it, with the same outcomes as opening it here; whether its version landed
                // before was decided when the batch chose what to read.
                ref readonly var batched = ref _opener[i];
                if (!batched.IsRegularFile) Unreadable(ref file, path, sequence);
                else
                {
                    (file.Size, file.ModifiedMicros) = (batched.Size, batched.ModifiedMicros);
                    if (batched.Wanted) ParseHeader(chunk, ref file, _opener.HeadOf(i), _opener.RestOf(i), sequence);
                }
                return;
            }
            OpenedSourceFile opened;
            try { opened = SourceTree.Open(walked); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Unreadable(ref file, path, sequence);
                return;
            }
            using (opened)
            {
                (file.Size, file.ModifiedMicros) = (opened.Size, opened.ModifiedMicros);
                if (known.HasVersion(path, opened.Size, opened.ModifiedMicros)) return;
                file.JsonStart = chunk.Json.WrittenCount;
                // Its head as long as a batch would read it.
                file.Result = DicomFileParser.Parse(opened.Stream, _headLength.Current, sequence, file.Size, chunk.Json);
                if (file.Result.Error is null) _headLength.Saw(file.Result.BytesRead);
            }
        }

        // Not readable (or not a regular file): recorded as an error under the version a stat sees, so the next run skips
        // it until it changes.
        private void Unreadable(ref ChunkFile file, string path, long sequence)
        {
            (file.Size, file.ModifiedMicros) = StatOf(path);
            if (!known.HasVersion(path, file.Size, file.ModifiedMicros)) file.Result = DicomFileParser.IoError(DicomFileParser.Label(sequence));
        }

        // head: the file's first bytes; rest: where it continues (null: the head is all of it).
        private void ParseHeader(IngestChunk chunk, ref ChunkFile file, ReadOnlySpan<byte> head, Stream? rest, long sequence)
        {
            file.JsonStart = chunk.Json.WrittenCount;
            file.Result = DicomFileParser.Parse(head, rest, sequence, file.Size, chunk.Json);
            if (file.Result.Error is null) _headLength.Saw(file.Result.BytesRead);
        }

        private void Build(IngestChunk chunk)
        {
            var json = chunk.Json.WrittenSpan;
            for (int i = 0; i < chunk.Count; i++)
            {
                ref var file = ref chunk.Files[i];
                if (file.Verdict == FileVerdict.Unchanged) continue;
                if (file.Batch != _batch)
                {
                    CompleteBatch();
                    _batch = file.Batch;
                }
                var result = file.Result!;
                string path = chunk.Walked[i].Path;
                var tagsJson = json.Slice(file.JsonStart, result.JsonLength);
                switch (file.Verdict)
                {
                    case FileVerdict.Instance: group.AddInstance(path, file, tagsJson); break;
                    case FileVerdict.Duplicate: group.AddDuplicate(path, file, "duplicate", tagsJson); break;
                    case FileVerdict.Conflict: group.AddDuplicate(path, file, "conflict", tagsJson); break;
                    default: group.AddError(path, file, result.Error!); break;
                }
                _batchFiles++;
                if (group.Count >= RowGroupFiles || group.JsonBytes >= RowGroupJsonBytes) WriteGroup();
            }
            if (chunk.BatchAfter > _batch) CompleteBatch(); // the classifier has moved on: none of this worker's later files is in it
            chunk.Reset();
            _free.Push(chunk);
        }

        private void WriteGroup()
        {
            Write(BronzeTables.DicomInstances, group.Instances);
            Write(BronzeTables.DicomDuplicates, group.Duplicates);
            Write(BronzeTables.DicomErrors, group.Errors);
            group.Clear();

            void Write(LakeTableName table, ColumnBuffers rows)
            {
                if (rows.RowCount == 0) return;
                if (!_files.TryGetValue(table, out var file)) _files[table] = file = batches.OpenFile(_batch, table, rows.Schema);
                file.Write(rows);
            }
        }

        // Hands this worker's files of the current batch to the committing thread, which completes and commits them; at the
        // end of the run (last) the worker completes its own.
        private void CompleteBatch(bool last = false)
        {
            if (_batchFiles == 0) return;
            WriteGroup();
            batches.PartCompleted(_batch, _batchFiles, _files.Values, completeHere: last);
            _files.Clear();
            _batchFiles = 0;
        }
    }

    // The size and time of a file that could not be opened (0 when even a stat fails).
    private static (long Size, long Micros) StatOf(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? (info.Length, FileFingerprint.Micros(info.LastWriteTimeUtc)) : (0, 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return (0, 0); }
    }

    /// <summary>
    /// The rows of one row group of the three tables in typed column buffers (no boxing, strings as UTF-8). Each worker
    /// has one and clears it after writing, so its buffers grow once and stay. The instances' header JSON, nearly all of
    /// the bytes, is compressed into Parquet pages as rows arrive (<see cref="PagedUtf8ColumnBuffer"/>): each header is
    /// copied once, into a page still in cache, instead of into megabytes of buffer read back cold when the group is written.
    /// </summary>
    private sealed class RowGroup : IDisposable
    {
        private readonly long _ingestedAt;
        private static readonly int TagsJsonColumn = BronzeTables.DicomInstancesSchema.IndexOf("tags_json");
        private readonly byte[] _runId; // every row repeats it: encoded once
        private readonly PagedUtf8ColumnBuffer _instanceJson;

        public RowGroup(string runId, DateTimeOffset ingestedAt)
        {
            _ingestedAt = ColumnBuffer.TimestampValue(ingestedAt.UtcDateTime);
            _runId = System.Text.Encoding.UTF8.GetBytes(runId);
            // The codec of the files the group is written to (BronzeBatchWriter opens them with the default, ZSTD).
            _instanceJson = Instances.EncodePagesOnAppend(TagsJsonColumn, Parquet.CompressionMethod.Zstd);
        }

        public ColumnBuffers Instances { get; } = new(BronzeTables.DicomInstancesSchema);
        public ColumnBuffers Duplicates { get; } = new(BronzeTables.DicomDuplicatesSchema);
        public ColumnBuffers Errors { get; } = new(BronzeTables.DicomErrorsSchema);
        public long JsonBytes { get; private set; }
        public int Count => Instances.RowCount + Duplicates.RowCount + Errors.RowCount;

        public void Clear()
        {
            Instances.Clear();
            Duplicates.Clear();
            Errors.Clear();
            JsonBytes = 0;
        }

        public void AddInstance(string path, in ChunkFile file, ReadOnlySpan<byte> tagsJson) =>
            JsonBytes += AddHeaderRow(Instances, path, file, tagsJson, withJson: true, kind: null);

        public void Dispose() => _instanceJson.Dispose();

        // A duplicate repeats a header already landed: only a conflict keeps its own.
        public void AddDuplicate(string path, in ChunkFile file, string kind, ReadOnlySpan<byte> tagsJson) =>
            JsonBytes += AddHeaderRow(Duplicates, path, file, tagsJson, withJson: kind == "conflict", kind);

        private int AddHeaderRow(ColumnBuffers row, string path, in ChunkFile file, ReadOnlySpan<byte> tagsJson, bool withJson, string? kind)
        {
            var result = file.Result!;
            int c = AddFileColumns(row, path, file);
            var keys = result.Keys!;
            foreach (var key in BronzeTables.KeyColumns) BronzeTables.AppendKeyValue(row.Column(c++), key, keys);
            row.Column<FixedColumnBuffer<long>>(c++).Append(result.BytesRead);
            var sha = row.Column<Utf8ColumnBuffer>(c++);
            var digest = result.HeaderSha256;
            Convert.TryToHexStringLower(digest, sha.Reserve(2 * SHA256.HashSizeInBytes), out int hexLength);
            sha.Commit(hexLength);
            if (!withJson) row.Column(c).AppendNull();
            else if (row.Column(c) is PagedUtf8ColumnBuffer paged) paged.Append(tagsJson);
            else row.Column<Utf8ColumnBuffer>(c).Append(tagsJson);
            c++;
            if (kind is not null) row.Column<Utf8ColumnBuffer>(c++).Append(kind);
            AddRunColumns(row, c);
            return withJson ? tagsJson.Length : 0;
        }

        public void AddError(string path, in ChunkFile file, DicomReadError error)
        {
            int c = AddFileColumns(Errors, path, file);
            Errors.Column<Utf8ColumnBuffer>(c++).Append(error.Reason.ToString());
            Errors.Column<FixedColumnBuffer<long>>(c++).Append(error.Offset);
            Errors.Column<Utf8ColumnBuffer>(c++).Append(error.Tag?.ToString());
            Errors.Column<Utf8ColumnBuffer>(c++).Append(error.ToString());
            AddRunColumns(Errors, c);
        }

        private static int AddFileColumns(ColumnBuffers row, string path, in ChunkFile file)
        {
            row.Column<Utf8ColumnBuffer>(0).Append(path);
            row.Column<FixedColumnBuffer<long>>(1).Append(file.Size);
            row.Column<FixedColumnBuffer<long>>(2).Append(file.ModifiedMicros);
            return 3;
        }

        private void AddRunColumns(ColumnBuffers row, int c)
        {
            row.Column<Utf8ColumnBuffer>(c++).Append(_runId);
            row.Column<FixedColumnBuffer<long>>(c).Append(_ingestedAt);
            row.EndRow();
        }
    }
}
