using Lakehouse.Udfs.Splitting;

namespace Lakehouse.Benchmarks.Splitting;

/// <summary>
/// A realistic synthetic chest X-ray cohort for split-quality comparisons: patients at 4 sites of unequal size,
/// 1-5 studies each (mostly 1), 1-4 images per study, site-dependent CR/DX mix, and 14 CheXpert labels drawn
/// from a Gaussian latent model (patient frailty, a cardiac and a parenchymal cluster, per-site severity) so
/// labels correlate within studies, across a patient's studies and with the site. A few studies are registered
/// under two pseudonyms (the same Study Instance UID), the leakage a patient-keyed split misses.
/// </summary>
internal static class SyntheticCohort
{
    public static readonly string[] Labels =
    [
        "No Finding", "Enlarged Cardiomediastinum", "Cardiomegaly", "Lung Opacity", "Lung Lesion", "Edema", "Consolidation",
        "Pneumonia", "Atelectasis", "Pneumothorax", "Pleural Effusion", "Pleural Other", "Fracture", "Support Devices",
    ];

    // Target prevalence per label (No Finding is derived: nothing but support devices).
    private static readonly double[] Prevalence = [0, 0.05, 0.12, 0.40, 0.04, 0.24, 0.07, 0.03, 0.15, 0.09, 0.38, 0.015, 0.01, 0.30];
    private static readonly int[] Cluster = [-1, 0, 0, 1, 1, 0, 1, 1, 1, -1, 0, -1, -1, -1]; // 0 cardiac, 1 parenchymal

    public static readonly string[] Sites = ["SITE-NORTH", "SITE-EAST", "SITE-SOUTH", "SITE-WEST"];
    private static readonly double[] SiteShare = [0.45, 0.30, 0.15, 0.10];
    private static readonly double[] SiteSeverity = [0.0, 0.25, -0.2, 0.5];  // shifts the latent mean
    private static readonly double[] SiteDxShare = [0.8, 0.3, 0.5, 0.05];

    public sealed record Study(int Index, string Patient, string StudyInstanceUid, string Site, string Modality, int Instances, bool[] Labels)
    {
        public SplitStudy ToSplitStudy() => new(Patient, StudyInstanceUid, Site, Modality, Instances, Labels);
    }

    public static List<Study> Generate(int patients, ulong seed, int duplicatedStudies)
    {
        var rng = new SplitMix64(seed);
        var studies = new List<Study>();
        double[] threshold = Prevalence.Select(p => p > 0 ? UpperTailQuantile(p) : double.PositiveInfinity).ToArray();
        for (int p = 0; p < patients; p++)
        {
            string patient = $"PSN-{p:D6}";
            int site = Pick(SiteShare, ref rng);
            double frailty = Normal(ref rng);
            int count = 1 + Pick([0.40, 0.25, 0.15, 0.12, 0.08], ref rng);
            for (int s = 0; s < count; s++)
            {
                double study = Normal(ref rng);
                double cardiac = Normal(ref rng), parenchymal = Normal(ref rng);
                var labels = new bool[Labels.Length];
                bool anyFinding = false;
                for (int l = 1; l < Labels.Length; l++)
                {
                    double cluster = Cluster[l] switch { 0 => cardiac, 1 => parenchymal, _ => Normal(ref rng) };
                    // Var = 0.3 + 0.15 + 0.25 + 0.3 = 1.
                    double z = Math.Sqrt(0.3) * frailty + Math.Sqrt(0.15) * study + Math.Sqrt(0.25) * cluster + Math.Sqrt(0.3) * Normal(ref rng) + SiteSeverity[site];
                    labels[l] = z > threshold[l];
                    if (labels[l] && l != 13) anyFinding = true;
                }
                labels[0] = !anyFinding;
                string modality = rng.NextDouble() < SiteDxShare[site] ? "DX" : "CR";
                studies.Add(new Study(studies.Count, patient, $"2.25.{seed}.{p}.{s}", Sites[site], modality, 1 + Pick([0.3, 0.55, 0.1, 0.05], ref rng), labels));
            }
        }
        // The same study re-registered under a second pseudonym (merged records, typos in the ID).
        int original = studies.Count;
        for (int i = 0; i < duplicatedStudies; i++)
        {
            var s = studies[rng.NextInt(original)];
            string other = $"PSN-{patients + i:D6}";
            studies.Add(s with { Index = studies.Count, Patient = other });
        }
        return studies;
    }

    private static int Pick(ReadOnlySpan<double> shares, ref SplitMix64 rng)
    {
        double u = rng.NextDouble();
        for (int i = 0; i < shares.Length - 1; i++)
        {
            if (u < shares[i]) return i;
            u -= shares[i];
        }
        return shares.Length - 1;
    }

    private static double Normal(ref SplitMix64 rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>x with P(Z &gt; x) = p for p ≤ 0.5 (Abramowitz and Stegun 26.2.23, error below 4.5e-4).</summary>
    private static double UpperTailQuantile(double p)
    {
        double t = Math.Sqrt(-2 * Math.Log(p));
        return t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
    }
}
