namespace Lakehouse.Udfs.Splitting;

/// <summary>The partition of a dataset a patient (and everything of theirs) belongs to.</summary>
public enum DatasetSplit
{
    /// <summary>Training data.</summary>
    Train = 0,

    /// <summary>Validation (model selection) data.</summary>
    Validation = 1,

    /// <summary>Held-out test data.</summary>
    Test = 2,
}

/// <summary>Target shares of the three splits; they must be non-negative and sum to 1 (within 1e-9).</summary>
/// <param name="Train">Share of <see cref="DatasetSplit.Train"/>.</param>
/// <param name="Validation">Share of <see cref="DatasetSplit.Validation"/>.</param>
/// <param name="Test">Share of <see cref="DatasetSplit.Test"/>.</param>
public readonly record struct SplitRatios(double Train, double Validation, double Test)
{
    /// <summary>70/15/15.</summary>
    public static SplitRatios Default => new(0.70, 0.15, 0.15);

    /// <summary>The share of <paramref name="split"/>.</summary>
    public double this[DatasetSplit split] => split switch
    {
        DatasetSplit.Train => Train,
        DatasetSplit.Validation => Validation,
        DatasetSplit.Test => Test,
        _ => throw new ArgumentOutOfRangeException(nameof(split)),
    };

    /// <summary>Throws <see cref="ArgumentException"/> when a share is negative or not finite or the shares do not sum to 1.</summary>
    public void Validate()
    {
        foreach (double r in (ReadOnlySpan<double>)[Train, Validation, Test])
            if (!double.IsFinite(r) || r < 0) throw new ArgumentException("Split ratios must be finite and non-negative.");
        if (Math.Abs(Train + Validation + Test - 1.0) > 1e-9) throw new ArgumentException("Split ratios must sum to 1.");
    }
}
