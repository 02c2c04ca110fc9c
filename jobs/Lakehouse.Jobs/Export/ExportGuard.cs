using Lakehouse.Engine;

namespace Lakehouse.Jobs.Export;

/// <summary>
/// The line releases and exports never cross: only silver, gold and ref tables (PHI-free by contract) are pinned, mounted
/// or written into an export. bronze and restricted hold PHI (raw headers, crosswalks, identities) and are refused, as is
/// any other zone — whatever a release row says. The one rule for releases, exports and restricted tables.
/// </summary>
public static class ExportGuard
{
    /// <summary>The zones an export may read.</summary>
    public static readonly IReadOnlyList<string> ExportableZones = ["silver", "gold", "ref"];

    /// <summary>True when <paramref name="table"/> may be exported.</summary>
    public static bool IsExportable(LakeTableName table) => ExportableZones.Contains(table.Schema.Trim().ToLowerInvariant());

    /// <summary>Throws when <paramref name="table"/> is not in silver, gold or ref.</summary>
    /// <exception cref="UserInputException">The table is bronze, restricted or outside the exportable zones.</exception>
    public static void EnsureExportable(LakeTableName table)
    {
        if (!IsExportable(table))
            throw new UserInputException($"export: {table} is in the {(table.Schema.Length == 0 ? "(none)" : table.Schema)} zone; bronze and restricted hold PHI and are never exported or mounted into a release (only silver, gold and ref are)");
    }
}
