using System.CommandLine;

namespace Lakehouse.Cli.Commands;

/// <summary><c>lakehouse sample</c>: writes the synthetic archive the main job and the tests run on.</summary>
public static class SampleCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write the archive into", Required = true };
        var patients = new Option<int>("--patients") { Description = "Number of patients", DefaultValueFactory = _ => 50 };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed gives a byte-identical archive", DefaultValueFactory = _ => 1 };
        var command = new Command("sample", "Write a deterministic synthetic DICOM archive with reports and ground truth (contains synthetic PHI on purpose)")
        {
            output, patients, seed,
        };
        command.SetAction(int (ParseResult parse) =>
            throw new Lakehouse.Jobs.UserInputException("the sample archive generator is not built yet"));
        return command;
    }
}
