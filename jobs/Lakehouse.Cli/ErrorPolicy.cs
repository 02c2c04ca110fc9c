namespace Lakehouse.Cli;

/// <summary>Which exceptions are the user's to fix (exit 1) and which are bugs (exit 2).</summary>
public static class ErrorPolicy
{
    /// <summary>True for errors the user can fix: bad input files, missing tables, unsupported tables, conflicts.</summary>
    public static bool IsUserError(Exception ex) => ex switch
    {
        Lakehouse.Jobs.UserInputException => true,
        Lakehouse.Tables.DeltaException d => d.IsUserError,
        Lakehouse.Engine.LakeSqlException => true,
        FileNotFoundException or DirectoryNotFoundException => true,
        _ => false,
    };

    /// <summary>The message folded onto one line.</summary>
    public static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
