using System.Text.Json;
using System.Text.RegularExpressions;

namespace Lakehouse.Udfs.Reports;

/// <summary>
/// Splits a free-text radiology report into sections (FINDINGS, IMPRESSION, INDICATION, ...) by its headers.
/// A header is a known name (data: <c>Data/labeling/lexicon.json</c>, <c>sectionHeaders</c>) at the start of a line or
/// after a sentence end, followed by a colon, a dash, or the end of its line. Pure; the pattern is compiled once.
/// </summary>
public sealed class ReportSectionSplitter
{
    private readonly Regex _header;
    private readonly Dictionary<string, ReportSectionKind> _kinds;

    /// <summary>The splitter built from the shipped header list.</summary>
    public static ReportSectionSplitter Default { get; } = new(LoadDefaultHeaders());

    /// <summary>Builds a splitter from header names per kind (names are matched case-insensitively).</summary>
    public ReportSectionSplitter(IReadOnlyDictionary<ReportSectionKind, IReadOnlyList<string>> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        _kinds = new Dictionary<string, ReportSectionKind>(StringComparer.OrdinalIgnoreCase);
        foreach (var (kind, names) in headers)
            foreach (var name in names) _kinds[NormalizeHeader(name)] = kind;
        // Longest names first so "clinical history" wins over "history"; spaces in names match any run of blanks.
        var alternation = string.Join("|", _kinds.Keys.OrderByDescending(k => k.Length)
            .Select(k => Regex.Escape(k).Replace("\\ ", "[ \\t]+", StringComparison.Ordinal)));
        // Header at a line start (or after a sentence end on the same line), then ':' or a dash, or alone on its line.
        _header = new Regex(
            @"(?:^|(?<=[.!?][ \t]+))[ \t]*(?<name>" + alternation + @")\b(?:[ \t]*(?::|-+|–|—)[ \t]*|[ \t]*(?=\r?$))",
            RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }

    /// <summary>
    /// The sections in text order. Text before the first header is an <see cref="ReportSectionKind.Untitled"/> section
    /// (omitted when blank); a report with no headers is one Untitled section covering all of it; an empty report has none.
    /// </summary>
    public IReadOnlyList<ReportSection> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sections = new List<ReportSection>();
        var kind = ReportSectionKind.Untitled;
        var header = "";
        int bodyStart = 0;
        foreach (Match m in _header.Matches(text))
        {
            // A dash-less, colon-less header must stand alone on its line: checked by the regex's end-of-line branch.
            Add(sections, text, kind, header, bodyStart, m.Index);
            var name = m.Groups["name"].Value;
            kind = _kinds[NormalizeHeader(name)];
            header = name;
            bodyStart = m.Index + m.Length;
        }
        Add(sections, text, kind, header, bodyStart, text.Length);
        return sections;
    }

    private static void Add(List<ReportSection> sections, string text, ReportSectionKind kind, string header, int start, int end)
    {
        // Trim blanks so offsets point at the first and last real characters of the body.
        while (start < end && char.IsWhiteSpace(text[start])) start++;
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        if (end == start && kind == ReportSectionKind.Untitled) return;
        sections.Add(new ReportSection(kind, header, start, end - start));
    }

    private static string NormalizeHeader(string name) =>
        string.Join(' ', name.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();

    private static Dictionary<ReportSectionKind, IReadOnlyList<string>> LoadDefaultHeaders()
    {
        using var doc = JsonDocument.Parse(Labeling.LexiconResource.ReadJson());
        var result = new Dictionary<ReportSectionKind, IReadOnlyList<string>>();
        foreach (var kind in doc.RootElement.GetProperty("sectionHeaders").EnumerateObject())
        {
            var parsed = Enum.Parse<ReportSectionKind>(kind.Name, ignoreCase: true);
            result[parsed] = kind.Value.EnumerateArray().Select(e => e.GetString()!).ToList();
        }
        return result;
    }
}
