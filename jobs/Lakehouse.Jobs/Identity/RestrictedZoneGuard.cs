using Lakehouse.Engine;

namespace Lakehouse.Jobs.Identity;

/// <summary>
/// The rule that keeps PHI out of releases: only silver, gold and ref tables may be mounted into a release or exported.
/// bronze (raw headers) and restricted (identity links, crosswalk) never may; neither may a table outside the lake zones.
/// Export and release mounting call <see cref="EnsureExportable"/> for every table before touching it.
/// </summary>
public static class RestrictedZoneGuard
{
    /// <summary>The zones a release may contain.</summary>
    public static readonly IReadOnlyList<string> ExportableZones = ["silver", "gold", "ref"];

    /// <summary>True when <paramref name="table"/> may go into a release.</summary>
    public static bool IsExportable(LakeTableName table) =>
        ExportableZones.Contains(table.Schema.Trim().ToLowerInvariant());

    /// <summary>Throws a <see cref="UserInputException"/> when <paramref name="table"/> is in bronze, restricted or no zone.</summary>
    public static void EnsureExportable(LakeTableName table)
    {
        if (IsExportable(table)) return;
        string zone = table.Schema.Trim().ToLowerInvariant();
        string why = zone switch
        {
            "restricted" => "it is in the restricted zone (identity links, crosswalk) and holds PHI",
            "bronze" => "it is in the bronze zone (raw headers and reports) and holds PHI",
            "" => "it is not in a lake zone",
            _ => "its zone is not one of " + string.Join(", ", ExportableZones),
        };
        // Table names are ours (not PHI), so the message may name the table.
        throw new UserInputException($"refusing to export or mount '{table}' into a release: {why}; only silver, gold and ref tables can be released");
    }
}
