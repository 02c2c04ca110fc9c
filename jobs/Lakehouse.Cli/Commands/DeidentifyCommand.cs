using System.CommandLine;
using Lakehouse.Engine;
using Lakehouse.Jobs;
using Lakehouse.Jobs.Silver;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse deidentify</c>: silver.instances, silver.reports, silver.deid_audit and restricted.crosswalk.</summary>
public static class DeidentifyCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var lake = CommonOptions.Lake();
        var keyFile = new Option<FileInfo?>("--key-file") { Description = "File holding the de-identification key (default: the LAKEHOUSE_DEID_KEY environment variable)" };
        var option = new Option<string[]>("--option")
        {
            Description = "De-identification option NAME=true|false (" + string.Join(", ", DeidentifyJob.OptionParameters.Select(p => p.Parameter)) + ")",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("deidentify", "De-identify restricted.instances_normalized and bronze.reports into silver.instances and silver.reports (PS3.15 Basic Profile + options, keyed pseudonyms, per-person date shifts)")
        {
            lake, keyFile, option,
        };
        command.SetAction(int (ParseResult parse) =>
        {
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            if (parse.GetValue(keyFile) is { } file) parameters[DeidentifyJob.KeyFileParameter] = file.FullName;
            foreach (string pair in parse.GetValue(option) ?? [])
            {
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw new UserInputException("--option must be NAME=true|false");
                string name = pair[..eq].Trim();
                if (!DeidentifyJob.OptionParameters.Any(p => p.Parameter == name)) throw new UserInputException($"--option: unknown option {name}");
                parameters[name] = pair[(eq + 1)..].Trim();
            }
            var stdout = parse.InvocationConfiguration.Output;
            new DeidentifyJob().Run(new JobContext(new LakeStore(parse.GetValue(lake)!.FullName), parameters, stdout));
            return Cli.Success;
        });
        return command;
    }
}
