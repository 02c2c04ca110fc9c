using System.Diagnostics;
using Lakehouse.Udfs.Splitting;
using Microsoft.ML;

namespace Lakehouse.Benchmarks.Splitting;

/// <summary>
/// Split quality, not speed: on one synthetic multi-label cohort, the largest deviation of any split's label
/// prevalence (and site / modality share) from the overall value, for PatientSplitAssigner vs ML.NET
/// TrainTestSplit keyed by patient (two stages for train/validation/test) vs a random patient-level split,
/// averaged over several seeds. Also counts leaked identifiers (SplitLeakageVerifier).
/// </summary>
public sealed class SplitQualityBenchmark : IBenchmarkCommand
{
    public string Name => "split-quality";

    public string Description => "label/site balance of splits: PatientSplitAssigner vs ML.NET TrainTestSplit(samplingKey=patient) vs random patient split [--patients N] [--seeds N]";

    private const double TrainShare = 0.70, ValidationShare = 0.15, TestShare = 0.15;

    public int Run(string[] args)
    {
        int patients = Option(args, "--patients", 2000);
        int seeds = Option(args, "--seeds", 10);
        var cohort = SyntheticCohort.Generate(patients, seed: 20261122, duplicatedStudies: patients / 100);
        var rows = BuildRows(cohort);
        Console.WriteLine($"cohort: {cohort.Select(s => s.Patient).Distinct().Count()} patients, {cohort.Count} studies, {cohort.Sum(s => s.Instances)} images, {patients / 100} studies shared by two pseudonyms; {seeds} seeds; target {TrainShare:P0}/{ValidationShare:P0}/{TestShare:P0}");

        var methods = new (string Name, Func<ulong, DatasetSplit[]> Split)[]
        {
            ("ours", seed => Ours(cohort, seed)),
            ("ML.NET", seed => MlNet(cohort, seed)),
            ("random", seed => RandomPatients(cohort, seed)),
        };
        var deviation = new double[methods.Length, rows.Count];
        var leaks = new double[methods.Length];
        var sizeDeviation = new double[methods.Length];
        var elapsed = new double[methods.Length];
        for (int m = 0; m < methods.Length; m++)
        {
            for (ulong seed = 1; seed <= (ulong)seeds; seed++)
            {
                var sw = Stopwatch.StartNew();
                DatasetSplit[] split = methods[m].Split(seed);
                elapsed[m] += sw.Elapsed.TotalMilliseconds / seeds;
                for (int r = 0; r < rows.Count; r++) deviation[m, r] += MaxDeviation(cohort, split, rows[r].Member) / seeds;
                leaks[m] += SplitLeakageVerifier.Verify(cohort.Select(s => new SplitMembershipRow(s.Patient, s.StudyInstanceUid, null, null, split[s.Index]))).Count / (double)seeds;
                sizeDeviation[m] += Enum.GetValues<DatasetSplit>().Max(d => Math.Abs(split.Count(x => x == d) / (double)split.Length - Target(d))) / seeds;
            }
        }

        Console.WriteLine();
        Console.WriteLine("Largest |share in a split - overall share|, percentage points, mean over seeds");
        Console.WriteLine($"{"stratum",-34} {"overall",8} {methods[0].Name,8} {methods[1].Name,8} {methods[2].Name,8}");
        for (int r = 0; r < rows.Count; r++)
        {
            double overall = cohort.Count(rows[r].Member) / (double)cohort.Count;
            Console.WriteLine($"{rows[r].Name,-34} {overall,8:P1} {deviation[0, r] * 100,8:F2} {deviation[1, r] * 100,8:F2} {deviation[2, r] * 100,8:F2}");
        }
        Console.WriteLine();
        int labelRows = SyntheticCohort.Labels.Length;
        Summary("labels: mean", m => Enumerable.Range(0, labelRows).Average(r => deviation[m, r]) * 100);
        Summary("labels: max", m => Enumerable.Range(0, labelRows).Max(r => deviation[m, r]) * 100);
        Summary("sites+modalities: mean", m => Enumerable.Range(labelRows, rows.Count - labelRows).Average(r => deviation[m, r]) * 100);
        Summary("sites+modalities: max", m => Enumerable.Range(labelRows, rows.Count - labelRows).Max(r => deviation[m, r]) * 100);
        Summary("all strata: mean", m => Enumerable.Range(0, rows.Count).Average(r => deviation[m, r]) * 100);
        Summary("split size (studies): max dev pp", m => sizeDeviation[m] * 100);
        Summary("leaked study/patient ids", m => leaks[m]);
        Summary("time per split, ms", m => elapsed[m]);
        double oursMean = Enumerable.Range(0, rows.Count).Average(r => deviation[0, r]);
        Console.WriteLine();
        for (int m = 1; m < methods.Length; m++)
            Console.WriteLine($"mean deviation ratio {methods[m].Name}/ours: {Enumerable.Range(0, rows.Count).Average(r => deviation[m, r]) / oursMean:F1}x");
        return 0;

        void Summary(string name, Func<int, double> value) =>
            Console.WriteLine($"{name,-34} {"",8} {value(0),8:F2} {value(1),8:F2} {value(2),8:F2}");
    }

    private static List<(string Name, Func<SyntheticCohort.Study, bool> Member)> BuildRows(List<SyntheticCohort.Study> cohort)
    {
        var rows = new List<(string, Func<SyntheticCohort.Study, bool>)>();
        for (int l = 0; l < SyntheticCohort.Labels.Length; l++)
        {
            int label = l;
            rows.Add(($"label {SyntheticCohort.Labels[l]}", s => s.Labels[label]));
        }
        foreach (var site in SyntheticCohort.Sites) rows.Add(($"site {site}", s => s.Site == site));
        foreach (var modality in cohort.Select(s => s.Modality).Distinct().Order(StringComparer.Ordinal)) rows.Add(($"modality {modality}", s => s.Modality == modality));
        return rows;
    }

    private static double MaxDeviation(List<SyntheticCohort.Study> cohort, DatasetSplit[] split, Func<SyntheticCohort.Study, bool> member)
    {
        Span<int> members = stackalloc int[3], totals = stackalloc int[3];
        int all = 0;
        foreach (var s in cohort)
        {
            int d = (int)split[s.Index];
            totals[d]++;
            if (member(s)) { members[d]++; all++; }
        }
        double overall = all / (double)cohort.Count, worst = 0;
        for (int d = 0; d < 3; d++)
            if (totals[d] > 0) worst = Math.Max(worst, Math.Abs(members[d] / (double)totals[d] - overall));
        return worst;
    }

    private static double Target(DatasetSplit d) => d switch { DatasetSplit.Train => TrainShare, DatasetSplit.Validation => ValidationShare, _ => TestShare };

    private static DatasetSplit[] Ours(List<SyntheticCohort.Study> cohort, ulong seed)
    {
        var options = new PatientSplitOptions { Seed = seed, Weighting = SplitWeighting.Studies, Ratios = new SplitRatios(TrainShare, ValidationShare, TestShare) };
        var assignment = new PatientSplitAssigner(options).Assign(cohort.Select(s => s.ToSplitStudy()).ToList());
        return cohort.Select(s => assignment.Patients[s.Patient]).ToArray();
    }

    private sealed class MlRow
    {
        public string Patient { get; set; } = "";

        public int Index { get; set; }
    }

    private static DatasetSplit[] MlNet(List<SyntheticCohort.Study> cohort, ulong seed)
    {
        var ml = new MLContext(seed: (int)seed);
        var data = ml.Data.LoadFromEnumerable(cohort.Select(s => new MlRow { Patient = s.Patient, Index = s.Index }));
        var first = ml.Data.TrainTestSplit(data, testFraction: TestShare, samplingKeyColumnName: nameof(MlRow.Patient), seed: (int)seed);
        var second = ml.Data.TrainTestSplit(first.TrainSet, testFraction: ValidationShare / (TrainShare + ValidationShare), samplingKeyColumnName: nameof(MlRow.Patient), seed: (int)seed + 1000);
        var split = new DatasetSplit[cohort.Count];
        foreach (var (view, d) in new[] { (first.TestSet, DatasetSplit.Test), (second.TrainSet, DatasetSplit.Train), (second.TestSet, DatasetSplit.Validation) })
            foreach (var row in ml.Data.CreateEnumerable<MlRow>(view, reuseRowObject: false)) split[row.Index] = d;
        return split;
    }

    private static DatasetSplit[] RandomPatients(List<SyntheticCohort.Study> cohort, ulong seed)
    {
        var patients = cohort.Select(s => s.Patient).Distinct().Order(StringComparer.Ordinal).ToArray();
        new SplitMix64(seed).Shuffle(patients.AsSpan());
        var of = new Dictionary<string, DatasetSplit>(StringComparer.Ordinal);
        for (int i = 0; i < patients.Length; i++)
            of[patients[i]] = i < patients.Length * TrainShare ? DatasetSplit.Train : i < patients.Length * (TrainShare + ValidationShare) ? DatasetSplit.Validation : DatasetSplit.Test;
        return cohort.Select(s => of[s.Patient]).ToArray();
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out int v) && v > 0 ? v : fallback;
    }
}
