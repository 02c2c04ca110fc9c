using Lakehouse.Engine;

namespace Lakehouse.Jobs.Export;

/// <summary>
/// The line releases and exports never cross: <c>bronze</c> and <c>restricted</c> hold PHI (raw headers, crosswalks,
/// identities), so no table of theirs is pinned, mounted or written into an export — whatever a release row says.
/// </summary>
public static class ExportGuard
{
    /// <summary>The zones that must never leave the lake.</summary>
    public static readonly IReadOnlyList<string> ForbiddenZones = ["bronze", LakeEngine.RestrictedSchema];

    /// <summary>True when <paramref name="table"/> may be exported.</summary>
    public static bool IsExportable(LakeTableName table) => !ForbiddenZones.Contains(table.Schema, StringComparer.OrdinalIgnoreCase);

    /// <summary>Throws when <paramref name="table"/> is in a PHI zone.</summary>
    /// <exception cref="UserInputException">The table is bronze or restricted.</exception>
    public static void EnsureExportable(LakeTableName table)
    {
        if (!IsExportable(table))
            throw new UserInputException($"export: {table} is in the {table.Schema} zone, which holds PHI and is never exported or mounted into a release");
    }
}
