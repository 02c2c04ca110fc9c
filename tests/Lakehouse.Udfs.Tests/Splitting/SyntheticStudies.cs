using Lakehouse.Udfs.Splitting;

namespace Lakehouse.Udfs.Tests.Splitting;

/// <summary>A small synthetic multi-label cohort for split tests: patients with 1-5 studies, 3 unequal sites, 2 modalities, 14 correlated labels.</summary>
internal static class SyntheticStudies
{
    public static readonly double[] Prevalence = [0.40, 0.30, 0.25, 0.20, 0.15, 0.12, 0.10, 0.08, 0.06, 0.05, 0.04, 0.03, 0.02, 0.01];

    public static List<SplitStudy> Generate(int patients, ulong seed, string prefix = "P")
    {
        var rng = new SplitMix64(seed);
        var studies = new List<SplitStudy>();
        for (int p = 0; p < patients; p++)
        {
            string patient = $"{prefix}{p:D5}";
            double u = rng.NextDouble();
            string site = u < 0.6 ? "SITE-A" : u < 0.9 ? "SITE-B" : "SITE-C";
            double frailty = rng.NextDouble() * 2; // patient-level correlation across labels and studies
            int n = 1 + rng.NextInt(5);
            for (int s = 0; s < n; s++)
            {
                var labels = new bool[14];
                for (int l = 0; l < 14; l++) labels[l] = rng.NextDouble() < Math.Min(1, Prevalence[l] * frailty);
                studies.Add(new SplitStudy(patient, $"1.2.826.0.1.{p}.{s}", site, rng.NextDouble() < 0.7 ? "CR" : "DX", 1 + rng.NextInt(3), labels));
            }
        }
        return studies;
    }

    public static Dictionary<DatasetSplit, double> InstanceShares(IEnumerable<SplitStudy> studies, IReadOnlyDictionary<string, DatasetSplit> split)
    {
        var list = studies.ToList();
        double total = list.Sum(s => s.InstanceCount);
        return Enum.GetValues<DatasetSplit>().ToDictionary(d => d, d => list.Where(s => split[s.Patient] == d).Sum(s => s.InstanceCount) / total);
    }

    /// <summary>Mean over labels of the largest |prevalence in a split − overall prevalence| (study level).</summary>
    public static double MeanLabelDeviation(IReadOnlyList<SplitStudy> studies, Func<string, DatasetSplit> split)
    {
        double sum = 0;
        for (int l = 0; l < 14; l++)
        {
            double overall = studies.Count(s => s.Labels[l]) / (double)studies.Count;
            double worst = 0;
            foreach (var d in Enum.GetValues<DatasetSplit>())
            {
                var inSplit = studies.Where(s => split(s.Patient) == d).ToList();
                if (inSplit.Count > 0) worst = Math.Max(worst, Math.Abs(inSplit.Count(s => s.Labels[l]) / (double)inSplit.Count - overall));
            }
            sum += worst;
        }
        return sum / 14;
    }
}
