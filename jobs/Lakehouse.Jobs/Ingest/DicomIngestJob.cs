using System.Buffers;
using System.Diagnostics;
using System.Globalization;
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
    /// <summary>Header parsers running at once.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;
    /// <summary>Receives counters a few times per second.</summary>
    public Action<IngestProgress>? Progress { get; init; }
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
/// Files are enumerated lazily and handed over in chunks, parsed in parallel (headers only: reading stops before Pixel
/// Data), put back in walk order, and streamed a row group at a time into each batch's data files by one writer thread
/// while parsing goes on; a batch commits every <see cref="DicomIngestOptions.BatchSize"/> files. Memory is bounded by a
/// few chunks and row groups, not by the batch or the archive. A file version (path, size,
/// mtime) already landed in any bronze DICOM table is skipped; a SOP Instance UID already landed goes to
/// bronze.dicom_duplicates as a duplicate (same header) or a conflict (different header), never overwriting.
/// Each batch commits instances first, so a killed run is finished by the next one with no duplicate rows.
/// </summary>
public sealed class DicomIngestJob
{
    /// <summary>The job name recorded in lineage.</summary>
    public const string JobName = "ingest-dicom";

    /// <summary>Files per hand-over between the walker, the parsers and the batch builder.</summary>
    private const int ChunkFiles = 32;

    /// <summary>Files (or header JSON bytes) per Parquet row group handed to the writer.</summary>
    private const int RowGroupFiles = 256, RowGroupJsonBytes = 2 << 20;

    /// <summary>Row groups waiting for the writer.</summary>
    private const int QueuedRowGroups = 1;

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
        long found = 0, unchanged = 0, handled = 0, instances = 0, duplicates = 0, conflicts = 0, errors = 0, bytes = 0;
        long? total = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var token = stop.Token;
        // The total is only for the ETA: a second walk of the tree is not worth it when nobody watches.
        if (_options.Progress is not null) _ = Task.Run(() => total = SourceTree.Count(source), token);

        int parallelism = Math.Max(1, _options.Parallelism);
        // Files travel in chunks: one hand-over per ChunkFiles files keeps the threads' synchronization (and, on a busy or
        // single core, their spinning) out of the per-file cost.
        var work = Channel.CreateBounded<SourceFile[]>(new BoundedChannelOptions(parallelism * 2) { SingleWriter = true });
        var results = Channel.CreateBounded<ParsedChunk>(new BoundedChannelOptions(parallelism * 2) { SingleReader = true });
        // Chunks between the walk and the batch builder, bounded: a parser stuck on one slow file must not let the others
        // pile up finished chunks in the reorder buffer without limit.
        using var inFlight = new SemaphoreSlim(parallelism * 8);
        // Each chunk's header JSON lives in one buffer, file after file; the builder copies it into the row group and
        // hands the buffer back, so the JSON is never a string and its buffers are allocated once.
        var jsonBuffers = new System.Collections.Concurrent.ConcurrentBag<ArrayBufferWriter<byte>>();
        // Row groups go to one writer, in order, while parsing goes on; it streams them into the batch's data files and
        // commits at batch ends. Memory holds a few row groups (one being written, the queued ones, one filling), not a batch.
        var full = Channel.CreateBounded<RowGroup>(new BoundedChannelOptions(QueuedRowGroups) { SingleReader = true, SingleWriter = true });

        var producer = Task.Run(async () =>
        {
            try
            {
                long seq = 0;
                var chunk = new List<SourceFile>(ChunkFiles);
                foreach (string path in SourceTree.Walk(source))
                {
                    token.ThrowIfCancellationRequested();
                    Interlocked.Increment(ref found);
                    chunk.Add(new SourceFile(++seq, path));
                    if (chunk.Count == ChunkFiles)
                    {
                        await inFlight.WaitAsync(token).ConfigureAwait(false);
                        await work.Writer.WriteAsync(chunk.ToArray(), token).ConfigureAwait(false);
                        chunk.Clear();
                    }
                }
                if (chunk.Count > 0)
                {
                    await inFlight.WaitAsync(token).ConfigureAwait(false);
                    await work.Writer.WriteAsync(chunk.ToArray(), token).ConfigureAwait(false);
                }
            }
            finally { work.Writer.Complete(); }
        }, token);

        var parsers = Enumerable.Range(0, parallelism).Select(_ => Task.Run(async () =>
        {
            await foreach (var files in work.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                var chunk = new ParsedChunk(new ParsedFile[files.Length], jsonBuffers.TryTake(out var json) ? json : new ArrayBufferWriter<byte>(ChunkFiles * 8192));
                for (int i = 0; i < files.Length; i++) chunk.Files[i] = Parse(files[i], chunk.Json);
                await results.Writer.WriteAsync(chunk, token).ConfigureAwait(false);
            }
        }, token)).ToArray();
        _ = Task.WhenAll(parsers).ContinueWith(t => results.Writer.TryComplete(t.Exception), TaskScheduler.Default);

        // Written row groups come back to the builder: their buffers are grown once, not per group.
        var written = new System.Collections.Concurrent.ConcurrentQueue<RowGroup>();
        var writer = Task.Run(() =>
        {
            try
            {
                using var tables = new BronzeBatchWriter(_lake, lineage, versions);
                foreach (var group in full.Reader.ReadAllAsync(token).ToBlockingEnumerable(token))
                {
                    tables.Write(BronzeTables.DicomInstances, group.Instances);
                    tables.Write(BronzeTables.DicomDuplicates, group.Duplicates);
                    tables.Write(BronzeTables.DicomErrors, group.Errors);
                    if (group.EndsBatch) tables.EndBatch(CommitOrder);
                    group.Clear();
                    written.Enqueue(group);
                }
            }
            catch
            {
                full.Writer.TryComplete(); // the filler's next hand-over fails instead of waiting for a writer that is gone
                throw;
            }
        }, token);

        var lastReport = Stopwatch.StartNew();
        void Report(bool force)
        {
            if (_options.Progress is null || (!force && lastReport.ElapsedMilliseconds < 250)) return;
            lastReport.Restart();
            _options.Progress(new IngestProgress(handled, total, bytes, errors, clock.Elapsed));
        }

        var group = new RowGroup(runId, ingestedAt);
        long batchFiles = 0, batchJsonBytes = 0;
        void HandOver(bool endsBatch)
        {
            if (group.IsEmpty && !(endsBatch && batchFiles > 0)) return;
            group.EndsBatch = endsBatch;
            (batchFiles, batchJsonBytes) = endsBatch ? (0, 0) : (batchFiles, batchJsonBytes + group.JsonBytes);
            if (!full.Writer.TryWrite(group))
                try { full.Writer.WriteAsync(group, token).AsTask().GetAwaiter().GetResult(); }
                catch (ChannelClosedException) { writer.GetAwaiter().GetResult(); throw; } // surfaces the writer's own failure
            group = written.TryDequeue(out var reused) ? reused : new RowGroup(runId, ingestedAt);
        }

        try
        {
            // Results are handled in enumeration order (a small reorder buffer behind the parallel parsers), so when two files
            // carry the same SOP Instance UID the one kept is the first in path order, the same on every run and machine.
            var pending = new Dictionary<long, ParsedChunk>();
            long nextSequence = 1;
            foreach (var arrived in results.Reader.ReadAllAsync(token).ToBlockingEnumerable(token))
            {
                pending[arrived.Files[0].File.Sequence] = arrived;
                while (pending.Remove(nextSequence, out var chunk))
                {
                    nextSequence += chunk.Files.Length;
                    foreach (var file in chunk.Files) Handle(file, chunk.Json.WrittenSpan);
                    chunk.Json.ResetWrittenCount();
                    jsonBuffers.Add(chunk.Json);
                    inFlight.Release();
                }
            }
            producer.GetAwaiter().GetResult();
            Task.WhenAll(parsers).GetAwaiter().GetResult();
            HandOver(endsBatch: true);
            full.Writer.TryComplete();
            writer.GetAwaiter().GetResult();
        }
        catch
        {
            stop.Cancel(); // stop walking and parsing; batches already committed stay committed
            full.Writer.TryComplete();
            try { writer.Wait(TimeSpan.FromSeconds(30), CancellationToken.None); } catch (AggregateException) { } // its failure, if any, is the one being thrown or follows from it
            throw;
        }
        Report(force: true);
        return new DicomIngestSummary(runId, found, unchanged, instances, duplicates, conflicts, errors, bytes, clock.Elapsed, versions);

        // One file, on a parser thread: open it (size and time from the descriptor), skip a version already landed,
        // else read its header, appending the JSON to the chunk's buffer.
        ParsedFile Parse(SourceFile file, ArrayBufferWriter<byte> json)
        {
            OpenedSourceFile opened;
            try { opened = SourceTree.Open(file.Path); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not readable (or not a regular file): recorded as an error under the version a stat sees, so the next
                // run skips it until it changes.
                var (size, micros) = StatOf(file.Path);
                if (known.FileVersions.Contains(FileFingerprint.Of(file.Path, size, micros))) return ParsedFile.Unchanged(file);
                return new ParsedFile(file, size, micros, DicomFileParser.IoError(DicomFileParser.Label(file.Sequence)), 0);
            }
            using (opened)
            {
                if (known.FileVersions.Contains(FileFingerprint.Of(file.Path, opened.Size, opened.ModifiedMicros))) return ParsedFile.Unchanged(file);
                int start = json.WrittenCount;
                var result = DicomFileParser.Parse(opened.Stream, DicomFileParser.Label(file.Sequence), opened.Size, json);
                return new ParsedFile(file, opened.Size, opened.ModifiedMicros, result, start);
            }
        }

        void Handle(ParsedFile parsed, ReadOnlySpan<byte> chunkJson)
        {
            handled++;
            var result = parsed.Result;
            if (result is null)
            {
                unchanged++;
                Report(force: false);
                return;
            }
            bytes += result.BytesRead;
            if (result.Error is { } error)
            {
                errors++;
                group.AddError(parsed, error);
            }
            else
            {
                var tagsJson = chunkJson.Slice(parsed.JsonStart, result.JsonLength);
                ulong sop = FileFingerprint.Hash(result.Keys!.SopInstanceUid!);
                ulong header = KnownDicomFiles.HashPrefix(result.HeaderSha256!);
                if (known.HeaderBySop.TryGetValue(sop, out ulong kept))
                {
                    bool identical = kept == header;
                    if (identical) duplicates++; else conflicts++;
                    group.AddDuplicate(parsed, identical ? "duplicate" : "conflict", tagsJson);
                }
                else
                {
                    known.HeaderBySop[sop] = header;
                    instances++;
                    group.AddInstance(parsed, tagsJson);
                }
            }
            batchFiles++;
            if (batchFiles >= _options.BatchSize || batchJsonBytes + group.JsonBytes >= _options.MaxBatchJsonBytes) HandOver(endsBatch: true);
            else if (group.Count >= RowGroupFiles || group.JsonBytes >= RowGroupJsonBytes) HandOver(endsBatch: false);
            Report(force: false);
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

    private sealed record SourceFile(long Sequence, string Path);

    /// <summary>A file's outcome: its version (size, time) and parse result, or no result when that version landed before.</summary>
    private sealed record ParsedFile(SourceFile File, long Size, long ModifiedMicros, ParsedDicomFile? Result, int JsonStart)
    {
        public static ParsedFile Unchanged(SourceFile file) => new(file, 0, 0, null, 0);
    }

    /// <summary>The files of one chunk, in walk order, and the buffer holding their header JSON back to back.</summary>
    private sealed record ParsedChunk(ParsedFile[] Files, ArrayBufferWriter<byte> Json);

    /// <summary>
    /// The rows of one row group of the three tables in typed column buffers (no boxing, strings as UTF-8); the last of a
    /// batch commits it. The writer hands written groups back for reuse, so their buffers grow once and stay.
    /// </summary>
    private sealed class RowGroup(string runId, DateTimeOffset ingestedAt)
    {
        private readonly long _ingestedAt = ColumnBuffer.TimestampValue(ingestedAt.UtcDateTime);
        public bool EndsBatch { get; set; }
        public ColumnBuffers Instances { get; } = new(BronzeTables.DicomInstancesSchema);
        public ColumnBuffers Duplicates { get; } = new(BronzeTables.DicomDuplicatesSchema);
        public ColumnBuffers Errors { get; } = new(BronzeTables.DicomErrorsSchema);
        public long JsonBytes { get; private set; }
        public int Count => Instances.RowCount + Duplicates.RowCount + Errors.RowCount;
        public bool IsEmpty => Count == 0;

        public void Clear()
        {
            Instances.Clear();
            Duplicates.Clear();
            Errors.Clear();
            JsonBytes = 0;
            EndsBatch = false;
        }

        public void AddInstance(ParsedFile p, ReadOnlySpan<byte> tagsJson) => JsonBytes += AddHeaderRow(Instances, p, tagsJson, withJson: true, kind: null);

        // A duplicate repeats a header already landed: only a conflict keeps its own.
        public void AddDuplicate(ParsedFile p, string kind, ReadOnlySpan<byte> tagsJson) =>
            JsonBytes += AddHeaderRow(Duplicates, p, tagsJson, withJson: kind == "conflict", kind);

        private int AddHeaderRow(ColumnBuffers row, ParsedFile p, ReadOnlySpan<byte> tagsJson, bool withJson, string? kind)
        {
            var result = p.Result!;
            int c = AddFileColumns(row, p);
            foreach (var key in DicomKeyAttributes.BronzeColumns) BronzeTables.AppendKeyValue(row.Column(c++), key.Get(result.Keys!));
            row.Column<FixedColumnBuffer<long>>(c++).Append(result.BytesRead);
            row.Column<Utf8ColumnBuffer>(c++).Append(result.HeaderSha256);
            if (withJson) row.Column<Utf8ColumnBuffer>(c++).Append(tagsJson);
            else row.Column(c++).AppendNull();
            if (kind is not null) row.Column<Utf8ColumnBuffer>(c++).Append(kind);
            AddRunColumns(row, c);
            return withJson ? tagsJson.Length : 0;
        }

        public void AddError(ParsedFile file, DicomReadError error)
        {
            int c = AddFileColumns(Errors, file);
            Errors.Column<Utf8ColumnBuffer>(c++).Append(error.Reason.ToString());
            Errors.Column<FixedColumnBuffer<long>>(c++).Append(error.Offset);
            Errors.Column<Utf8ColumnBuffer>(c++).Append(error.Tag?.ToString());
            Errors.Column<Utf8ColumnBuffer>(c++).Append(error.ToString());
            AddRunColumns(Errors, c);
        }

        private static int AddFileColumns(ColumnBuffers row, ParsedFile file)
        {
            row.Column<Utf8ColumnBuffer>(0).Append(file.File.Path);
            row.Column<FixedColumnBuffer<long>>(1).Append(file.Size);
            row.Column<FixedColumnBuffer<long>>(2).Append(file.ModifiedMicros);
            return 3;
        }

        private void AddRunColumns(ColumnBuffers row, int c)
        {
            row.Column<Utf8ColumnBuffer>(c++).Append(runId);
            row.Column<FixedColumnBuffer<long>>(c).Append(_ingestedAt);
            row.EndRow();
        }
    }
}
