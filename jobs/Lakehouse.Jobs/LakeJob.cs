using Lakehouse.Engine;

namespace Lakehouse.Jobs;

/// <summary>
/// What a job gets to run: the lake, its parameters (from the pipeline YAML or the CLI; never secrets: the
/// de-identification key is read by the job from its key file or environment), and a log for PHI-free progress lines.
/// </summary>
/// <param name="Lake">The lake.</param>
/// <param name="Parameters">Job parameters by name (strings as written in the pipeline file).</param>
/// <param name="Log">Where progress lines go (counts and table names only).</param>
public sealed record JobContext(LakeStore Lake, IReadOnlyDictionary<string, string> Parameters, TextWriter Log)
{
    /// <summary>A parameter, or <paramref name="fallback"/> when absent.</summary>
    public string Parameter(string name, string fallback) => Parameters.TryGetValue(name, out var v) && v.Length > 0 ? v : fallback;
}

/// <summary>The outcome of a job run: the table versions it committed (none when nothing changed) and one summary line.</summary>
/// <param name="Committed">Output table → version committed by this run.</param>
/// <param name="Summary">One PHI-free line: counts, table names, versions.</param>
public sealed record JobResult(IReadOnlyDictionary<string, long> Committed, string Summary);

/// <summary>
/// A pipeline job: it reads its input tables and writes its output tables. Most jobs are a SQL transformation run by
/// the engine (<see cref="SqlJobs.SqlJobRunner"/>); ingestion reads files and is the exception. The pipeline runner
/// skips a job whose input table versions have not changed since its last successful run.
/// </summary>
public interface ILakeJob
{
    /// <summary>The job name (lineage, pipeline files, CLI).</summary>
    string Name { get; }

    /// <summary>The tables the job reads.</summary>
    IReadOnlyList<LakeTableName> Inputs { get; }

    /// <summary>The tables the job writes.</summary>
    IReadOnlyList<LakeTableName> Outputs { get; }

    /// <summary>Runs the job; throws <see cref="UserInputException"/> for problems the user can fix.</summary>
    JobResult Run(JobContext context);
}
