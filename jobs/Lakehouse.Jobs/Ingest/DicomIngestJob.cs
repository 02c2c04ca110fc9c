using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Lakehouse.Engine;
using Lakehouse.Tables;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Udfs.Dicom.Json;
using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Jobs.Ingest;

/// <summary>Settings of a DICOM ingestion run.</summary>
/// <param name="SourceDirectory">The archive folder, read recursively.</param>
public sealed record DicomIngestOptions(string SourceDirectory)
{
    /// <summary>Files per commit: a killed run loses at most the batch in flight.</summary>
    public int BatchSize { get; init; } = 5000;
    /// <summary>Header JSON bytes per commit, so huge headers do not make a batch hold too much memory.</summary>
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
/// Files are enumerated lazily, parsed in parallel (headers only: reading stops before Pixel Data) and committed in
/// batches while parsing goes on, so memory is bounded by the batch, not the archive. A file version (path, size,
/// mtime) already landed in any bronze DICOM table is skipped; a SOP Instance UID already landed goes to
/// bronze.dicom_duplicates as a duplicate (same header) or a conflict (different header), never overwriting.
/// Each batch commits instances first, so a killed run is finished by the next one with no duplicate rows.
/// </summary>
public sealed class DicomIngestJob
{
    /// <summary>The job name recorded in lineage.</summary>
    public const string JobName = "ingest-dicom";

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
        var batch = new Batch(runId, ingestedAt);
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        long found = 0, unchanged = 0, instances = 0, duplicates = 0, conflicts = 0, errors = 0, bytes = 0;
        long? total = null;
        _ = Task.Run(() => total = CountFiles(source), cancellation);

        var work = Channel.CreateBounded<SourceFile>(new BoundedChannelOptions(_options.Parallelism * 64) { SingleWriter = true });
        var results = Channel.CreateBounded<ParsedFile>(new BoundedChannelOptions(_options.Parallelism * 256) { SingleReader = true });

        var producer = Task.Run(async () =>
        {
            try
            {
                long seq = 0;
                foreach (string path in EnumerateFiles(source))
                {
                    cancellation.ThrowIfCancellationRequested();
                    FileInfo info;
                    try
                    {
                        info = new FileInfo(path);
                        if (!info.Exists || info.LinkTarget is not null) continue; // links are not followed: a file is read where it lives, once
                    }
                    catch (IOException) { continue; }
                    Interlocked.Increment(ref found);
                    long size = info.Length, micros = FileFingerprint.Micros(info.LastWriteTimeUtc);
                    if (known.FileVersions.Contains(FileFingerprint.Of(path, size, micros)))
                    {
                        Interlocked.Increment(ref unchanged);
                        continue;
                    }
                    await work.Writer.WriteAsync(new SourceFile(++seq, path, size, micros), cancellation).ConfigureAwait(false);
                }
            }
            finally { work.Writer.Complete(); }
        }, cancellation);

        var parsers = Enumerable.Range(0, Math.Max(1, _options.Parallelism)).Select(_ => Task.Run(async () =>
        {
            await foreach (var file in work.Reader.ReadAllAsync(cancellation).ConfigureAwait(false))
                await results.Writer.WriteAsync(Parse(file), cancellation).ConfigureAwait(false);
        }, cancellation)).ToArray();
        _ = Task.WhenAll(parsers).ContinueWith(t => results.Writer.Complete(t.Exception), TaskScheduler.Default);

        var lastReport = Stopwatch.StartNew();
        void Report(bool force)
        {
            if (_options.Progress is null || (!force && lastReport.ElapsedMilliseconds < 250)) return;
            lastReport.Restart();
            _options.Progress(new IngestProgress(Interlocked.Read(ref found) - (work.Reader.Count + results.Reader.Count), total, bytes, errors, clock.Elapsed));
        }

        void Flush()
        {
            if (batch.IsEmpty) return;
            BronzeTables.Append(_lake, BronzeTables.DicomInstances, BronzeTables.DicomInstancesSchema, batch.Instances, lineage, versions);
            BronzeTables.Append(_lake, BronzeTables.DicomDuplicates, BronzeTables.DicomDuplicatesSchema, batch.Duplicates, lineage, versions);
            BronzeTables.Append(_lake, BronzeTables.DicomErrors, BronzeTables.DicomErrorsSchema, batch.Errors, lineage, versions);
            batch.Clear();
        }

        // Results are handled in enumeration order (a small reorder buffer behind the parallel parsers), so when two files
        // carry the same SOP Instance UID the one kept is the first in path order, the same on every run and machine.
        var pending = new Dictionary<long, ParsedFile>();
        long nextSequence = 1;
        foreach (var arrived in results.Reader.ReadAllAsync(cancellation).ToBlockingEnumerable(cancellation))
        {
            pending[arrived.File.Sequence] = arrived;
            while (pending.Remove(nextSequence, out var parsed))
            {
                nextSequence++;
                Handle(parsed);
            }
        }
        producer.GetAwaiter().GetResult();
        Task.WhenAll(parsers).GetAwaiter().GetResult();
        Flush();
        Report(force: true);
        return new DicomIngestSummary(runId, found, unchanged, instances, duplicates, conflicts, errors, bytes, clock.Elapsed, versions);

        void Handle(ParsedFile parsed)
        {
            bytes += parsed.BytesRead;
            if (parsed.Error is { } error)
            {
                errors++;
                batch.AddError(parsed.File, error);
            }
            else
            {
                var keys = parsed.Keys!;
                ulong sop = FileFingerprint.Hash(keys.SopInstanceUid!);
                ulong header = KnownDicomFiles.HashPrefix(parsed.HeaderSha256!);
                if (known.HeaderBySop.TryGetValue(sop, out ulong kept))
                {
                    bool identical = kept == header;
                    if (identical) duplicates++; else conflicts++;
                    batch.AddDuplicate(parsed, identical ? "duplicate" : "conflict");
                }
                else
                {
                    known.HeaderBySop[sop] = header;
                    instances++;
                    batch.AddInstance(parsed);
                }
            }
            if (batch.Count >= _options.BatchSize || batch.JsonBytes >= _options.MaxBatchJsonBytes) Flush();
            Report(force: false);
        }
    }

    private static ParsedFile Parse(SourceFile file)
    {
        // The label names the file by its number in this run: paths carry patient names and never reach a message.
        string label = "file #" + file.Sequence.ToString(CultureInfo.InvariantCulture);
        try
        {
            using var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            var result = DicomFileReader.ReadHeader(stream, label);
            if (!result.IsSuccess) return new ParsedFile(file, result.Error, null, null, null, result.HeaderBytes > 0 ? result.HeaderBytes : Math.Min(file.Size, 65536));
            if (string.IsNullOrEmpty(result.Keys!.SopInstanceUid))
                return new ParsedFile(file, new DicomReadError(label, 0, Udfs.Dicom.DicomTags.SOPInstanceUID, DicomReadErrorReason.InvalidStructure), null, null, null, result.HeaderBytes);
            string json = DicomJson.Serialize(result.Dataset!);
            string sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
            return new ParsedFile(file, null, result.Keys, json, sha, result.HeaderBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ParsedFile(file, new DicomReadError(label, 0, null, DicomReadErrorReason.IoError), null, null, null, 0);
        }
    }

    // Depth-first, names in ordinal order: the same order on every run and file system. Linked folders are not followed.
    private static IEnumerable<string> EnumerateFiles(string root)
    {
        var folders = new Stack<string>();
        folders.Push(root);
        while (folders.Count > 0)
        {
            string folder = folders.Pop();
            string[] files, subfolders;
            try
            {
                files = Directory.GetFiles(folder);
                subfolders = Directory.GetDirectories(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            Array.Sort(files, StringComparer.Ordinal);
            foreach (string file in files) yield return file;
            Array.Sort(subfolders, StringComparer.Ordinal);
            for (int i = subfolders.Length - 1; i >= 0; i--)
                if ((File.GetAttributes(subfolders[i]) & FileAttributes.ReparsePoint) == 0) folders.Push(subfolders[i]);
        }
    }

    private static long CountFiles(string root)
    {
        long n = 0;
        foreach (string _ in EnumerateFiles(root)) n++;
        return n;
    }

    private sealed record SourceFile(long Sequence, string Path, long Size, long ModifiedMicros)
    {
        public DateTime ModifiedAt => DateTime.UnixEpoch.AddTicks(ModifiedMicros * 10);
    }

    private sealed record ParsedFile(SourceFile File, DicomReadError? Error, DicomKeyAttributes? Keys, string? TagsJson, string? HeaderSha256, long BytesRead);

    /// <summary>The rows of one commit, column by column in schema order.</summary>
    private sealed class Batch(string runId, DateTimeOffset ingestedAt)
    {
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
            foreach (var key in DicomKeyAttributes.BronzeColumns) columns[c++].Add(BronzeTables.ToColumnValue(key.Get(p.Keys!)));
            columns[c++].Add(p.BytesRead);
            columns[c++].Add(p.HeaderSha256);
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

        public void Clear()
        {
            foreach (var columns in new[] { Instances, Duplicates, Errors })
                foreach (var column in columns) column.Clear();
            JsonBytes = 0;
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
