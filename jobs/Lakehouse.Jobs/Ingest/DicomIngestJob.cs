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
    /// <summary>Header JSON characters per commit, so a batch of huge headers still commits (and its files stay a sensible size).</summary>
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

    /// <summary>Files (or header JSON characters) per Parquet row group handed to the writer.</summary>
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
        var results = Channel.CreateBounded<ParsedFile[]>(new BoundedChannelOptions(parallelism * 2) { SingleReader = true });
        // Row groups go to one writer, in order, while parsing goes on; it streams them into the batch's data files and
        // commits at batch ends. Memory holds a few row groups (one being written, the queued ones, one filling), not a batch.
        var full = Channel.CreateBounded<RowGroup>(new BoundedChannelOptions(QueuedRowGroups) { SingleReader = true, SingleWriter = true });

        var producer = Task.Run(async () =>
        {
            try
            {
                long seq = 0;
                var chunk = new List<SourceFile>(ChunkFiles);
                foreach (var (path, size, micros) in SourceTree.Walk(source))
                {
                    token.ThrowIfCancellationRequested();
                    Interlocked.Increment(ref found);
                    if (known.FileVersions.Contains(FileFingerprint.Of(path, size, micros)))
                    {
                        Interlocked.Increment(ref unchanged);
                        continue;
                    }
                    chunk.Add(new SourceFile(++seq, path, size, micros));
                    if (chunk.Count == ChunkFiles)
                    {
                        await work.Writer.WriteAsync(chunk.ToArray(), token).ConfigureAwait(false);
                        chunk.Clear();
                    }
                }
                if (chunk.Count > 0) await work.Writer.WriteAsync(chunk.ToArray(), token).ConfigureAwait(false);
            }
            finally { work.Writer.Complete(); }
        }, token);

        var parsers = Enumerable.Range(0, parallelism).Select(_ => Task.Run(async () =>
        {
            await foreach (var files in work.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                var parsed = new ParsedFile[files.Length];
                var json = new System.Buffers.ArrayBufferWriter<byte>(); // the chunk's header JSON, file after file
                for (int i = 0; i < files.Length; i++)
                {
                    int start = json.WrittenCount;
                    var result = DicomFileParser.Parse(files[i].Path, DicomFileParser.Label(files[i].Sequence), files[i].Size, json);
                    string? tagsJson = result.Error is null ? System.Text.Encoding.UTF8.GetString(json.WrittenSpan.Slice(start, result.JsonLength)) : null;
                    parsed[i] = new ParsedFile(files[i], result, tagsJson);
                }
                await results.Writer.WriteAsync(parsed, token).ConfigureAwait(false);
            }
        }, token)).ToArray();
        _ = Task.WhenAll(parsers).ContinueWith(t => results.Writer.TryComplete(t.Exception), TaskScheduler.Default);

        var writer = Task.Run(() =>
        {
            try
            {
                using var tables = new BronzeBatchWriter(_lake, lineage, versions);
                foreach (var group in full.Reader.ReadAllAsync(token).ToBlockingEnumerable(token))
                {
                    tables.Write(BronzeTables.DicomInstances, BronzeTables.DicomInstancesSchema, group.Instances);
                    tables.Write(BronzeTables.DicomDuplicates, BronzeTables.DicomDuplicatesSchema, group.Duplicates);
                    tables.Write(BronzeTables.DicomErrors, BronzeTables.DicomErrorsSchema, group.Errors);
                    if (group.EndsBatch) tables.EndBatch(CommitOrder);
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
            _options.Progress(new IngestProgress(Interlocked.Read(ref unchanged) + handled, total, bytes, errors, clock.Elapsed));
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
            group = new RowGroup(runId, ingestedAt);
        }

        try
        {
            // Results are handled in enumeration order (a small reorder buffer behind the parallel parsers), so when two files
            // carry the same SOP Instance UID the one kept is the first in path order, the same on every run and machine.
            var pending = new Dictionary<long, ParsedFile[]>();
            long nextSequence = 1;
            foreach (var arrived in results.Reader.ReadAllAsync(token).ToBlockingEnumerable(token))
            {
                pending[arrived[0].File.Sequence] = arrived;
                while (pending.Remove(nextSequence, out var parsed))
                {
                    nextSequence += parsed.Length;
                    foreach (var file in parsed) Handle(file);
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

        void Handle(ParsedFile parsed)
        {
            handled++;
            var result = parsed.Result;
            bytes += result.BytesRead;
            if (result.Error is { } error)
            {
                errors++;
                group.AddError(parsed.File, error);
            }
            else
            {
                ulong sop = FileFingerprint.Hash(result.Keys!.SopInstanceUid!);
                ulong header = KnownDicomFiles.HashPrefix(result.HeaderSha256!);
                if (known.HeaderBySop.TryGetValue(sop, out ulong kept))
                {
                    bool identical = kept == header;
                    if (identical) duplicates++; else conflicts++;
                    group.AddDuplicate(parsed, identical ? "duplicate" : "conflict");
                }
                else
                {
                    known.HeaderBySop[sop] = header;
                    instances++;
                    group.AddInstance(parsed);
                }
            }
            batchFiles++;
            if (batchFiles >= _options.BatchSize || batchJsonBytes + group.JsonBytes >= _options.MaxBatchJsonBytes) HandOver(endsBatch: true);
            else if (group.Count >= RowGroupFiles || group.JsonBytes >= RowGroupJsonBytes) HandOver(endsBatch: false);
            Report(force: false);
        }
    }

    private sealed record SourceFile(long Sequence, string Path, long Size, long ModifiedMicros)
    {
        public DateTime ModifiedAt => DateTime.UnixEpoch.AddTicks(ModifiedMicros * 10);
    }

    private sealed record ParsedFile(SourceFile File, ParsedDicomFile Result, string? TagsJson);

    /// <summary>The rows of one row group of the three tables, column by column in schema order; the last of a batch commits it.</summary>
    private sealed class RowGroup(string runId, DateTimeOffset ingestedAt)
    {
        public bool EndsBatch { get; set; }
        public List<object?>[] Instances { get; } = NewColumns(BronzeTables.DicomInstancesSchema);
        public List<object?>[] Duplicates { get; } = NewColumns(BronzeTables.DicomDuplicatesSchema);
        public List<object?>[] Errors { get; } = NewColumns(BronzeTables.DicomErrorsSchema);
        public long JsonBytes { get; private set; }
        public int Count => Instances[0].Count + Duplicates[0].Count + Errors[0].Count;
        public bool IsEmpty => Count == 0;

        public void AddInstance(ParsedFile p) => JsonBytes += AddHeaderRow(Instances, p, p.TagsJson, kind: null);

        public void AddDuplicate(ParsedFile p, string kind) =>
            JsonBytes += AddHeaderRow(Duplicates, p, kind == "conflict" ? p.TagsJson : null, kind);

        private int AddHeaderRow(List<object?>[] columns, ParsedFile p, string? tagsJson, string? kind)
        {
            int c = AddFileColumns(columns, 0, p.File);
            foreach (var key in DicomKeyAttributes.BronzeColumns) columns[c++].Add(BronzeTables.ToColumnValue(key.Get(p.Result.Keys!)));
            columns[c++].Add(p.Result.BytesRead);
            columns[c++].Add(p.Result.HeaderSha256);
            columns[c++].Add(tagsJson);
            if (kind is not null) columns[c++].Add(kind);
            AddRunColumns(columns, c);
            return tagsJson?.Length ?? 0;
        }

        public void AddError(SourceFile file, DicomReadError error)
        {
            int c = AddFileColumns(Errors, 0, file);
            Errors[c++].Add(error.Reason.ToString());
            Errors[c++].Add(error.Offset);
            Errors[c++].Add(error.Tag?.ToString());
            Errors[c++].Add(error.ToString());
            AddRunColumns(Errors, c);
        }

        private static int AddFileColumns(List<object?>[] columns, int c, SourceFile file)
        {
            columns[c++].Add(file.Path);
            columns[c++].Add(file.Size);
            columns[c++].Add(file.ModifiedAt);
            return c;
        }

        private void AddRunColumns(List<object?>[] columns, int c)
        {
            columns[c++].Add(runId);
            columns[c].Add(ingestedAt.UtcDateTime);
        }

        private static List<object?>[] NewColumns(StructType schema) => schema.Fields.Select(_ => new List<object?>()).ToArray();
    }
}
