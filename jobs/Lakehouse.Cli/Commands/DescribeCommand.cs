using System.CommandLine;
using System.Globalization;
using Lakehouse.Engine;
using Lakehouse.Jobs;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse describe</c>: a table version's columns and types, partition columns and file count.</summary>
public static class DescribeCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var table = new Argument<string>("table") { Description = "schema.table" };
        var lake = CommonOptions.Lake();
        var version = new Option<long?>("--as-of-version") { Description = "Describe this version instead of the latest" };
        var command = new Command("describe", "Show a table's columns, types and partitioning") { table, lake, version };
        command.SetAction(int (ParseResult parse) =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output;
            string lakeDir = parse.GetValue(lake)!.FullName;
            if (!Directory.Exists(lakeDir)) throw new UserInputException("describe: the lake folder does not exist");
            try
            {
                var name = LakeTableName.Parse(parse.GetValue(table)!);
                var spec = parse.GetValue(version) is { } v ? TableVersionSpec.AtVersion(v) : TableVersionSpec.Latest;
                var r = QueryCommand.SourceFactory(lakeDir).Resolve(name, spec);
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Name} version {r.Version}: {r.Files.Count} files"));
                int width = Math.Max(6, r.Columns.Max(c => c.Name.Length));
                stdout.WriteLine($"{"column".PadRight(width)} | type");
                foreach (var c in r.Columns)
                    stdout.WriteLine($"{c.Name.PadRight(width)} | {c.DuckDbType}{(r.PartitionColumns.Contains(c.Name) ? " (partition)" : "")}");
                return Cli.Success;
            }
            catch (LakeSqlException ex) { throw new UserInputException("describe: " + ex.Message, ex); }
        });
        return command;
    }
}
