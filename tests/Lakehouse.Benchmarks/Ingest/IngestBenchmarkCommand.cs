using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Lakehouse.Engine;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Sample;
using Lakehouse.Testing;
using Lakehouse.Udfs.Dicom.Json;
using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Benchmarks.Ingest;

/// <summary>
/// ingest [--patients N]: end-to-end DICOM ingestion into Delta over a generated realistic-pixel sample archive, next to
/// the raw reader doing the same per-file work (keys, DICOM JSON, SHA-256) single-threaded and to pydicom over the same
/// files, in the same run. Prints files/s and MB/s and the ratios the ingestion targets are stated in.
/// </summary>
public sealed class IngestBenchmarkCommand : IBenchmarkCommand
{
    public string Name => "ingest";

    public string Description => "ingest dicom into Delta (1 and all cores) vs the raw reader (1 thread) and pydicom, same files, same run";

    public int Run(string[] args)
    {
        int patients = args.Length >= 2 && args[0] == "--patients" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
        using var dir = new TempDirectory("ingest-bench");
        SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = dir.Combine("archive"), Patients = patients, Seed = 3, Pixels = PixelSize.Realistic });
        string source = dir.Combine("archive", SampleArchiveGenerator.DicomFolder);
        string[] files = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        long bytes = files.Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"{files.Length} files, {bytes / 1e6:F1} MB (512x512 16-bit pixels), {Environment.ProcessorCount} cores");

        Reader(files); // warm the page cache and the JIT
        double reader = Enumerable.Range(0, 3).Min(_ => Reader(files));
        double pydicom = Pydicom(files);
        double ingest1 = Enumerable.Range(0, 2).Min(i => Ingest(source, dir.Combine($"lake1-{i}"), 1));
        double ingestN = Enumerable.Range(0, 2).Min(i => Ingest(source, dir.Combine($"lakeN-{i}"), Environment.ProcessorCount));

        void Row(string name, double s) => Console.WriteLine($"{name,-46} {files.Length / s,10:F0} files/s {bytes / 1e6 / s,10:F1} MB/s");
        Row("raw reader, 1 thread (keys + JSON + SHA-256)", reader);
        Row("pydicom dcmread(stop_before_pixels)+to_json, 1 th.", pydicom);
        Row("ingest dicom into Delta, 1 thread", ingest1);
        Row($"ingest dicom into Delta, {Environment.ProcessorCount} threads", ingestN);
        Console.WriteLine($"ingest 1 thread / raw reader 1 thread: {ingest1 / reader:F2}x the time (target <= 1.5x)");
        Console.WriteLine($"ingest speed-up 1 -> {Environment.ProcessorCount} threads: {ingest1 / ingestN:F2}x");
        Console.WriteLine($"ingest 1 thread vs pydicom: {pydicom / ingest1:F1}x faster");
        return 0;
    }

    private static double Reader(string[] files)
    {
        var sw = Stopwatch.StartNew();
        foreach (string f in files)
        {
            using var s = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            var r = DicomFileReader.ReadHeader(s, "bench");
            if (!r.IsSuccess) continue;
            GC.KeepAlive(SHA256.HashData(Encoding.UTF8.GetBytes(DicomJson.Serialize(r.Dataset!))));
        }
        return sw.Elapsed.TotalSeconds;
    }

    private static double Ingest(string source, string lake, int threads)
    {
        var sw = Stopwatch.StartNew();
        new DicomIngestJob(new LakeStore(lake), new DicomIngestOptions(source) { Parallelism = threads }).Run();
        return sw.Elapsed.TotalSeconds;
    }

    private static double Pydicom(string[] files)
    {
        using var temp = new TempDirectory("ingest-bench-py");
        string list = temp.Combine("files.txt");
        File.WriteAllLines(list, files);
        const string script = """
import sys, time, warnings
warnings.simplefilter('ignore')
import pydicom
files = [l.rstrip('\n') for l in open(sys.argv[1]) if l.strip()]
t = time.perf_counter()
for f in files:
    try:
        ds = pydicom.dcmread(f, stop_before_pixels=True)
        ds.to_json()
    except Exception:
        pass
print(time.perf_counter() - t)
""";
        var r = Lakehouse.Testing.Pydicom.Run(script, list);
        if (!r.Succeeded) throw new InvalidOperationException("pydicom failed: " + r.StdErr);
        return double.Parse(r.StdOut.Trim(), CultureInfo.InvariantCulture);
    }
}
