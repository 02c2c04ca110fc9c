using System.Globalization;
using Lakehouse.Testing;

namespace Lakehouse.Benchmarks.Ingest;

/// <summary>
/// source-walk [--source DIR] [--patients N] [--repeat R]: the archive walk and the per-file open that ingestion pays
/// before parsing, over libc (SourceTree.Walk, SourceTree.Open: no stat per walked file, open + statx + pread) vs over
/// .NET's own APIs (directory enumeration with its lstat per entry, FileStream with its flock and fstat), each in its own
/// process pinned to one core, same files, same run. CPU time is the steadier figure on a shared machine.
/// </summary>
public sealed class SourceWalkBenchmarkCommand : IBenchmarkCommand
{
    public string Name => "source-walk";

    public string Description => "archive walk and header open: SourceTree.Walk/Open (libc) vs .NET enumeration and FileStream, 1 pinned core, same run";

    public int Run(string[] args)
    {
        string? Option(string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int repeat = int.Parse(Option("--repeat") ?? "5", CultureInfo.InvariantCulture);
        int patients = int.Parse(Option("--patients") ?? "60", CultureInfo.InvariantCulture);
        using var dir = new TempDirectory("source-walk-bench");
        string source = Option("--source") ?? IngestBenchmarkCommand.GenerateArchive(dir.Combine("archive"), patients);
        long files = Lakehouse.Jobs.Ingest.SourceTree.Count(source); // what the walks yield (links excluded)
        Console.WriteLine($"{files} files; each figure: the steady median of {2 * repeat} runs in a process pinned to 1 core");

        var measured = new[] { "walk-managed", "walk", "walk-open-managed", "walk-open-paths", "walk-open" }
            .ToDictionary(m => m, m => IngestBenchmarkCommand.Worker(1, m, source, dir.Path, 1, repeat));
        foreach (var (mode, m) in measured)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode,-20} {files / m.Wall,10:F0} files/s {m.Wall,8:F3} s wall {m.Cpu,8:F3} s CPU"));
        void Ratio(string label, string old, string now) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label,-44} {measured[old].Wall / measured[now].Wall:F2}x less wall time, {measured[old].Cpu / measured[now].Cpu:F2}x less CPU time"));
        Ratio("walk: libc vs .NET enumeration", "walk-managed", "walk");
        Ratio("walk + open + 16 KiB read: libc vs .NET", "walk-open-managed", "walk-open");
        Ratio("open relative to the folder vs by full path", "walk-open-paths", "walk-open");
        return 0;
    }
}
