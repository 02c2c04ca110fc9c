using System.CommandLine;
using Lakehouse.Cli.Commands;

namespace Lakehouse.Cli;

/// <summary>The lakehouse command tree and its error policy.</summary>
public static class Cli
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;
    /// <summary>Exit code of a user error: bad flag, missing input, unsupported table.</summary>
    public const int UserError = 1;
    /// <summary>Exit code of an internal error: a bug in Lakehouse.</summary>
    public const int InternalError = 2;

    /// <summary>Builds the root command with every verb.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Lakehouse: DICOM headers and radiology reports into Delta Lake tables, " +
            "de-identified, labeled, profiled and split for ML.");
        foreach (var command in Verbs()) root.Subcommands.Add(command);
        return root;
    }

    // One line per verb: each verb lives in Commands/<Verb>Command.cs.
    private static IEnumerable<Command> Verbs()
    {
        yield return SampleCommand.Create();
        yield return IngestCommand.Create();
        yield return NormalizeCommand.Create();
        yield return DeidentifyCommand.Create();
        yield return LabelReportsCommand.Create();
        yield return QueryCommand.Create();
        yield return TablesCommand.Create();
        yield return DescribeCommand.Create();
        yield return LinkPatientsCommand.Create();
    }

    /// <summary>Parses and runs; never throws.</summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stderr ??= Console.Error;
        var root = BuildRoot();
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            stderr.WriteLine($"lakehouse: {parsed.Errors[0].Message} (see 'lakehouse --help')");
            return UserError;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = stdout ?? Console.Out, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex) when (ErrorPolicy.IsUserError(ex))
        {
            // User errors carry messages written to be PHI-free; print exactly one line.
            stderr.WriteLine("lakehouse: " + ErrorPolicy.OneLine(ex.Message));
            return UserError;
        }
        catch (Exception ex)
        {
            // Internal errors: type and a stack without the message, since a bug's message could quote data.
            stderr.WriteLine($"lakehouse: internal error {ex.GetType().Name}; this is a bug in Lakehouse, please report it with the stack below.");
            stderr.WriteLine(ex.StackTrace);
            return InternalError;
        }
    }
}
