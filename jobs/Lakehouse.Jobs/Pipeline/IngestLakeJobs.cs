using Lakehouse.Engine;
using Lakehouse.Jobs.Ingest;

namespace Lakehouse.Jobs.Pipeline;

/// <summary>
/// <c>ingest-dicom</c> as a pipeline job. Its input is a folder of files, not tables, so the runner always runs it; it is
/// incremental and commits nothing when no file is new. Parameter <c>source</c>: the archive folder.
/// </summary>
public sealed class IngestDicomLakeJob(IReadOnlyDictionary<string, string> parameters) : ILakeJob
{
    /// <summary>The catalog name.</summary>
    public const string JobName = DicomIngestJob.JobName;

    /// <inheritdoc />
    public string Name => JobName;
    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Inputs => [];
    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Outputs => [BronzeTables.DicomInstances, BronzeTables.DicomErrors, BronzeTables.DicomDuplicates];

    /// <inheritdoc />
    public JobResult Run(JobContext context)
    {
        string source = parameters.TryGetValue("source", out var s) && s.Length > 0 ? s
            : throw new UserInputException("job ingest-dicom needs the DICOM folder: set sources.dicom in the pipeline file");
        var summary = new DicomIngestJob(context.Lake, new DicomIngestOptions(source)).Run();
        return new JobResult(summary.TableVersions, summary.ToString());
    }
}

/// <summary>
/// <c>ingest-reports</c> as a pipeline job; always run, incremental (known reports are skipped). Parameter <c>source</c>:
/// a JSONL/CSV file or a folder of them.
/// </summary>
public sealed class IngestReportsLakeJob(IReadOnlyDictionary<string, string> parameters) : ILakeJob
{
    /// <summary>The catalog name.</summary>
    public const string JobName = ReportIngestJob.JobName;

    /// <inheritdoc />
    public string Name => JobName;
    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Inputs => [];
    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Outputs => [BronzeTables.Reports, BronzeTables.ReportErrors];

    /// <inheritdoc />
    public JobResult Run(JobContext context)
    {
        string source = parameters.TryGetValue("source", out var s) && s.Length > 0 ? s
            : throw new UserInputException("job ingest-reports needs the reports file or folder: set sources.reports in the pipeline file");
        var summary = new ReportIngestJob(context.Lake, source).Run();
        return new JobResult(summary.TableVersions, summary.ToString());
    }
}
