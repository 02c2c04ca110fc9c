using System.CommandLine;
using Lakehouse.Engine;
using Lakehouse.Jobs;
using Lakehouse.Jobs.Silver;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse normalize</c>: ref tables, then restricted.instances_normalized and silver.unmapped_values.</summary>
public static class NormalizeCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var lake = CommonOptions.Lake();
        var refDir = new Option<DirectoryInfo?>("--ref") { Description = "Folder of mapping CSV files (as pipelines/ref) to load into the ref.* tables; default: the embedded mappings" };
        var command = new Command("normalize", "Normalize bronze DICOM headers with the ref.* mappings into restricted.instances_normalized (still PHI) and list unmapped non-PHI values in silver.unmapped_values")
        {
            lake, refDir,
        };
        command.SetAction(int (ParseResult parse) =>
        {
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            if (parse.GetValue(refDir) is { } dir) parameters[LoadRefJob.RefDirParameter] = dir.FullName;
            var stdout = parse.InvocationConfiguration.Output;
            new NormalizeJob().Run(new JobContext(new LakeStore(parse.GetValue(lake)!.FullName), parameters, stdout));
            return Cli.Success;
        });
        return command;
    }
}
