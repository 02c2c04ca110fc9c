using System.CommandLine;
using Lakehouse.Jobs.Export;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse export --release NAME --out DIR</c>: a release as train/validation/test Parquet files and manifest.json.</summary>
public static class ExportCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var release = new Option<string>("--release") { Description = "The release to export (see 'lakehouse release list')", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder: train.parquet, validation.parquet, test.parquet, manifest.json (replaced)", Required = true };
        var lake = CommonOptions.Lake();
        var command = new Command("export", "Export a release as ML-ready Parquet split files; re-exporting a release gives byte-identical files") { release, output, lake };
        command.SetAction(int (ParseResult parse) =>
        {
            var store = ReleaseCommand.OpenLake(parse.GetValue(lake)!, "export");
            var result = ReleaseExporter.Export(store, parse.GetValue(release)!, parse.GetValue(output)!.FullName);
            var stdout = parse.InvocationConfiguration.Output;
            stdout.WriteLine($"exported release {result.Release.Name} (split version {result.Release.SplitVersion})");
            foreach (var f in result.Files) stdout.WriteLine($"  {f.Name,-20} {f.Rows,9} rows  sha256 {f.Sha256}");
            if (result.InstancesWithoutSplit > 0) stdout.WriteLine($"  {result.InstancesWithoutSplit} instances have no split and were not exported");
            stdout.WriteLine("  manifest.json");
            return Cli.Success;
        });
        return command;
    }
}
