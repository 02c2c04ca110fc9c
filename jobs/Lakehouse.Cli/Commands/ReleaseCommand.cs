using System.CommandLine;
using System.Globalization;
using Lakehouse.Engine;
using Lakehouse.Jobs;
using Lakehouse.Jobs.Gold.Release;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse release create NAME</c> and <c>lakehouse release list</c>: immutable sets of pinned table versions (gold.releases).</summary>
public static class ReleaseCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var command = new Command("release", "Create and list releases: named, immutable pins of every silver, gold and ref table version (gold.releases)");
        command.Subcommands.Add(CreateVerb());
        command.Subcommands.Add(ListVerb());
        return command;
    }

    private static Command CreateVerb()
    {
        var name = new Argument<string>("name") { Description = "The release name (letters, digits, '.', '_', '-'); used once" };
        var lake = CommonOptions.Lake();
        var splitVersion = new Option<string?>("--split-version") { Description = "The gold.splits split_version to export (default: the only one present)" };
        var command = new Command("create", "Pin the current version of every silver, gold and ref table (never bronze or restricted) under NAME") { name, lake, splitVersion };
        command.SetAction(int (ParseResult parse) =>
        {
            var store = OpenLake(parse.GetValue(lake)!, "release create");
            var release = ReleaseCatalog.Create(store, parse.GetValue(name)!, parse.GetValue(splitVersion));
            var stdout = parse.InvocationConfiguration.Output;
            stdout.WriteLine($"release {release.Name}: {release.Tables.Count} tables pinned, split version {release.SplitVersion ?? "-"}");
            foreach (var t in release.Tables) stdout.WriteLine($"  {t.Table} @ {t.Version.ToString(CultureInfo.InvariantCulture)}");
            return Cli.Success;
        });
        return command;
    }

    private static Command ListVerb()
    {
        var lake = CommonOptions.Lake();
        var command = new Command("list", "List the releases with their split version and pinned tables") { lake };
        command.SetAction(int (ParseResult parse) =>
        {
            var store = OpenLake(parse.GetValue(lake)!, "release list");
            var stdout = parse.InvocationConfiguration.Output;
            var releases = ReleaseCatalog.List(store);
            if (releases.Count == 0) stdout.WriteLine("no releases");
            foreach (var r in releases)
            {
                stdout.WriteLine($"{r.Name} | created {r.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} | split version {r.SplitVersion ?? "-"} | code {r.CodeVersion}");
                stdout.WriteLine("  " + string.Join(", ", r.Tables.Select(t => $"{t.Table}@{t.Version.ToString(CultureInfo.InvariantCulture)}")));
            }
            return Cli.Success;
        });
        return command;
    }

    internal static LakeStore OpenLake(DirectoryInfo lake, string verb)
    {
        if (!lake.Exists) throw new UserInputException($"{verb}: the lake folder does not exist");
        return new LakeStore(lake.FullName);
    }
}
