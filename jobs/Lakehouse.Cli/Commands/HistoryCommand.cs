using System.CommandLine;
using Lakehouse.Engine;
using Lakehouse.Jobs;
using Lakehouse.Jobs.Gold.Release;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse history TABLE</c>: a table's versions with the job, input versions and code version of each.</summary>
public static class HistoryCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var table = new Argument<string>("table") { Description = "The table, as schema.table (e.g. silver.instances)" };
        var lake = CommonOptions.Lake();
        var command = new Command("history", "Show a table's versions: timestamp, operation, job, input versions read, code version") { table, lake };
        command.SetAction(int (ParseResult parse) =>
        {
            var store = ReleaseCommand.OpenLake(parse.GetValue(lake)!, "history");
            LakeTableName name;
            try { name = LakeTableName.Parse(parse.GetValue(table)!); }
            catch (LakeSqlException ex) { throw new UserInputException("history: " + ex.Message, ex); }
            if (name.Schema.Length == 0) throw new UserInputException("history: name the table as schema.table");
            TableHistory.Write(TableHistory.Read(store, name), parse.InvocationConfiguration.Output);
            return Cli.Success;
        });
        return command;
    }
}
