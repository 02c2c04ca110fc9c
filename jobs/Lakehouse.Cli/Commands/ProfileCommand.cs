using System.CommandLine;
using System.Text.Json;
using Lakehouse.Engine;
using Lakehouse.Jobs;
using Lakehouse.Jobs.Gold.Profile;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse profile</c>: diversity profile tables, an HTML report and a dataset card.</summary>
public static class ProfileCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var lake = CommonOptions.Lake();
        var json = CommonOptions.Json();
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for report.html, dataset-card.md and dataset-card.json", Required = true };
        var version = new Option<string?>("--split-version") { Description = "Split version to break the profile down by (default: the latest in gold.splits)" };
        var command = new Command("profile", "Profile the diversity of silver.instances (modality, vendor, model, site, age band, sex, body part, study type, " +
            "label prevalence; per split) into gold.diversity_profile and gold.diversity_summary, and write a self-contained HTML report and a dataset card.")
        {
            lake, json, output, version,
        };
        command.SetAction(int (ParseResult parse) =>
        {
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            if (parse.GetValue(version) is { } v) parameters["split_version"] = v;
            var stdout = parse.InvocationConfiguration.Output;
            bool quiet = parse.GetValue(json);
            var result = new ProfileJob().Execute(new JobContext(new LakeStore(parse.GetValue(lake)!.FullName), parameters, quiet ? TextWriter.Null : stdout));
            var files = ProfileReport.Write(result, parse.GetValue(output)!.FullName);
            if (quiet) stdout.WriteLine(JsonSerializer.Serialize(new { tables = result.OutputVersions, counts = result.Counts, files }, JsonOutput.Options));
            else stdout.WriteLine($"report: {files.Html}\ndataset card: {files.CardMarkdown}, {files.CardJson}");
            return Cli.Success;
        });
        return command;
    }
}
