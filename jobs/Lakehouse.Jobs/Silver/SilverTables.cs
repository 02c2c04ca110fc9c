using System.Text.Json.Nodes;
using Lakehouse.Engine;
using Lakehouse.Tables;

namespace Lakehouse.Jobs.Silver;

/// <summary>The tables of the silver layer (and the restricted tables normalization and de-identification write).</summary>
public static class SilverTables
{
    /// <summary>Bronze instances with the normalized columns; still PHI (restricted).</summary>
    public static readonly LakeTableName InstancesNormalized = new("restricted", "instances_normalized");

    /// <summary>Values of non-PHI fields no mapping matched, with counts: what to map next.</summary>
    public static readonly LakeTableName UnmappedValues = new("silver", "unmapped_values");

    /// <summary>De-identified, normalized instances.</summary>
    public static readonly LakeTableName Instances = new("silver", "instances");

    /// <summary>De-identified reports.</summary>
    public static readonly LakeTableName Reports = new("silver", "reports");

    /// <summary>Action × keyword counts of a de-identification run.</summary>
    public static readonly LakeTableName DeidAudit = new("silver", "deid_audit");

    /// <summary>Original identifiers → pseudonyms (restricted, never exported).</summary>
    public static readonly LakeTableName Crosswalk = new("restricted", "crosswalk");

    /// <summary>Resolved persons of patient identity (another job's output; optional input).</summary>
    public static readonly LakeTableName PatientPersons = new("restricted", "patient_persons");

    /// <summary>The <c>ref.*</c> table of a reference file.</summary>
    public static LakeTableName Ref(string fileName) => new("ref", fileName);

    /// <summary>The current version of each existing table (tables that do not exist are left out).</summary>
    public static Dictionary<string, long> CurrentVersions(LakeStore lake, IEnumerable<LakeTableName> tables)
    {
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var t in tables)
            if (lake.TryOpen(t) is { } table) versions[t.ToString()] = table.Snapshot().Version;
        return versions;
    }

    /// <summary>
    /// True when the last commit of <paramref name="output"/> was made by <paramref name="job"/> with these parameters from
    /// exactly these input versions: re-running would give the same rows, so the job commits nothing.
    /// </summary>
    public static bool UpToDate(LakeStore lake, LakeTableName output, string job, IReadOnlyDictionary<string, long> inputs, IReadOnlyDictionary<string, string> parameters)
    {
        if (lake.TryOpen(output) is not { } table) return false;
        var last = table.History().FirstOrDefault();
        if (last?.Raw?["lakehouseLineage"] is not JsonObject lineage || (string?)lineage["job"] != job) return false;
        var recorded = lineage["inputVersions"] as JsonObject;
        if ((recorded?.Count ?? 0) != inputs.Count) return false;
        foreach (var (name, version) in inputs)
            if (recorded![name] is not JsonValue v || v.GetValue<long>() != version) return false;
        var p = lineage["parameters"] as JsonObject;
        if ((p?.Count ?? 0) != parameters.Count) return false;
        foreach (var (name, value) in parameters)
            if ((string?)p![name] != value) return false;
        return true;
    }
}
