using System.CommandLine;
using System.Globalization;
using Lakehouse.Engine;
using Lakehouse.Jobs;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse query</c>: runs one SQL statement over the lake's tables with the UDFs registered.</summary>
public static class QueryCommand
{
    /// <summary>
    /// Opens a lake folder as a table source: its Delta tables by <c>zone.table</c> (<see cref="DeltaLakeSource"/>).
    /// Tests may swap it.
    /// </summary>
    public static Func<string, ILakeTableSource> SourceFactory { get; set; } = lake => new DeltaLakeSource(lake);

    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var sql = new Argument<string>("sql") { Description = "One SQL statement; tables by schema.table, VERSION AS OF n / TIMESTAMP AS OF 'ts' allowed" };
        var lake = CommonOptions.Lake();
        var format = new Option<string>("--format") { Description = "Output format: table, csv, json or parquet (needs --out)", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json", "parquet");
        var output = new Option<FileInfo?>("--out") { Description = "Write the result to this file instead of standard output" };
        var tables = new Option<string[]>("--table") { Description = "Mount Parquet files or a table folder as NAME=PATH (repeatable)" };
        var asOfVersion = new Option<string[]>("--as-of-version") { Description = "Read a table at a version: schema.table=N (repeatable)" };
        var asOfTimestamp = new Option<string[]>("--as-of-timestamp") { Description = "Read tables as of an ISO 8601 timestamp: schema.table=TS, or TS for every table (repeatable)" };
        var maxRows = new Option<int>("--max-rows") { Description = "Rows shown by --format table", DefaultValueFactory = _ => 1000 };
        var command = new Command("query", "Run SQL over the lake's tables (DuckDB, with the Lakehouse UDFs)")
        {
            sql, lake, format, output, tables, asOfVersion, asOfTimestamp, maxRows,
        };
        command.SetAction(int (ParseResult parse) =>
        {
            TextWriter stdout = parse.InvocationConfiguration.Output;
            string fmt = parse.GetValue(format)!;
            FileInfo? outFile = parse.GetValue(output);
            if (fmt == "parquet" && outFile is null) throw new UserInputException("--format parquet needs --out FILE");
            try
            {
                string lakeDir = parse.GetValue(lake)!.FullName;
                ILakeTableSource? source = Directory.Exists(lakeDir) ? SourceFactory(lakeDir) : null;
                using var engine = new LakeEngine(source, DeltaLakeSource.EngineOptions());
                foreach (string pin in parse.GetValue(asOfVersion) ?? [])
                {
                    var (name, value) = Split(pin, "--as-of-version");
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long v))
                        throw new UserInputException($"--as-of-version {name}: '{value}' is not a version number");
                    engine.Pin(name, TableVersionSpec.AtVersion(v));
                }
                foreach (string pin in parse.GetValue(asOfTimestamp) ?? [])
                {
                    if (pin.Contains('=', StringComparison.Ordinal))
                    {
                        var (name, value) = Split(pin, "--as-of-timestamp");
                        engine.Pin(name, TableVersionSpec.ParseTimestamp(value));
                    }
                    else
                    {
                        var spec = TableVersionSpec.ParseTimestamp(pin);
                        foreach (var t in source?.ListTables() ?? []) engine.Pin(t, spec);
                    }
                }
                foreach (string mount in parse.GetValue(tables) ?? [])
                {
                    int eq = mount.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0 || eq == mount.Length - 1) throw new UserInputException("--table expects NAME=PATH");
                    engine.MountTable(mount[..eq], mount[(eq + 1)..]);
                }
                string statement = parse.GetValue(sql)!;
                if (fmt == "parquet")
                {
                    engine.WriteParquet(statement, outFile!.FullName);
                    return Cli.Success;
                }
                var resultFormat = fmt switch { "csv" => ResultFormat.Csv, "json" => ResultFormat.Json, _ => ResultFormat.Table };
                using var reader = engine.ExecuteReader(statement);
                if (outFile is null)
                {
                    ResultWriter.Write(reader, resultFormat, stdout, parse.GetValue(maxRows));
                }
                else
                {
                    using var file = new StreamWriter(outFile.FullName);
                    ResultWriter.Write(reader, resultFormat, file, parse.GetValue(maxRows));
                }
                return Cli.Success;
            }
            catch (LakeSqlException ex)
            {
                throw new UserInputException("query: " + ex.Message, ex);
            }
        });
        return command;
    }

    private static (LakeTableName Name, string Value) Split(string text, string option)
    {
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == text.Length - 1) throw new UserInputException($"{option} expects schema.table=VALUE");
        return (LakeTableName.Parse(text[..eq]), text[(eq + 1)..]);
    }
}
