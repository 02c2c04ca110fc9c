using System.CommandLine;
using System.Text.Json;
using Lakehouse.Engine;
using Lakehouse.Jobs.Gold.Splits;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse verify-splits</c>: fails (exit 1) when a patient, person, study, series or instance occurs in two splits.</summary>
public static class VerifySplitsCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var lake = CommonOptions.Lake();
        var json = CommonOptions.Json();
        var version = new Option<string?>("--split-version") { Description = "The split version to check (default: every version in gold.splits)" };
        var command = new Command("verify-splits", "Join gold.splits with silver.instances and check that no patient, person, study, series or " +
            "SOP instance is in two splits; exit 1 with the counts when one is (identifiers are never printed).")
        {
            lake, json, version,
        };
        command.SetAction(int (ParseResult parse) =>
        {
            var results = SplitVerification.Verify(new LakeStore(parse.GetValue(lake)!.FullName), parse.GetValue(version));
            bool clean = results.All(r => r.LeakageFree);
            if (parse.GetValue(json))
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(new { leakage_free = clean, versions = results }, JsonOutput.Options));
            else
                foreach (var r in results) (r.LeakageFree ? parse.InvocationConfiguration.Output : parse.InvocationConfiguration.Error).WriteLine(
                    (r.LeakageFree ? "" : "lakehouse: verify-splits: ") + r);
            return clean ? Cli.Success : Cli.UserError;
        });
        return command;
    }
}
