using System.CommandLine;
using Lakehouse.Engine;
using Lakehouse.Jobs;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse tables</c>: lists the lake's tables with their latest version, columns and files.</summary>
public static class TablesCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var lake = CommonOptions.Lake();
        var command = new Command("tables", "List the lake's tables (schema.table, version, columns, files)") { lake };
        command.SetAction(int (ParseResult parse) =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output;
            string lakeDir = parse.GetValue(lake)!.FullName;
            if (!Directory.Exists(lakeDir)) throw new UserInputException("tables: the lake folder does not exist");
            try
            {
                var source = QueryCommand.SourceFactory(lakeDir);
                var tables = source.ListTables().OrderBy(t => t.ToString(), StringComparer.Ordinal).ToList();
                int width = Math.Max(5, tables.Count == 0 ? 0 : tables.Max(t => t.ToString().Length));
                stdout.WriteLine($"{"table".PadRight(width)} | version | columns | files | partitioned by");
                foreach (var t in tables)
                {
                    var r = source.Resolve(t, TableVersionSpec.Latest);
                    stdout.WriteLine($"{t.ToString().PadRight(width)} | {r.Version,7} | {r.Columns.Count,7} | {r.Files.Count,5} | {string.Join(", ", r.PartitionColumns)}".TrimEnd());
                }
                return Cli.Success;
            }
            catch (LakeSqlException ex) { throw new UserInputException("tables: " + ex.Message, ex); }
        });
        return command;
    }
}
