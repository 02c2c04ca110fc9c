namespace Lakehouse.Jobs.Profile.Metrics;

/// <summary>One category of a distribution.</summary>
/// <param name="Category">The category value.</param>
/// <param name="Count">Rows with this value.</param>
/// <param name="Share">Count over the non-missing rows (0 when there are none).</param>
public sealed record CategoryCount(string Category, long Count, double Share);

/// <summary>Counts per category of one dimension (sex, site, modality, ...) with missing values counted apart.</summary>
public sealed class CategoryDistribution
{
    private readonly Dictionary<string, long> _counts;

    private CategoryDistribution(Dictionary<string, long> counts, long missing)
    {
        _counts = counts;
        Missing = missing;
        Present = counts.Values.Sum();
        Categories = counts
            .Where(kv => kv.Value > 0)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new CategoryCount(kv.Key, kv.Value, Present == 0 ? 0 : (double)kv.Value / Present))
            .ToArray();
    }

    /// <summary>Counts <paramref name="values"/>; null or empty strings are missing.</summary>
    public static CategoryDistribution Of(IEnumerable<string?> values)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long missing = 0;
        foreach (var v in values)
        {
            if (string.IsNullOrEmpty(v)) missing++;
            else counts[v] = counts.GetValueOrDefault(v) + 1;
        }
        return new CategoryDistribution(counts, missing);
    }

    /// <summary>Wraps precomputed counts (e.g. from a SQL GROUP BY); negative counts are rejected.</summary>
    public static CategoryDistribution FromCounts(IEnumerable<KeyValuePair<string, long>> counts, long missing = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(missing);
        var copy = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (k, v) in counts)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(v, nameof(counts));
            copy[k] = copy.GetValueOrDefault(k) + v;
        }
        return new CategoryDistribution(copy, missing);
    }

    /// <summary>Non-empty categories, most frequent first (ties ordinal).</summary>
    public IReadOnlyList<CategoryCount> Categories { get; }

    /// <summary>Rows with a value.</summary>
    public long Present { get; }

    /// <summary>Rows without a value.</summary>
    public long Missing { get; }

    /// <summary>All rows.</summary>
    public long Total => Present + Missing;

    /// <summary>Missing over all rows (0 when there are no rows).</summary>
    public double MissingShare => Total == 0 ? 0 : (double)Missing / Total;

    /// <summary>The count of <paramref name="category"/> (0 if absent).</summary>
    public long CountOf(string category) => _counts.GetValueOrDefault(category);

    /// <summary>The non-zero counts, in <see cref="Categories"/> order.</summary>
    public long[] Counts() => Categories.Select(c => c.Count).ToArray();
}
