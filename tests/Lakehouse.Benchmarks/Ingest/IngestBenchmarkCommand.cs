using System.Diagnostics;
using System.Globalization;
using Lakehouse.Engine;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Sample;
using Lakehouse.Testing;
using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Benchmarks.Ingest;

/// <summary>
/// ingest [--patients N] [--source DIR] [--repeat R] [--rounds K]: end-to-end DICOM ingestion into Delta over a realistic-pixel archive
/// (generated, or an existing folder), next to the raw reader over the same files and to pydicom, in the same run. Every
/// measurement runs in its own process pinned to the cores it is allowed (taskset), so "1 core" means one core for
/// everything the job does (walking, parsing, Parquet, commits), and the 1 → 2 core speed-up is the job's, not the
/// scheduler's. Each process runs 2R times and reports its steady state: the median of the second half's runs that
/// compiled no method (the tiered JIT done, as it is minutes into a real ingestion). The 2-core run has two peers:
/// the same job as two independent 1-core processes, each over half of the files (hard links to them), at the same time on
/// the two cores, which is the most any single process could reach on this machine (nothing shared: no heap, no walk,
/// no descriptors); and the per-file work alone on 2 threads (pinned, as ingestion pins its workers).
/// </summary>
public sealed class IngestBenchmarkCommand : IBenchmarkCommand
{
    public string Name => "ingest";

    public string Description => "ingest dicom into Delta on 1 and 2 pinned cores vs the raw reader (1 core) and pydicom, same files, same run";

    public int Run(string[] args)
    {
        int patients = IntOption(args, "--patients") ?? 60;
        int repeat = Math.Max(1, IntOption(args, "--repeat") ?? 10);
        int rounds = Math.Max(1, IntOption(args, "--rounds") ?? 3);
        using var dir = new TempDirectory("ingest-bench");
        string source = Option(args, "--source") ?? GenerateArchive(dir.Combine("archive"), patients);
        string[] files = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        long bytes = files.Sum(f => new FileInfo(f).Length);
        int cores = Environment.ProcessorCount;
        Console.WriteLine($"{files.Length} files, {bytes / 1e6:F1} MB, {cores} cores; {rounds} rounds of every measurement, interleaved; each: the steady median of {2 * repeat} runs in a process pinned with taskset");
        string list = dir.Combine("files.txt");
        File.WriteAllLines(list, files);

        // Rounds interleave the measurements so that a slow spell of a shared machine hits all of them, and the ratios are
        // taken within a round; the table shows each measurement's median round.
        var header = new List<Measured>();
        var headerBatched = new List<Measured>();
        var parse = new List<Measured>();
        var ingest1 = new List<Measured>();
        var ingest2 = new List<Measured>();
        var parse2 = new List<Measured>();
        var halves = new List<Measured>();
        string[]? halfFolders = cores >= 2 ? LinkHalves(files, source, dir.Combine("halves")) : null;
        if (cores >= 2 && halfFolders is null) Console.WriteLine("(no hard links into the scratch folder here: the two-process peer is left out)");
        for (int r = 0; r < rounds; r++)
        {
            header.Add(Worker(1, "header", list, dir.Path, 1, repeat));
            headerBatched.Add(Worker(1, "header-batched", source, dir.Path, 1, repeat));
            parse.Add(Worker(1, "parse", list, dir.Path, 1, repeat));
            ingest1.Add(Worker(1, "ingest", source, dir.Path, 1, repeat));
            if (cores < 2) continue;
            ingest2.Add(Worker(2, "ingest", source, dir.Path, 2, repeat));
            parse2.Add(Worker(2, "parse-threads", list, dir.Path, 2, repeat));
            if (halfFolders is not null) halves.Add(WorkersSideBySide("ingest", halfFolders, dir.Path, repeat));
        }
        double pydicom = Pydicom(list);

        void Row(string name, double s, double? cpu) =>
            Console.WriteLine($"{name,-62} {files.Length / s,9:F0} files/s {bytes / 1e6 / s,9:F1} MB/s {s,7:F2} s wall {(cpu is { } c ? c.ToString("F2", CultureInfo.InvariantCulture) + " s CPU" : "")}");
        static Measured Typical(List<Measured> m) => m.OrderBy(x => x.Wall).ElementAt(m.Count / 2);
        Row("raw reader, 1 core (DicomFileReader.ReadHeader, each listed path opened)", Typical(header).Wall, Typical(header).Cpu);
        Row("raw reader over ingestion's batched opens, 1 core (walk included)", Typical(headerBatched).Wall, Typical(headerBatched).Cpu);
        Row("reader + DICOM JSON + SHA-256, 1 core (ingestion's per-file work)", Typical(parse).Wall, Typical(parse).Cpu);
        Row("pydicom dcmread(stop_before_pixels) + to_json, 1 core", pydicom, null);
        Row("ingest dicom into Delta, 1 core", Typical(ingest1).Wall, Typical(ingest1).Cpu);
        if (ingest2.Count > 0) Row("ingest dicom into Delta, 2 cores", Typical(ingest2).Wall, Typical(ingest2).Cpu);
        if (halves.Count > 0) Row("peer: 2 ingest processes, 1 core each, half the files each", Typical(halves).Wall, Typical(halves).Cpu);

        // Per round: min, median, max. CPU time is the steadier figure when other work shares the machine; wall time is what
        // the targets are stated in.
        string Spread(Func<int, double> ratio)
        {
            var v = Enumerable.Range(0, rounds).Select(ratio).Order().ToArray();
            return string.Create(CultureInfo.InvariantCulture, $"{v[0]:F2}x / {v[v.Length / 2]:F2}x / {v[^1]:F2}x (min / median / max over rounds)");
        }
        Console.WriteLine($"ingest on 1 core / raw reader on 1 core, wall: {Spread(i => ingest1[i].Wall / header[i].Wall)}; target <= 1.5x");
        Console.WriteLine($"ingest on 1 core / raw reader on 1 core, CPU:  {Spread(i => ingest1[i].Cpu / header[i].Cpu)}");
        // The same reader given the files as ingestion opens them (io_uring batches where available): what ingestion adds.
        Console.WriteLine($"ingest on 1 core / raw reader, batched opens: {Spread(i => ingest1[i].Wall / headerBatched[i].Wall)}");
        Console.WriteLine($"ingest on 1 core / reader + JSON + SHA-256:   {Spread(i => ingest1[i].Wall / parse[i].Wall)} (walking, ordering, Parquet, commits)");
        if (ingest2.Count > 0)
        {
            Console.WriteLine($"ingest speed-up 1 -> 2 cores, wall:           {Spread(i => ingest1[i].Wall / ingest2[i].Wall)}; target near-linear (2x)");
            Console.WriteLine($"ingest CPU on 2 cores / on 1 core:            {Spread(i => ingest2[i].Cpu / ingest1[i].Cpu)}");
            if (halves.Count > 0)
            {
                // What this machine gives two cores of this very job when nothing is shared: the ceiling of near-linear here.
                Console.WriteLine($"peer: 2 processes on halves vs 1 core, wall:  {Spread(i => ingest1[i].Wall / halves[i].Wall)} (the machine's own 2-core scaling of the job)");
                Console.WriteLine($"ingest on 2 cores vs that peer, wall:         {Spread(i => halves[i].Wall / ingest2[i].Wall)} (1.00x: one process scales as well as two)");
            }
            // The ceiling inside one process: the per-file work alone on 2 threads, each over half the files, nothing shared.
            Console.WriteLine($"per-file work alone, 1 -> 2 threads, wall:    {Spread(i => parse[i].Wall / parse2[i].Wall)} (no walk, no rows, no commits)");
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingest on 1 core vs pydicom on 1 core:        {pydicom / Typical(ingest1).Wall:F1}x faster"));
        return 0;
    }

    internal sealed record Measured(double Wall, double Cpu);

    internal static string GenerateArchive(string target, int patients)
    {
        SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = target, Patients = patients, Seed = 3, Pixels = PixelSize.Realistic });
        return Path.Combine(target, SampleArchiveGenerator.DicomFolder);
    }

    // One measurement in a child process pinned to the first `cores` cores; it prints its steady median in seconds.
    internal static Measured Worker(int cores, string mode, string input, string scratch, int threads, int repeat) =>
        Worker(Enumerable.Range(0, cores).ToArray(), mode, input, scratch, threads, repeat);

    // One measurement in a child process pinned to the given cores.
    private static Measured Worker(int[] cpus, string mode, string input, string scratch, int threads, int repeat)
    {
        string dll = typeof(IngestBenchmarkCommand).Assembly.Location;
        string[] command = ["dotnet", dll, "ingest-worker", mode, input, scratch, threads.ToString(CultureInfo.InvariantCulture), repeat.ToString(CultureInfo.InvariantCulture)];
        var result = Pinned(cpus, command);
        if (!result.Succeeded) throw new InvalidOperationException($"{mode} worker failed: {result.StdErr}");
        string[] figures = result.StdOut.Trim().Split('\n')[^1].Split(' ');
        return new Measured(double.Parse(figures[0], CultureInfo.InvariantCulture), double.Parse(figures[1], CultureInfo.InvariantCulture));
    }

    // The same measurement in one process per input at once, process i pinned to core i: the pair's time is the slower
    // one's (both run all their runs side by side), its CPU time the sum.
    internal static Measured WorkersSideBySide(string mode, string[] inputs, string scratch, int repeat)
    {
        var runs = inputs.Select((input, core) => Task.Run(() => Worker([core], mode, input, scratch, threads: 1, repeat))).ToArray();
        var measured = Task.WhenAll(runs).GetAwaiter().GetResult();
        return new Measured(measured.Max(m => m.Wall), measured.Sum(m => m.Cpu));
    }

    // Two folders under target, each with hard links to half of the files (in walk order) at their paths relative to
    // source: the same bytes, the same page cache, no copy. Null when the file system refuses the links.
    private static string[]? LinkHalves(string[] files, string source, string target)
    {
        string[] halves = [Path.Combine(target, "h0"), Path.Combine(target, "h1")];
        for (int i = 0; i < files.Length; i++)
        {
            string link = Path.Combine(halves[i < files.Length / 2 ? 0 : 1], Path.GetRelativePath(source, files[i]));
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            if (HardLink(files[i], link) != 0) return null;
        }
        return halves;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int HardLink(string existing, string link);

    private static ToolResult Pinned(int cores, string[] command) => Pinned(Enumerable.Range(0, cores).ToArray(), command);

    private static ToolResult Pinned(int[] cpus, string[] command)
    {
        string? taskset = ExternalTool.Find("taskset");
        string cpuList = string.Join(',', cpus);
        return taskset is null
            ? ExternalTool.Run(command[0], command[1..], TimeSpan.FromMinutes(30))
            : ExternalTool.Run(taskset, ["-c", cpuList, .. command], TimeSpan.FromMinutes(30));
    }

    private static double Pydicom(string list)
    {
        const string script = """
import sys, time, warnings
warnings.simplefilter('ignore')
import pydicom
files = [l.rstrip('\n') for l in open(sys.argv[1]) if l.strip()]
def once():
    t = time.perf_counter()
    for f in files:
        try:
            ds = pydicom.dcmread(f, stop_before_pixels=True)
            ds.to_json()
        except Exception:
            pass
    return time.perf_counter() - t
once()
print(min(once() for _ in range(2)))
""";
        var r = Pinned(1, [Lakehouse.Testing.Pydicom.Python, "-c", script, list]);
        if (!r.Succeeded) throw new InvalidOperationException("pydicom failed: " + r.StdErr);
        return double.Parse(r.StdOut.Trim(), CultureInfo.InvariantCulture);
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int? IntOption(string[] args, string name) =>
        Option(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;
}

/// <summary>
/// ingest-worker MODE INPUT SCRATCH THREADS REPEAT: one measurement of the ingest benchmark inside this process (which the
/// ingest benchmark pins to its cores). Over the files listed in INPUT: header (the raw reader, DicomFileReader.ReadHeader,
/// on each path opened with SourceTree.Open), header-filestream (ReadHeader(path), which opens a
/// FileStream), parse (the job's per-file work, DicomFileParser.Parse). Over the folder INPUT: walk / walk-managed / count
/// (SourceTree's libc walk, .NET's enumeration, the count), walk-open / walk-open-paths / walk-open-managed (walk + open
/// relative to the folder, by full path, or through .NET, with size and time +
/// 16 KiB read per file, libc or .NET), header-batched (the raw reader on the files opened as ingestion opens them: walk,
/// io_uring batches), ingest (DicomIngestJob into a fresh lake under SCRATCH). Prints the steady median wall and
/// CPU seconds of 2 x REPEAT runs after a first one (see Run).
/// </summary>
public sealed class IngestWorkerCommand : IBenchmarkCommand
{
    public string Name => "ingest-worker";

    public string Description => "one pinned measurement for `ingest` (not run on its own)";

    public int Run(string[] args)
    {
        string mode = args[0], input = args[1], scratch = args[2];
        int threads = int.Parse(args[3], CultureInfo.InvariantCulture), repeat = int.Parse(args[4], CultureInfo.InvariantCulture);
        int run = 0;
        Func<double> once = mode switch
        {
            "header" => () => Files(input, f =>
            {
                using var file = SourceTree.Open(f);
                return DicomFileReader.ReadHeader(file.Stream, "bench").IsSuccess;
            }),
            "header-filestream" => () => Files(input, f => DicomFileReader.ReadHeader(f, "bench").IsSuccess),
            // The raw reader over the folder INPUT opened as ingestion opens it: walked, then batched (ChunkOpener) where
            // io_uring is available, else file by file.
            "header-batched" => () => Timed(() => ReadBatched(input)),
            "parse" => () => Files(input, ParseAsIngestionDoes),
            // The job's per-file work on THREADS threads, each over its own share of the list, with no pipeline between
            // them: how far the per-file work alone scales inside one process.
            "parse-threads" => () => FilesOnThreads(input, threads, ParseAsIngestionDoes),
            "walk" => () => Timed(() => SourceTree.Walk(input).Count()),
            "walk-managed" => () => Timed(() => SourceTree.WalkManaged(input).Count()),
            "count" => () => Timed(() => (int)SourceTree.Count(input)),
            // What ingestion does per file before parsing: walk, open with size and time, read the first 16 KiB.
            "walk-open" => () => Timed(() => WalkOpen(SourceTree.WalkFiles(input), static f => SourceTree.Open(f))),
            // The same over .NET's own APIs (the fallback off Linux): enumeration, FileStream, fstat.
            "walk-open-managed" => () => Timed(() => WalkOpen(SourceTree.WalkManaged(input), OpenedSourceFile.OpenManaged)),
            // Open by full path after the walk (as the raw reader, given a list of paths, opens): walk-open opens relative to the folder.
            "walk-open-paths" => () => Timed(() => WalkOpen(SourceTree.Walk(input), SourceTree.Open)),
            "ingest" => () =>
            {
                string lake = Path.Combine(scratch, $"lake-{Environment.ProcessId}-{run++}");
                var sw = Stopwatch.StartNew();
                new DicomIngestJob(new LakeStore(lake), new DicomIngestOptions(input) { Parallelism = threads }).Run();
                double s = sw.Elapsed.TotalSeconds;
                if (Directory.Exists(lake)) Directory.Delete(lake, recursive: true);
                return s;
            },
            _ => throw new ArgumentException($"unknown mode {mode}"),
        };
        once(); // first touch: page cache, tier-0 code
        // Steady state: 2R runs; the figure is the median of the second half's runs that compiled no method. The tiered JIT
        // keeps promoting code a run calls only a few times (setup, commits) for many runs, on a background thread that
        // takes a core from the run; an ingestion of a real archive, minutes long, pays that once. A best-of-R after one
        // warm-up still measured it in runs of 0.2 s.
        var runs = Enumerable.Range(0, 2 * repeat).Select(_ =>
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            long allocated = GC.GetTotalAllocatedBytes(precise: false);
            int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
            long jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
            var jitTime = System.Runtime.JitInfo.GetCompilationTime();
            var paused = GC.GetTotalPauseDuration();
            double wall = once();
            long compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - jitted;
            // Diagnostics on stderr (the parent reads stdout): what the run allocated, how often the GC ran and how long it
            // stopped the threads (a pause stops every worker: serial time that no second core shortens).
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode}: {wall:F3} s, allocated {(GC.GetTotalAllocatedBytes(precise: false) - allocated) / 1e6:F0} MB, GCs gen0/1/2 {GC.CollectionCount(0) - collections[0]}/{GC.CollectionCount(1) - collections[1]}/{GC.CollectionCount(2) - collections[2]} ({(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F1} ms paused), " +
                $"methods jitted {compiled} ({(System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds:F0} ms)"));
            return (Wall: wall, Cpu: (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds, Compiled: compiled);
        }).ToArray();
        var late = runs[repeat..];
        var steady = late.Where(r => r.Compiled == 0).ToArray() is { Length: > 0 } quiet ? quiet : late;
        double Median(Func<(double Wall, double Cpu, long Compiled), double> of)
        {
            var v = steady.Select(of).Order().ToArray();
            return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Median(r => r.Wall):R} {Median(r => r.Cpu):R}"));
        return 0;
    }

    private static int ReadBatched(string root)
    {
        int ok = 0;
        using var opener = ChunkOpener.TryCreate(32);
        using var walk = new ChunkedWalk(SourceTree.WalkFiles(root));
        var chunk = new IngestChunk(32);
        var heads = new HeadLength();
        while (walk.TryTake(chunk))
        {
            if (opener is null)
            {
                for (int i = 0; i < chunk.Count; i++)
                {
                    try
                    {
                        using var file = SourceTree.Open(chunk.Walked[i]);
                        if (DicomFileReader.ReadHeader(file.Stream, "bench").IsSuccess) ok++;
                    }
                    catch (IOException) { }
                }
            }
            else
            {
                opener.Open(chunk);
                opener.ReadHeads(_ => true, heads.NextChunk());
                for (int i = 0; i < chunk.Count; i++)
                {
                    if (!opener[i].IsRegularFile) continue;
                    var result = DicomFileReader.ReadHeader(opener.HeadOf(i), opener.RestOf(i), "bench");
                    if (!result.IsSuccess) continue;
                    ok++;
                    heads.Saw(result.HeaderBytes);
                }
            }
            chunk.Reset();
        }
        return ok;
    }

    private static readonly byte[] HeaderBuffer = new byte[16 * 1024];

    private static int WalkOpen<T>(IEnumerable<T> paths, Func<T, OpenedSourceFile> open)
    {
        long sum = 0;
        foreach (var path in paths)
        {
            using var file = open(path);
            sum += file.Size + file.ModifiedMicros + file.Stream.ReadAtLeast(HeaderBuffer, HeaderBuffer.Length, throwOnEndOfStream: false);
        }
        return (int)sum;
    }

    private static double Timed(Func<int> work)
    {
        var sw = Stopwatch.StartNew();
        GC.KeepAlive(work());
        return sw.Elapsed.TotalSeconds;
    }

    [ThreadStatic] private static System.Buffers.ArrayBufferWriter<byte>? t_json;
    [ThreadStatic] private static HeadLength? t_heads;
    [ThreadStatic] private static int t_parsed;

    // Ingestion's per-file work on one listed file: open it (SourceTree.Open), read its head as long as the worker's
    // HeadLength says (moving on every 32 files, a chunk), parse, hash and append the JSON (one buffer, reused).
    private static bool ParseAsIngestionDoes(string path)
    {
        var json = t_json ??= new System.Buffers.ArrayBufferWriter<byte>(64 * 1024);
        var heads = t_heads ??= new HeadLength();
        if (t_parsed++ % 32 == 0) heads.NextChunk();
        json.ResetWrittenCount();
        ParsedDicomFile result;
        try
        {
            using var file = SourceTree.Open(path);
            result = DicomFileParser.Parse(file.Stream, heads.Current, t_parsed, file.Size, json);
        }
        catch (IOException) { return false; }
        if (result.Error is not null) return false;
        heads.Saw(result.BytesRead);
        return true;
    }

    private static double FilesOnThreads(string list, int threads, Func<string, bool> read)
    {
        string[] files = File.ReadAllLines(list);
        var cpus = WorkerCpus.Assign(threads); // pinned as ingestion pins its workers
        var sw = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            if (cpus is not null) WorkerCpus.PinCurrentThread(cpus[t]);
            for (int i = t; i < files.Length; i += threads) read(files[i]);
        })).ToArray();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        return sw.Elapsed.TotalSeconds;
    }

    private static double Files(string list, Func<string, bool> read)
    {
        string[] files = File.ReadAllLines(list);
        var sw = Stopwatch.StartNew();
        int ok = 0;
        foreach (string f in files) if (read(f)) ok++;
        GC.KeepAlive(ok);
        return sw.Elapsed.TotalSeconds;
    }
}
