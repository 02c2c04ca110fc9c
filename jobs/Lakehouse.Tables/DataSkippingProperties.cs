namespace Lakehouse.Tables;

/// <summary>
/// The table properties that choose which columns get per-file statistics (nullCount/min/max) in the Delta log;
/// numRecords is always written. Statistics are copies of data values, so a PHI-dense or large column without skipping
/// value is better left out.
/// </summary>
public static class DataSkippingProperties
{
    /// <summary>Statistics for the first N leaf columns of the data schema (default 32; -1: all; 0: none).</summary>
    public const string NumIndexedCols = "delta.dataSkippingNumIndexedCols";

    /// <summary>Comma-separated column names (nested fields as <c>parent.child</c>) that get statistics; takes precedence over <see cref="NumIndexedCols"/>.</summary>
    public const string StatsColumns = "delta.dataSkippingStatsColumns";

    /// <summary>The default of <see cref="NumIndexedCols"/>.</summary>
    public const int DefaultNumIndexedCols = 32;
}
