namespace Lakehouse.Udfs.Reports;

/// <summary>What a report section holds, from its header.</summary>
public enum ReportSectionKind
{
    /// <summary>Text before any recognised header, or a report with no headers at all.</summary>
    Untitled,
    /// <summary>FINDINGS, REPORT, DESCRIPTION.</summary>
    Findings,
    /// <summary>IMPRESSION, CONCLUSION, SUMMARY, OPINION.</summary>
    Impression,
    /// <summary>INDICATION, HISTORY, CLINICAL INFORMATION, REASON FOR EXAM: why the study was ordered.</summary>
    Indication,
    /// <summary>COMPARISON, PRIOR STUDIES.</summary>
    Comparison,
    /// <summary>TECHNIQUE, EXAMINATION, PROCEDURE, VIEWS.</summary>
    Technique,
    /// <summary>RECOMMENDATION(S), FOLLOW UP.</summary>
    Recommendation,
}

/// <summary>One section of a report: its kind, the header as written, and where its body lies in the report text.</summary>
/// <param name="Kind">What the section holds.</param>
/// <param name="Header">The header text as written (without the colon), empty for <see cref="ReportSectionKind.Untitled"/>.</param>
/// <param name="Start">Offset of the body's first character in the report text (after the header).</param>
/// <param name="Length">Length of the body in characters.</param>
public readonly record struct ReportSection(ReportSectionKind Kind, string Header, int Start, int Length)
{
    /// <summary>Offset just past the body.</summary>
    public int End => Start + Length;

    /// <summary>The body's text.</summary>
    public ReadOnlySpan<char> Body(string reportText) => reportText.AsSpan(Start, Length);

    /// <summary>The section name used in evidence and tables: the kind in lower case.</summary>
    public string Name => KindName(Kind);

    /// <summary>Lower-case name of a kind ("findings", "impression", ...).</summary>
    public static string KindName(ReportSectionKind kind) => kind switch
    {
        ReportSectionKind.Untitled => "untitled",
        ReportSectionKind.Findings => "findings",
        ReportSectionKind.Impression => "impression",
        ReportSectionKind.Indication => "indication",
        ReportSectionKind.Comparison => "comparison",
        ReportSectionKind.Technique => "technique",
        _ => "recommendation",
    };
}
