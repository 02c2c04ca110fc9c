using System.CommandLine;

namespace Lakehouse.Cli.Commands;

/// <summary>Options shared by the verbs, defined once.</summary>
public static class CommonOptions
{
    /// <summary>--lake DIR on every verb that reads or writes tables (a new instance per verb).</summary>
    public static Option<DirectoryInfo> Lake() => new("--lake")
    {
        Description = "The lake root, holding bronze/, silver/, gold/, ref/ and restricted/",
        DefaultValueFactory = _ => new DirectoryInfo("./lake"),
    };

    /// <summary>--json: quiet, machine-readable output.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print one machine-readable JSON object instead of progress" };
}
