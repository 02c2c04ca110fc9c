using Lakehouse.Udfs.Reports;

namespace Lakehouse.Udfs.Tests.Labeling;

public sealed class ReportSectionSplitterTests
{
    private static readonly ReportSectionSplitter Splitter = ReportSectionSplitter.Default;

    private static (ReportSectionKind Kind, string Body)[] Split(string text) =>
        Splitter.Split(text).Select(s => (s.Kind, s.Body(text).ToString())).ToArray();

    [Fact]
    public void Upper_case_headers_with_colons()
    {
        Split("FINDINGS: Lungs are clear.\nIMPRESSION: Normal chest.").Should().Equal(
            (ReportSectionKind.Findings, "Lungs are clear."),
            (ReportSectionKind.Impression, "Normal chest."));
    }

    [Fact]
    public void Mixed_case_headers_with_dashes_and_headers_alone_on_their_line()
    {
        Split("Findings - Heart size normal.\nImpression\nNo acute disease.").Should().Equal(
            (ReportSectionKind.Findings, "Heart size normal."),
            (ReportSectionKind.Impression, "No acute disease."));
    }

    [Fact]
    public void Conclusion_is_an_impression_and_text_before_the_first_header_is_untitled()
    {
        Split("Chest, two views.\nCONCLUSION: No pneumothorax.").Should().Equal(
            (ReportSectionKind.Untitled, "Chest, two views."),
            (ReportSectionKind.Impression, "No pneumothorax."));
    }

    [Fact]
    public void Inline_headers_after_a_sentence_end()
    {
        Split("INDICATION: Cough. COMPARISON: None. FINDINGS: Clear lungs. IMPRESSION: Negative.").Select(s => s.Kind).Should().Equal(
            ReportSectionKind.Indication, ReportSectionKind.Comparison, ReportSectionKind.Findings, ReportSectionKind.Impression);
    }

    [Fact]
    public void Multi_word_headers_win_over_their_last_word()
    {
        var sections = Splitter.Split("CLINICAL HISTORY: Fever.\nFINDINGS: Clear.");
        sections[0].Kind.Should().Be(ReportSectionKind.Indication);
        sections[0].Header.Should().Be("CLINICAL HISTORY");
    }

    [Fact]
    public void No_headers_gives_one_untitled_section_covering_the_text()
    {
        const string text = "The lungs are clear. No effusion.";
        var sections = Splitter.Split(text);
        sections.Should().ContainSingle();
        sections[0].Kind.Should().Be(ReportSectionKind.Untitled);
        sections[0].Start.Should().Be(0);
        sections[0].Length.Should().Be(text.Length);
    }

    [Fact]
    public void Header_words_inside_sentences_are_not_headers()
    {
        Split("Findings are consistent with a history of asthma. Impression of hyperinflation.").Should().ContainSingle()
            .Which.Kind.Should().Be(ReportSectionKind.Untitled);
    }

    [Fact]
    public void Empty_text_has_no_sections_and_an_empty_header_body_is_kept()
    {
        Splitter.Split("").Should().BeEmpty();
        Split("FINDINGS:\nIMPRESSION: Normal.").Should().Equal(
            (ReportSectionKind.Findings, ""),
            (ReportSectionKind.Impression, "Normal."));
    }
}
