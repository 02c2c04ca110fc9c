using System.Diagnostics;
using System.Globalization;
using Lakehouse.Jobs.Labels;
using Lakehouse.Testing;
using Lakehouse.Udfs.Labeling;

namespace Lakehouse.Benchmarks.Labeling;

/// <summary>
/// <c>label-eval</c>: runs <see cref="ReportLabeler"/> on the IU/Open-i dev gold set (../shared/reports/gold-dev.csv,
/// read at run time, never copied) and prints per-observation precision, recall and F1 of "positive" against the
/// human labels, beside NegBio's published figures on these reports. Aggregate figures only: no report text is printed.
/// </summary>
public sealed class LabelEvalCommand : IBenchmarkCommand
{
    // NegBio on the OpenI reports (Peng et al. 2018), the figures this evaluation is compared with.
    private const double NegBioPrecision = 0.898, NegBioRecall = 0.850, NegBioF1 = 0.873;

    public string Name => "label-eval";

    public string Description => "Report labeler vs human labels on 1,850 IU/Open-i reports (positive vs rest); NegBio's published P/R/F1 beside";

    public int Run(string[] args)
    {
        string path = args.Length > 0 ? args[0] : RepoPaths.SharedFile("reports", "gold-dev.csv");
        var gold = GoldReport.Read(path);
        var labeler = ReportLabeler.Default;
        labeler.Label("warm up: no pneumothorax.");

        var tp = new int[ChexpertObservations.Count];
        var fp = new int[ChexpertObservations.Count];
        var fn = new int[ChexpertObservations.Count];
        // Label the set three times and time the fastest pass (the first includes JIT warm-up).
        var predictions = new ReportLabels[gold.Count];
        var fastest = TimeSpan.MaxValue;
        for (int pass = 0; pass < 3; pass++)
        {
            var watch = Stopwatch.StartNew();
            for (int r = 0; r < gold.Count; r++) predictions[r] = labeler.Label(gold[r].Text);
            if (watch.Elapsed < fastest) fastest = watch.Elapsed;
        }
        for (int r = 0; r < gold.Count; r++)
        {
            foreach (var o in ChexpertObservations.All)
            {
                bool truth = gold[r].Positive[(int)o];
                bool predicted = predictions[r][o] == MentionLabel.Positive;
                if (predicted && truth) tp[(int)o]++;
                else if (predicted) fp[(int)o]++;
                else if (truth) fn[(int)o]++;
            }
        }

        Console.WriteLine($"label-eval: {gold.Count} reports from {Path.GetFileName(path)}; positive (1) vs everything else");
        Console.WriteLine($"{"observation",-28} {"gold+",6} {"TP",5} {"FP",5} {"FN",5} {"prec",6} {"recall",6} {"F1",6}");
        double macro = 0;
        foreach (var o in ChexpertObservations.All)
        {
            int i = (int)o;
            var (p, rc, f) = Scores(tp[i], fp[i], fn[i]);
            macro += f;
            Console.WriteLine($"{o.DisplayName(),-28} {tp[i] + fn[i],6} {tp[i],5} {fp[i],5} {fn[i],5} {p,6:F3} {rc,6:F3} {f,6:F3}");
        }
        macro /= ChexpertObservations.Count;
        var (mp, mr, mf) = Scores(tp.Sum(), fp.Sum(), fn.Sum());
        Console.WriteLine($"{"micro (all 14)",-28} {tp.Sum() + fn.Sum(),6} {tp.Sum(),5} {fp.Sum(),5} {fn.Sum(),5} {mp,6:F3} {mr,6:F3} {mf,6:F3}");
        Console.WriteLine($"{"macro F1 (all 14)",-28} {"",6} {"",5} {"",5} {"",5} {"",6} {"",6} {macro,6:F3}");
        Console.WriteLine($"{"NegBio (published)",-28} {"",6} {"",5} {"",5} {"",5} {NegBioPrecision,6:F3} {NegBioRecall,6:F3} {NegBioF1,6:F3}");
        Console.WriteLine($"micro F1 vs NegBio: {mf - NegBioF1:+0.000;-0.000}; labeling time {fastest.TotalMilliseconds:F0} ms " +
                          $"({gold.Count / fastest.TotalSeconds:F0} reports/s, one thread, fastest of 3 passes)");
        return 0;
    }

    private static (double Precision, double Recall, double F1) Scores(int tp, int fp, int fn)
    {
        double p = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        double r = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        double f = p + r == 0 ? 0 : 2 * p * r / (p + r);
        return (p, r, f);
    }

}
