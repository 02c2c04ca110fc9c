using System.CommandLine;
using Lakehouse.Engine;
using Lakehouse.Jobs;
using Lakehouse.Jobs.Pipeline;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse run</c>: runs a pipeline file (pipelines/*.yaml) over a lake, skipping jobs whose inputs did not change.</summary>
public static class RunCommand
{
    /// <summary>The job catalog the verb uses (tests may swap it).</summary>
    public static JobCatalog Catalog { get; set; } = JobCatalog.Default;

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var pipeline = new Option<FileInfo>("--pipeline") { Description = "The pipeline file (YAML), e.g. pipelines/local.yaml", Required = true };
        var lake = new Option<DirectoryInfo?>("--lake") { Description = "The lake root; defaults to the pipeline file's 'lake:' key, else ./lake" };
        var force = new Option<bool>("--force") { Description = "Run every job, even those whose input tables did not change" };
        var plan = new Option<bool>("--plan") { Description = "Print the job order and exit without running anything" };
        var command = new Command("run", "Run a pipeline: ingest, link, normalize, de-identify, label, split, profile, release — in dependency order, " +
            "skipping jobs whose input tables are unchanged since their last successful run")
        {
            pipeline, lake, force, plan,
        };
        command.SetAction(int (ParseResult parse) =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output;
            var config = PipelineConfig.Load(parse.GetValue(pipeline)!.FullName);
            string root = parse.GetValue(lake)?.FullName ?? config.Lake ?? Path.GetFullPath("lake");
            var store = new LakeStore(root);
            var runner = new PipelineRunner(Catalog, stdout) { Force = parse.GetValue(force) };
            if (parse.GetValue(plan))
            {
                foreach (var step in runner.Plan(config, store))
                    stdout.WriteLine(step.DependsOn.Count == 0 ? step.Job.Name : $"{step.Job.Name} (after {string.Join(", ", step.DependsOn)})");
                return Cli.Success;
            }
            var summary = runner.Run(config, store);
            if (summary.Succeeded) return Cli.Success;
            var failed = summary.Jobs.First(j => j.Status == PipelineJobStatus.Failed);
            throw new UserInputException($"pipeline {config.Name}: job {failed.Job} failed: {failed.Detail}");
        });
        return command;
    }
}
