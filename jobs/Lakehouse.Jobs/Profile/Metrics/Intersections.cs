namespace Lakehouse.Jobs.Profile.Metrics;

/// <summary>One observed combination of values (e.g. sex × age band × site).</summary>
/// <param name="Key">The values, one per dimension, in the caller's dimension order; null = missing.</param>
/// <param name="Count">Rows with exactly this combination.</param>
/// <param name="BelowThreshold">True when 0 &lt; count &lt; the minimum cell size: reports must suppress the count.</param>
public sealed record IntersectionCell(IReadOnlyList<string?> Key, long Count, bool BelowThreshold);

/// <summary>Cross-tabulation of several dimensions with small-cell flagging (k-anonymity style).</summary>
public static class Intersections
{
    /// <summary>Default minimum cell size: cells with fewer rows are flagged.</summary>
    public const int DefaultMinCellSize = 5;

    /// <summary>
    /// Counts each observed combination of <paramref name="rows"/> (each row one value per dimension; all rows
    /// must have the same length). Cells come ordered by key (ordinal, missing first).
    /// </summary>
    public static IReadOnlyList<IntersectionCell> Count(IEnumerable<IReadOnlyList<string?>> rows, int minCellSize = DefaultMinCellSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minCellSize);
        var cells = new Dictionary<string?[], long>(KeyComparer.Instance);
        int width = -1;
        foreach (var row in rows)
        {
            if (width < 0) width = row.Count;
            else if (row.Count != width) throw new ArgumentException($"Every row needs {width} dimension values, got {row.Count}.", nameof(rows));
            var key = row.ToArray();
            cells[key] = cells.GetValueOrDefault(key) + 1;
        }
        return cells
            .OrderBy(c => c.Key, KeyComparer.Instance)
            .Select(c => new IntersectionCell(c.Key, c.Value, c.Value < minCellSize))
            .ToArray();
    }

    private sealed class KeyComparer : IComparer<string?[]>, IEqualityComparer<string?[]>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare(string?[]? x, string?[]? y)
        {
            for (int i = 0; i < x!.Length; i++)
            {
                int c = string.CompareOrdinal(x[i], y![i]);
                if (c != 0) return c;
            }
            return 0;
        }

        public bool Equals(string?[]? x, string?[]? y) => Compare(x, y) == 0;

        public int GetHashCode(string?[] key)
        {
            var hash = new HashCode();
            foreach (var v in key) hash.Add(v, StringComparer.Ordinal);
            return hash.ToHashCode();
        }
    }
}

/// <summary>Fixed age bands of the profile: 0-17, 18-39, 40-64, 65-89, 90+ (90+ is also the HIPAA Safe Harbor cap).</summary>
public static class AgeBands
{
    /// <summary>The bands in ascending order.</summary>
    public static IReadOnlyList<string> All { get; } = ["0-17", "18-39", "40-64", "65-89", "90+"];

    /// <summary>The band of an age in whole years; null for a missing, negative or non-finite age.</summary>
    public static string? Of(double? ageYears) => ageYears switch
    {
        null => null,
        double a when !double.IsFinite(a) || a < 0 => null,
        < 18 => "0-17",
        < 40 => "18-39",
        < 65 => "40-64",
        < 90 => "65-89",
        _ => "90+",
    };
}
