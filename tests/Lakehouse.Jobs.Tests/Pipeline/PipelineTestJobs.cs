using Lakehouse.Engine;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Pipeline;
using Lakehouse.Jobs.Sample;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Pipeline;

/// <summary>A job that only declares tables (DAG tests).</summary>
internal sealed class FakeJob(string name, string[] inputs, string[] outputs) : ILakeJob
{
    public string Name => name;
    public IReadOnlyList<LakeTableName> Inputs => inputs.Select(LakeTableName.Parse).ToList();
    public IReadOnlyList<LakeTableName> Outputs => outputs.Select(LakeTableName.Parse).ToList();
    public JobResult Run(JobContext context) => throw new InvalidOperationException("not runnable");
}

/// <summary>A SQL job that fails while the file named by its parameter <c>fail_if_exists</c> exists (injected failure).</summary>
internal sealed class FlakyJob(SqlLakeJob inner, IReadOnlyDictionary<string, string> parameters) : ILakeJob
{
    public string Name => inner.Name;
    public IReadOnlyList<LakeTableName> Inputs => inner.Inputs;
    public IReadOnlyList<LakeTableName> Outputs => inner.Outputs;
    public JobResult Run(JobContext context) =>
        File.Exists(parameters["fail_if_exists"]) ? throw new UserInputException("flaky: injected failure") : inner.Run(context);
}

/// <summary>A stand-in for the deidentify job: records the parameters it was given.</summary>
internal sealed class ParameterProbeJob(string name) : ILakeJob
{
    public static IReadOnlyDictionary<string, string>? LastParameters { get; private set; }
    public string Name => name;
    public IReadOnlyList<LakeTableName> Inputs => [BronzeTables.DicomInstances];
    public IReadOnlyList<LakeTableName> Outputs => [];
    public JobResult Run(JobContext context)
    {
        LastParameters = context.Parameters;
        return new JobResult(new Dictionary<string, long>(), "probe");
    }
}

internal static class PipelineTestJobs
{
    private static readonly LakeTableName ModalityCounts = new("gold", "test_modality_counts");
    private static readonly LakeTableName Total = new("gold", "test_total");
    private static readonly LakeTableName Flaky = new("gold", "test_flaky");
    private static readonly LakeTableName AfterFlaky = new("gold", "test_after_flaky");

    /// <summary>
    /// The real ingestion jobs plus small SQL jobs over bronze: count-studies (bronze → gold.test_modality_counts),
    /// count-total and flaky (both read it), after-flaky (reads flaky's output).
    /// </summary>
    public static JobCatalog Catalog { get; } = JobCatalog.Default
        .With("count-studies", _ => new SqlLakeJob(new SqlJob("count-studies", [BronzeTables.DicomInstances], ModalityCounts,
            "SELECT modality, count(DISTINCT study_instance_uid) AS studies FROM bronze.dicom_instances GROUP BY modality ORDER BY modality",
            JobWriteMode.Overwrite)))
        .With("count-total", _ => new SqlLakeJob(new SqlJob("count-total", [ModalityCounts], Total,
            "SELECT sum(studies) AS studies FROM gold.test_modality_counts", JobWriteMode.Overwrite)))
        .With("flaky", p => new FlakyJob(new SqlLakeJob(new SqlJob("flaky", [ModalityCounts], Flaky,
            "SELECT count(*) AS modalities FROM gold.test_modality_counts", JobWriteMode.Overwrite)), p))
        .With("after-flaky", _ => new SqlLakeJob(new SqlJob("after-flaky", [Flaky], AfterFlaky,
            "SELECT modalities * 2 AS doubled FROM gold.test_flaky", JobWriteMode.Overwrite)))
        .With("deidentify", _ => new ParameterProbeJob("deidentify"));
}

/// <summary>One small sample archive shared by the pipeline tests (each test has its own lake).</summary>
public sealed class PipelineArchiveFixture : IDisposable
{
    public PipelineArchiveFixture() =>
        SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = Dir.Combine("archive"), Patients = 8, Seed = 3 });

    public TempDirectory Dir { get; } = new("pipeline-archive");
    public string Archive => Dir.Combine("archive");
    public void Dispose() => Dir.Dispose();
}
