using Lakehouse.Engine;

namespace Lakehouse.Jobs.Pipeline;

/// <summary>
/// The jobs a pipeline file can name: job name → factory from the job's parameters. A job joins the pipeline with one
/// line in <see cref="Default"/>. Tests build their own catalog with <see cref="With"/>.
/// </summary>
public sealed class JobCatalog
{
    private readonly Dictionary<string, Func<IReadOnlyDictionary<string, string>, ILakeJob>> _factories;

    private JobCatalog(Dictionary<string, Func<IReadOnlyDictionary<string, string>, ILakeJob>> factories) => _factories = factories;

    /// <summary>The jobs of the product.</summary>
    public static JobCatalog Default { get; } = new(new(StringComparer.Ordinal)
    {
        // One line per job: name → factory(parameters).
        [IngestDicomLakeJob.JobName] = p => new IngestDicomLakeJob(p),
        [IngestReportsLakeJob.JobName] = p => new IngestReportsLakeJob(p),
        [LinkPatientsLakeJob.JobName] = _ => new LinkPatientsLakeJob(),
        [Silver.LoadRefJob.JobName] = _ => new Silver.LoadRefJob(),
        [Silver.NormalizeJob.JobName] = _ => new Silver.NormalizeJob(),
        [Silver.DeidentifyJob.JobName] = _ => new Silver.DeidentifyJob(),
        [Gold.Labels.LabelStudiesJob.JobName] = _ => new Gold.Labels.LabelStudiesJob(),
        ["split"] = _ => new Gold.Splits.SplitJob(),
        ["profile"] = _ => new Gold.Profile.ProfileJob(),
        [ReleaseLakeJob.JobName] = p => new ReleaseLakeJob(p),
        [ExportLakeJob.JobName] = p => new ExportLakeJob(p),
    });

    /// <summary>An empty catalog (tests).</summary>
    public static JobCatalog Empty { get; } = new(new(StringComparer.Ordinal));

    /// <summary>The job names known, sorted.</summary>
    public IReadOnlyList<string> Names => _factories.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>True when the catalog knows <paramref name="name"/>.</summary>
    public bool Contains(string name) => _factories.ContainsKey(name);

    /// <summary>A copy of this catalog with one more (or a replaced) job.</summary>
    public JobCatalog With(string name, Func<IReadOnlyDictionary<string, string>, ILakeJob> factory) =>
        new(new Dictionary<string, Func<IReadOnlyDictionary<string, string>, ILakeJob>>(_factories, StringComparer.Ordinal) { [name] = factory });

    /// <summary>Creates the job; a name the catalog does not know is a user error naming it and the known names.</summary>
    public ILakeJob Create(string name, IReadOnlyDictionary<string, string> parameters)
    {
        if (!_factories.TryGetValue(name, out var factory))
            throw new UserInputException($"job '{name}' is not in the job catalog (known jobs: {string.Join(", ", Names)}); " +
                "it may not be built yet: remove it from the pipeline or set 'enabled: false'");
        var job = factory(parameters);
        if (job.Name != name) throw new InvalidOperationException($"job catalog entry '{name}' creates a job named '{job.Name}'");
        return job;
    }
}

/// <summary>Runs a <see cref="SqlJob"/> as a pipeline job (engine over the lake, restricted zone readable, default UDFs).</summary>
public sealed class SqlLakeJob(SqlJob job) : ILakeJob
{
    /// <inheritdoc />
    public string Name => job.Name;
    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Inputs => job.Inputs;
    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Outputs => [job.Output];

    /// <inheritdoc />
    public JobResult Run(JobContext context)
    {
        using var engine = new LakeEngine(new DeltaLakeSource(context.Lake), DeltaLakeSource.EngineOptions(allowRestricted: true));
        var commit = new SqlJobs.SqlJobRunner(context.Lake, engine).Run(job, context.Parameters);
        return new JobResult(new Dictionary<string, long> { [commit.Output.ToString()] = commit.Version },
            $"{job.Name}: {commit.RowCount} rows into {commit.Output} v{commit.Version}");
    }
}
