using System.Text;
using System.Text.Json;
using Lakehouse.Udfs.Deidentification;

namespace Lakehouse.Udfs.Tests.Deidentification;

[Collection(SynthPhiCollection.Name)]
public class SynthPhiLeakTests(SynthPhiCorpus corpus)
{
    internal static string Deidentify(SynthPhiCorpus.File f, DeidOptions options, DeidKey key, DeidAudit? audit = null) =>
        DicomJsonDeidentifier.Deidentify(f.Json, options, key, f.PatientId, audit ?? new DeidAudit());

    /// <summary>All text a reader of the output could see: string values, keys, and decoded inline binary (as Latin-1).</summary>
    internal static string VisibleText(string json)
    {
        var sb = new StringBuilder();
        using var doc = JsonDocument.Parse(json);
        void Walk(JsonElement e, string? property)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject()) { sb.Append(p.Name).Append('\n'); Walk(p.Value, p.Name); }
                    break;
                case JsonValueKind.Array:
                    foreach (var i in e.EnumerateArray()) Walk(i, property);
                    break;
                case JsonValueKind.String when property == "InlineBinary":
                    sb.Append(Encoding.Latin1.GetString(Convert.FromBase64String(e.GetString()!))).Append('\n');
                    break;
                case JsonValueKind.String:
                    sb.Append(e.GetString()).Append('\n');
                    break;
                default:
                    sb.Append(e.GetRawText()).Append('\n');
                    break;
            }
        }
        Walk(doc.RootElement, null);
        return sb.ToString();
    }

    /// <summary>
    /// Case-insensitive occurrence not inside a longer word or number: "MARY" is a planted name, but "PRIMARY" in
    /// Image Type is not a leak of it.
    /// </summary>
    internal static bool Contains(string text, string needle) =>
        System.Text.RegularExpressions.Regex.IsMatch(text, @"(?<![A-Za-z0-9])" + System.Text.RegularExpressions.Regex.Escape(needle) + "(?![A-Za-z0-9])",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    public static TheoryData<string> OptionSets => new() { "default", "basic", "all-retain-but-identity" };

    private static DeidOptions Options(string name) => name switch
    {
        "default" => DeidOptions.Default,
        "basic" => DeidOptions.Basic,
        _ => DeidOptions.Default with { RetainUids = false, RetainLongitudinalModifiedDates = true },
    };

    [Theory]
    [MemberData(nameof(OptionSets))]
    public void No_planted_PHI_string_survives_in_any_of_the_21_files(string optionSet)
    {
        corpus.Files.Should().HaveCount(21);
        var leaks = new List<string>();
        foreach (var f in corpus.Files)
        {
            string input = VisibleText(f.Json);
            string output = VisibleText(Deidentify(f, Options(optionSet), DeidTestKeys.A));
            foreach (string needle in corpus.Needles)
                if (Contains(output, needle))
                    leaks.Add($"{f.Name}: '{needle}'");
            // The scan can fail: the inputs hold the needles.
            corpus.Needles.Count(n => Contains(input, n)).Should().BeGreaterThan(0);
        }
        leaks.Should().BeEmpty();
    }

    [Fact]
    public void The_scan_finds_every_needle_somewhere_in_the_inputs()
    {
        string all = string.Concat(corpus.Files.Select(f => VisibleText(f.Json)));
        corpus.Needles.Where(n => !Contains(all, n)).Should().BeEmpty();
    }
}
