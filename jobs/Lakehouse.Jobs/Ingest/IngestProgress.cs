namespace Lakehouse.Jobs.Ingest;

/// <summary>Counters of a running ingestion, reported a few times per second. Counts only: no paths, no values.</summary>
/// <param name="FilesDone">Files read or skipped so far.</param>
/// <param name="FilesTotal">Files found in the source, when the count is known.</param>
/// <param name="BytesRead">Header bytes read.</param>
/// <param name="Errors">Files recorded as errors.</param>
/// <param name="Elapsed">Time since the run started.</param>
public sealed record IngestProgress(long FilesDone, long? FilesTotal, long BytesRead, long Errors, TimeSpan Elapsed)
{
    /// <summary>Files per second so far.</summary>
    public double FilesPerSecond => Elapsed.TotalSeconds > 0 ? FilesDone / Elapsed.TotalSeconds : 0;

    /// <summary>Estimated time left, when the total is known.</summary>
    public TimeSpan? Eta => FilesTotal is { } total && FilesPerSecond > 0 ? TimeSpan.FromSeconds(Math.Max(0, total - FilesDone) / FilesPerSecond) : null;
}
