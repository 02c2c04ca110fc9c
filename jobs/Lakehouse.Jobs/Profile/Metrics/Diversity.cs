namespace Lakehouse.Jobs.Profile.Metrics;

/// <summary>All diversity figures of one dimension, as the profile job stores them.</summary>
/// <param name="Categories">Number of non-empty categories (richness, Hill q=0).</param>
/// <param name="Present">Rows with a value.</param>
/// <param name="Missing">Rows without a value.</param>
/// <param name="MissingShare">Missing over all rows.</param>
/// <param name="ShannonNats">Shannon entropy H in nats.</param>
/// <param name="ShannonBits">Shannon entropy in bits.</param>
/// <param name="PielouEvenness">H / ln(k); NaN when fewer than two categories.</param>
/// <param name="Simpson">Simpson index Σp² (probability two draws are the same category).</param>
/// <param name="GiniSimpson">1 − Σp².</param>
/// <param name="EffectiveShannon">Hill number q=1: exp(H).</param>
/// <param name="EffectiveSimpson">Hill number q=2: 1/Σp².</param>
/// <param name="ImbalanceRatio">Largest over smallest non-empty count; NaN when there is no category.</param>
public sealed record DiversitySummary(
    int Categories, long Present, long Missing, double MissingShare,
    double ShannonNats, double ShannonBits, double PielouEvenness,
    double Simpson, double GiniSimpson, double EffectiveShannon, double EffectiveSimpson, double ImbalanceRatio);

/// <summary>
/// Diversity indices over category counts. Zero counts are ignored; an empty distribution has entropy 0,
/// Simpson 0 and effective numbers 0 (no categories), so reports never divide by zero.
/// </summary>
public static class Diversity
{
    /// <summary>Shannon entropy H = −Σ p ln p, in nats.</summary>
    public static double ShannonEntropy(ReadOnlySpan<long> counts)
    {
        double n = Sum(counts);
        if (n == 0) return 0;
        double h = 0;
        foreach (long c in counts)
            if (c > 0) { double p = c / n; h -= p * Math.Log(p); }
        return h;
    }

    /// <summary>Shannon entropy in bits (H / ln 2).</summary>
    public static double ShannonEntropyBits(ReadOnlySpan<long> counts) => ShannonEntropy(counts) / Math.Log(2);

    /// <summary>Pielou's evenness J = H / ln k over the k non-empty categories; NaN when k &lt; 2 (undefined).</summary>
    public static double PielouEvenness(ReadOnlySpan<long> counts)
    {
        int k = Richness(counts);
        return k < 2 ? double.NaN : ShannonEntropy(counts) / Math.Log(k);
    }

    /// <summary>Simpson index λ = Σ p² (0 for an empty distribution).</summary>
    public static double SimpsonIndex(ReadOnlySpan<long> counts)
    {
        double n = Sum(counts);
        if (n == 0) return 0;
        double s = 0;
        foreach (long c in counts) { double p = c / n; s += p * p; }
        return s;
    }

    /// <summary>Gini–Simpson index 1 − Σ p² (0 for an empty distribution).</summary>
    public static double GiniSimpson(ReadOnlySpan<long> counts) => Sum(counts) == 0 ? 0 : 1 - SimpsonIndex(counts);

    /// <summary>Number of non-empty categories (Hill number of order 0).</summary>
    public static int Richness(ReadOnlySpan<long> counts)
    {
        int k = 0;
        foreach (long c in counts) if (c > 0) k++;
        return k;
    }

    /// <summary>
    /// Hill number (effective number of categories) of order <paramref name="q"/> ≥ 0:
    /// q=0 richness, q=1 exp(H), q=2 1/Σp², otherwise (Σ p^q)^(1/(1−q)).
    /// </summary>
    public static double HillNumber(ReadOnlySpan<long> counts, double q)
    {
        if (!(q >= 0) || double.IsInfinity(q)) throw new ArgumentOutOfRangeException(nameof(q), "Order must be finite and non-negative.");
        double n = Sum(counts);
        if (n == 0) return 0;
        if (q == 0) return Richness(counts);
        if (q == 1) return Math.Exp(ShannonEntropy(counts));
        if (q == 2) return 1 / SimpsonIndex(counts);
        double s = 0;
        foreach (long c in counts) if (c > 0) s += Math.Pow(c / n, q);
        return Math.Pow(s, 1 / (1 - q));
    }

    /// <summary>Largest over smallest non-empty count; NaN when there is no non-empty category.</summary>
    public static double ImbalanceRatio(ReadOnlySpan<long> counts)
    {
        long max = 0, min = long.MaxValue;
        foreach (long c in counts)
        {
            if (c <= 0) continue;
            max = Math.Max(max, c);
            min = Math.Min(min, c);
        }
        return max == 0 ? double.NaN : (double)max / min;
    }

    /// <summary>Every figure of <paramref name="distribution"/> at once.</summary>
    public static DiversitySummary Summarize(CategoryDistribution distribution)
    {
        long[] c = distribution.Counts();
        return new DiversitySummary(
            Richness(c), distribution.Present, distribution.Missing, distribution.MissingShare,
            ShannonEntropy(c), ShannonEntropyBits(c), PielouEvenness(c),
            SimpsonIndex(c), GiniSimpson(c), HillNumber(c, 1), HillNumber(c, 2), ImbalanceRatio(c));
    }

    private static double Sum(ReadOnlySpan<long> counts)
    {
        double n = 0;
        foreach (long c in counts)
        {
            if (c < 0) throw new ArgumentOutOfRangeException(nameof(counts), "Counts must be non-negative.");
            n += c;
        }
        return n;
    }
}
