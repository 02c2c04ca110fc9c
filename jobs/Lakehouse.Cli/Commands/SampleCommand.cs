using System.CommandLine;
using Lakehouse.Jobs.Sample;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse sample</c>: writes the synthetic archive the main job and the tests run on.</summary>
public static class SampleCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write the archive into (must be new or empty)", Required = true };
        var patients = new Option<int>("--patients") { Description = "Number of people (at least 8 for the identity traps)", DefaultValueFactory = _ => 50 };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed gives a byte-identical archive", DefaultValueFactory = _ => 1 };
        var pixels = new Option<string>("--pixels")
        {
            Description = "Pixel matrix: tiny (8x8) or realistic (512x512), 16-bit either way",
            DefaultValueFactory = _ => "tiny",
            HelpName = "tiny|realistic",
        };
        // A one-line message of our own instead of the parser's multi-line enum suggestion.
        pixels.Validators.Add(result =>
        {
            if (ParsePixels(result.GetValueOrDefault<string>()) is null) result.AddError("--pixels must be tiny or realistic");
        });
        var json = CommonOptions.Json();
        var command = new Command("sample", "Write a deterministic synthetic multi-site DICOM archive (messy PACS export layout, " +
            "junk and truncated files), radiology reports (reports.jsonl) and ground truth (ground-truth/). " +
            "The archive contains synthetic PHI on purpose (names, IDs, dates, addresses in headers, paths and reports): " +
            "it is test data for de-identification, never real patients.")
        {
            output, patients, seed, pixels, json,
        };
        command.SetAction(int (ParseResult parse) =>
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var summary = SampleArchiveGenerator.Generate(new SampleArchiveOptions
            {
                OutputDirectory = parse.GetValue(output)!.FullName,
                Patients = parse.GetValue(patients),
                Seed = parse.GetValue(seed),
                Pixels = ParsePixels(parse.GetValue(pixels))!.Value,
            });
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                stdout.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
                {
                    persons = summary.Persons, studies = summary.Studies, valid_files = summary.ValidFiles, other_files = summary.OtherFiles,
                    reports = summary.Reports, bytes = summary.Bytes, seconds = Math.Round(started.Elapsed.TotalSeconds, 2),
                }));
            }
            else
            {
                stdout.WriteLine($"sample: {summary.Persons} people, {summary.Studies} studies, {summary.ValidFiles} DICOM files, " +
                    $"{summary.OtherFiles} junk/truncated/duplicate files, {summary.Reports} reports, {summary.Bytes / 1024.0 / 1024.0:F1} MiB " +
                    $"in {started.Elapsed.TotalSeconds:F1} s (synthetic PHI; see ground-truth/README.md)");
            }
            return Cli.Success;
        });
        return command;
    }

    private static PixelSize? ParsePixels(string? value) => value?.ToLowerInvariant() switch
    {
        "tiny" => PixelSize.Tiny,
        "realistic" => PixelSize.Realistic,
        _ => null,
    };
}
