using Lakehouse.Engine;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Lakehouse.Jobs.Ingest;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse ingest dicom|reports</c>: files into the bronze zone (which holds PHI).</summary>
public static class IngestCommand
{
    private const string PhiWarning = "Bronze tables hold PHI (names, ids, dates, source paths): keep the lake's bronze/ and restricted/ folders access-controlled.";

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var command = new Command("ingest", "Land source files in bronze Delta tables, incrementally. " + PhiWarning);
        command.Subcommands.Add(Dicom());
        command.Subcommands.Add(Reports());
        return command;
    }

    private static Command Dicom()
    {
        var source = new Option<DirectoryInfo>("--source") { Description = "The DICOM archive folder (read recursively; any file names, junk tolerated)", Required = true };
        var lake = CommonOptions.Lake();
        var json = CommonOptions.Json();
        var batch = new Option<int>("--batch-size") { Description = "Files per commit: a killed run loses at most one batch", DefaultValueFactory = _ => 5000 };
        var threads = new Option<int>("--threads") { Description = "Header parsers in parallel (default: one per CPU, each pinned to its own)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("dicom", "Read every DICOM header under --source into bronze.dicom_instances; broken files go to bronze.dicom_errors, " +
            "re-delivered SOP instances to bronze.dicom_duplicates. Re-running adds only new or changed files. " + PhiWarning)
        {
            source, lake, json, batch, threads,
        };
        command.SetAction(int (ParseResult parse) =>
        {
            bool quiet = parse.GetValue(json);
            var progress = ProgressLine.For(quiet);
            var job = new DicomIngestJob(new LakeStore(parse.GetValue(lake)!.FullName), new DicomIngestOptions(parse.GetValue(source)!.FullName)
            {
                BatchSize = Positive(parse.GetValue(batch), "--batch-size"),
                Parallelism = Positive(parse.GetValue(threads), "--threads"),
                Progress = progress is null ? null : p => progress.Show(p),
            });
            var summary = job.Run();
            progress?.Done();
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine(quiet ? JsonSerializer.Serialize(summary, JsonOutput.Options) : summary.ToString());
            return 0;
        });
        return command;
    }

    private static Command Reports()
    {
        var source = new Option<FileSystemInfo>("--source") { Description = "A .jsonl/.ndjson/.csv report file, or a folder of them", Required = true };
        var lake = CommonOptions.Lake();
        var json = CommonOptions.Json();
        var command = new Command("reports", "Read radiology reports (report_id, text, and accession_number, patient_id, report_date, status when present) " +
            "into bronze.reports with FINDINGS and IMPRESSION split out; bad records go to bronze.report_errors. Re-running adds only new reports. " + PhiWarning)
        {
            source, lake, json,
        };
        command.SetAction(int (ParseResult parse) =>
        {
            var summary = new ReportIngestJob(new LakeStore(parse.GetValue(lake)!.FullName), parse.GetValue(source)!.FullName).Run();
            parse.InvocationConfiguration.Output.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(summary, JsonOutput.Options) : summary.ToString());
            return 0;
        });
        return command;
    }

    internal static int Positive(int value, string option) =>
        value > 0 ? value : throw new Jobs.UserInputException($"{option} must be a positive number");
}

/// <summary>A one-line progress display on a terminal's stderr (files, MB, files/s, errors, ETA); silent when redirected.</summary>
internal sealed class ProgressLine
{
    private int _width;

    public static ProgressLine? For(bool quiet) => quiet || Console.IsErrorRedirected ? null : new ProgressLine();

    public void Show(IngestProgress p)
    {
        string eta = p.Eta is { } e ? e.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : "?";
        string total = p.FilesTotal is { } t ? "/" + t.ToString(CultureInfo.InvariantCulture) : "";
        string line = string.Create(CultureInfo.InvariantCulture,
            $"  files {p.FilesDone}{total} | {p.BytesRead / 1e6:F1} MB | {p.FilesPerSecond:F0} files/s | errors {p.Errors} | ETA {eta}");
        _width = Math.Max(_width, line.Length);
        Console.Error.Write("\r" + line.PadRight(_width));
    }

    public void Done()
    {
        if (_width > 0) Console.Error.WriteLine();
    }
}

/// <summary>JSON settings for --json output.</summary>
internal static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
