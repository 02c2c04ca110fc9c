using System.CommandLine;
using System.Text.Json;
using Lakehouse.Engine;
using Lakehouse.Jobs;
using Lakehouse.Jobs.Gold.Splits;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse split</c>: assigns new patients of silver.instances to train/validation/test in gold.splits.</summary>
public static class SplitCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var lake = CommonOptions.Lake();
        var json = CommonOptions.Json();
        var seed = new Option<string?>("--seed") { Description = "Seed of the split (default 42); another seed is another split version" };
        var ratios = new Option<string?>("--ratios") { Description = "train/validation/test shares, e.g. 70/15/15 (default) or 0.8/0.1/0.1; other ratios are another split version" };
        var weighting = new Option<string?>("--weighting") { Description = "What split sizes balance: instances (default) or studies" };
        var command = new Command("split", "Assign every patient of silver.instances to train, validation or test (gold.splits): patients of one person and " +
            "patients sharing a study, series or instance UID stay together; stratified over labels, site and modality. Patients already " +
            "assigned in the same split version never move; a new link joining two splits fails the run.")
        {
            lake, json, seed, ratios, weighting,
        };
        command.SetAction(int (ParseResult parse) =>
        {
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            if (parse.GetValue(seed) is { } s) parameters["seed"] = s;
            if (parse.GetValue(ratios) is { } r) parameters["ratios"] = r;
            if (parse.GetValue(weighting) is { } w) parameters["weighting"] = w;
            var output = parse.InvocationConfiguration.Output;
            bool quiet = parse.GetValue(json);
            var summary = new SplitJob().Execute(new JobContext(new LakeStore(parse.GetValue(lake)!.FullName), parameters, quiet ? TextWriter.Null : output));
            if (quiet) output.WriteLine(JsonSerializer.Serialize(summary, JsonOutput.Options));
            return Cli.Success;
        });
        return command;
    }
}
