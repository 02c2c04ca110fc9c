using Lakehouse.Benchmarks.Labeling;
using System.Diagnostics;
using System.Text.Json;
using Lakehouse.Jobs.Labels;
using Lakehouse.Jobs.Sample;
using Lakehouse.Testing;
using Lakehouse.Udfs.Deidentification;
using Lakehouse.Udfs.Labeling;

namespace Lakehouse.Benchmarks.Deidentification;

/// <summary>
/// <c>scrub-eval</c>: runs <see cref="ReportTextDeidentifier"/> over the IU/Open-i dev reports (already de-identified by
/// their publisher, so every span we mask there is a false positive) and over a fresh synthetic sample's reports.jsonl
/// (planted PHI in ground-truth/phi.json). Prints masked spans per token kind, false positives by masked text, planted PHI
/// left in the output, and the scrub time per report. Sample spans are synthetic; IU spans are printed as masked words
/// only (aggregate counts, no report text).
/// </summary>
public sealed class ScrubEvalCommand : IBenchmarkCommand
{
    private static readonly string[] Kinds = ["[NAME]", "[ID]", "[PHONE]", "[ADDRESS]", "[EMAIL]", "[URL]", "[INSTITUTION]", "[DATE]"];

    public string Name => "scrub-eval";

    public string Description => "Report scrubber: masked spans per kind, false positives (IU/Open-i reports, sample reports), planted PHI left, time per report";

    public int Run(string[] args)
    {
        var gold = GoldReport.Read(RepoPaths.SharedFile("reports", "gold-dev.csv"));
        var iu = gold.Select(g => g.Text).ToList();
        var empty = new ReportScrubContext();
        Console.WriteLine($"IU/Open-i dev: {iu.Count} reports, empty context (no known values), no date shift");
        Evaluate(iu.Select(t => (t, empty)).ToList(), _ => false);
        // A site whose department/station values are words ("RADIOLOGY", "PORTABLE") and a patient whose names are words.
        var wordy = new ReportScrubContext
        {
            KnownNames = ["WHITE^MAY", "CLEAR^MARK"],
            InstitutionNames = ["RADIOLOGY", "PORTABLE"],
        };
        Console.WriteLine($"\nIU/Open-i dev, context: names WHITE^MAY and CLEAR^MARK, department RADIOLOGY, station PORTABLE");
        Evaluate(iu.Select(t => (t, wordy)).ToList(), _ => false);
        Console.WriteLine("\nlabeler micro F1 (positive vs rest, 14 observations) on the IU/Open-i dev reports:");
        Console.WriteLine($"  raw text                      {MicroF1(gold, g => g.Text):F4}");
        Console.WriteLine($"  scrubbed, empty context       {MicroF1(gold, g => ReportTextDeidentifier.Scrub(g.Text, empty)):F4}");
        Console.WriteLine($"  scrubbed, wordy context above {MicroF1(gold, g => ReportTextDeidentifier.Scrub(g.Text, wordy)):F4}");

        using var dir = new TempDirectory("scrub-eval");
        SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = dir.Path, Patients = 50, Seed = 1 });
        using var phiDoc = JsonDocument.Parse(File.ReadAllText(dir.Combine("ground-truth", "phi.json")));
        var phi = phiDoc.RootElement.EnumerateArray().Select(p => (Value: p.GetProperty("value").GetString()!, Attribute: p.GetProperty("attribute").GetString()!)).ToList();
        // What the pipeline knows: names, IDs and institutions/stations from the headers (here: all of the sample's, a superset).
        var context = new ReportScrubContext
        {
            KnownNames = phi.Where(p => p.Attribute is "PatientName" or "ReferringPhysicianName" or "PerformingPhysicianName" or "OperatorsName").Select(p => p.Value).Distinct().ToList(),
            KnownIdentifiers = phi.Where(p => p.Attribute is "PatientID" or "AccessionNumber" or "OtherPatientIDs" or "PatientAddress").Select(p => p.Value).Distinct().ToList(),
            // Plus the sample sites' department names (0008,1040), which the DICOM descriptor cleaner passes as institutions.
            InstitutionNames = phi.Where(p => p.Attribute is "InstitutionName" or "InstitutionAddress" or "StationName").Select(p => p.Value)
                .Concat(["Radiology", "Radiologie", "Bildediagnostikk", "Imaging"]).Distinct().ToList(),
        };
        var rowOnly = new ReportScrubContext();
        var reports = File.ReadLines(dir.Combine("reports.jsonl")).Select(l =>
        {
            using var d = JsonDocument.Parse(l);
            return d.RootElement.GetProperty("text").GetString()!;
        }).ToList();
        // A masked span is PHI when it holds a planted value or a name part (≥ 3 letters) of one.
        var needles = phi.Select(p => p.Value)
            .Concat(phi.Where(p => p.Attribute.Contains("name", StringComparison.OrdinalIgnoreCase) || p.Attribute.Contains("Physician", StringComparison.Ordinal))
                .SelectMany(p => p.Value.Split(['^', ' ', '='], StringSplitOptions.RemoveEmptyEntries)).Where(p => p.Length >= 3 && p != "Dr."))
            .Distinct().ToList();
        // Dates are PHI whatever they are (report and addendum dates of the sample are not all in phi.json).
        bool IsPhi(string span) => needles.Any(n => span.Contains(n, StringComparison.OrdinalIgnoreCase)) || DateLike(span);
        Console.WriteLine($"\nsample (50 patients, seed 1): {reports.Count} reports; context = every header name, ID, institution and station of the sample");
        Evaluate(reports.Select(t => (t, context)).ToList(), IsPhi);
        Console.WriteLine("\nsample, empty context (patterns alone): planted PHI left");
        Evaluate(reports.Select(t => (t, rowOnly)).ToList(), IsPhi, phi);
        Console.WriteLine("\nsample, full context: planted PHI left");
        LeftPhi(reports.Select(t => ReportTextDeidentifier.Scrub(t, context)).ToList(), phi);
        return 0;
    }

    private static void Evaluate(List<(string Text, ReportScrubContext Context)> rows, Func<string, bool> isPhi, List<(string Value, string Attribute)>? phi = null)
    {
        foreach (var (t, c) in rows.Take(50)) ReportTextDeidentifier.Scrub(t, c);
        var outputs = new string[rows.Count];
        var fastest = TimeSpan.MaxValue;
        for (int pass = 0; pass < 3; pass++)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < rows.Count; i++) outputs[i] = ReportTextDeidentifier.Scrub(rows[i].Text, rows[i].Context);
            if (watch.Elapsed < fastest) fastest = watch.Elapsed;
        }
        var perKind = Kinds.ToDictionary(k => k, _ => (Tp: 0, Fp: 0));
        var fps = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < rows.Count; i++)
            foreach (var (kind, span) in MaskedSpans(rows[i].Text, outputs[i]))
            {
                bool truePhi = isPhi(span);
                var (tp, fp) = perKind[kind];
                perKind[kind] = truePhi ? (tp + 1, fp) : (tp, fp + 1);
                if (!truePhi) fps[kind + " " + span] = fps.GetValueOrDefault(kind + " " + span) + 1;
            }
        foreach (var (kind, (tp, fp)) in perKind.Where(k => k.Value != (0, 0))) Console.WriteLine($"  {kind,-14} masked {tp + fp,6}  PHI {tp,6}  false positive {fp,6}");
        Console.WriteLine($"  total          masked {perKind.Values.Sum(v => v.Tp + v.Fp),6}  PHI {perKind.Values.Sum(v => v.Tp),6}  false positive {perKind.Values.Sum(v => v.Fp),6}");
        Console.WriteLine($"  scrub time {fastest.TotalMilliseconds:F1} ms for {rows.Count} reports ({fastest.TotalMilliseconds * 1000 / rows.Count:F1} µs/report, fastest of 3)");
        foreach (var (span, n) in fps.OrderByDescending(f => f.Value).ThenBy(f => f.Key, StringComparer.Ordinal).Take(40))
            Console.WriteLine($"    FP x{n,-4} {span.ReplaceLineEndings(" ")}");
        if (phi is not null) LeftPhi(outputs, phi);
    }

    private static void LeftPhi(IReadOnlyList<string> outputs, List<(string Value, string Attribute)> phi)
    {
        var left = phi.Where(p => p.Value.Length >= 5 && !p.Attribute.StartsWith("StudyInstanceUID", StringComparison.Ordinal))
            .Where(p => outputs.Any(o => o.Contains(p.Value, StringComparison.OrdinalIgnoreCase))).ToList();
        Console.WriteLine($"  planted PHI values (≥ 5 chars) found in output: {left.Count}");
        foreach (var g in left.GroupBy(p => p.Attribute)) Console.WriteLine($"    {g.Key}: {g.Count()} e.g. {g.First().Value}");
    }

    /// <summary>The (token, original text) pairs of a scrub: literal runs of the output are found again in the input.</summary>
    internal static IEnumerable<(string Kind, string Span)> MaskedSpans(string input, string output)
    {
        int inPos = 0, outPos = 0;
        while (outPos < output.Length)
        {
            int next = NextToken(output, outPos, out string? kind);
            if (kind is null) yield break;
            inPos += next - outPos; // literal run before the token is unchanged
            outPos = next + kind.Length;
            // Adjacent tokens: fold into one span of the first kind.
            while (NextToken(output, outPos, out string? k2) == outPos && k2 is not null) outPos += k2.Length;
            int litEnd = NextToken(output, outPos, out _);
            string literal = output[outPos..litEnd];
            int end = literal.Length == 0 ? input.Length : input.IndexOf(literal.Length > 12 ? literal[..12] : literal, inPos + 1, StringComparison.Ordinal);
            if (end < 0) end = input.Length;
            yield return (kind, input[inPos..end]);
            inPos = end;
        }
    }

    private static int NextToken(string s, int from, out string? kind)
    {
        int best = s.Length;
        kind = null;
        foreach (string k in Kinds)
        {
            int i = s.IndexOf(k, from, StringComparison.Ordinal);
            if (i >= 0 && i < best) { best = i; kind = k; }
        }
        return best;
    }

    private static bool DateLike(string span) => span.Count(char.IsAsciiDigit) >= 6 && span.Count(c => c is '/' or '-' or '.') >= 2 && span.Length <= 12;

    private static double MicroF1(List<GoldReport> gold, Func<GoldReport, string> text)
    {
        var labeler = ReportLabeler.Default;
        int tp = 0, fp = 0, fn = 0;
        foreach (var g in gold)
        {
            var labels = labeler.Label(text(g));
            foreach (var o in ChexpertObservations.All)
            {
                bool truth = g.Positive[(int)o], predicted = labels[o] == MentionLabel.Positive;
                if (predicted && truth) tp++;
                else if (predicted) fp++;
                else if (truth) fn++;
            }
        }
        return 2.0 * tp / (2 * tp + fp + fn);
    }

}
