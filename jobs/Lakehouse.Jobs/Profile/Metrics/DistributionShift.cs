namespace Lakehouse.Jobs.Profile.Metrics;

/// <summary>How far two distributions of the same dimension (e.g. site in train vs test) are apart.</summary>
public static class DistributionShift
{
    /// <summary>
    /// Jensen–Shannon divergence in bits, in [0, 1]: 0 for identical shares, 1 for disjoint support.
    /// Categories are aligned by name; missing values are not part of either distribution.
    /// </summary>
    /// <exception cref="ArgumentException">Either distribution has no non-missing rows.</exception>
    public static double JensenShannonDivergence(CategoryDistribution p, CategoryDistribution q)
    {
        if (p.Present == 0 || q.Present == 0) throw new ArgumentException("Jensen–Shannon divergence needs two non-empty distributions.");
        var categories = p.Categories.Select(c => c.Category).Union(q.Categories.Select(c => c.Category), StringComparer.Ordinal);
        double jsd = 0;
        foreach (var category in categories)
        {
            double a = (double)p.CountOf(category) / p.Present;
            double b = (double)q.CountOf(category) / q.Present;
            double m = (a + b) / 2;
            if (a > 0) jsd += 0.5 * a * Math.Log2(a / m);
            if (b > 0) jsd += 0.5 * b * Math.Log2(b / m);
        }
        return Math.Clamp(jsd, 0, 1); // rounding can step a hair outside
    }

    /// <summary>The largest pairwise Jensen–Shannon divergence among <paramref name="distributions"/> (0 for fewer than two); empty ones are skipped.</summary>
    public static double MaxPairwiseJensenShannon(IReadOnlyList<CategoryDistribution> distributions)
    {
        double max = 0;
        for (int i = 0; i < distributions.Count; i++)
            for (int j = i + 1; j < distributions.Count; j++)
                if (distributions[i].Present > 0 && distributions[j].Present > 0)
                    max = Math.Max(max, JensenShannonDivergence(distributions[i], distributions[j]));
        return max;
    }
}
