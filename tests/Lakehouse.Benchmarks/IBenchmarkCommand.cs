namespace Lakehouse.Benchmarks;

/// <summary>A whole-process benchmark: it measures Lakehouse and a peer in the same run and prints both and their ratio.</summary>
public interface IBenchmarkCommand
{
    /// <summary>The name used on the command line.</summary>
    string Name { get; }

    /// <summary>One line on what it measures and against which peer.</summary>
    string Description { get; }

    /// <summary>Runs it; returns the process exit code.</summary>
    int Run(string[] args);
}
