using Lakehouse.Jobs;
using Lakehouse.Jobs.Labels;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Labels;

/// <summary>End to end: label-reports on temp files of invented reports (never the IU/Open-i ones), checking the CSV.</summary>
public sealed class LabelReportsJobTests
{
    private const string Header =
        "report_id,no_finding,enlarged_cardiomediastinum,cardiomegaly,lung_opacity,lung_lesion,edema,consolidation," +
        "pneumonia,atelectasis,pneumothorax,pleural_effusion,pleural_other,fracture,support_devices";

    // Expected rows for the invented reports below, in column order.
    private static readonly string[] ExpectedRows =
    [
        "r-001,1,,0,0,,,,,,0,0,,,1",
        "r-002,,,1,,,-1,,,,,1,,,",
        "r-003,,,,,,,,-1,1,,,,,",
        "\"r,004\",1,,,,,,,,,,,,,",
    ];

    private static readonly (string Id, string Text)[] Reports =
    [
        ("r-001", "FINDINGS: ET tube in place. Heart size is normal. Lungs are clear. No pneumothorax or pleural effusion.\nIMPRESSION: No acute cardiopulmonary process."),
        ("r-002", "Cardiomegaly. Possible mild edema.\nNo change in the small left effusion."),
        ("r-003", "Left basilar atelectasis, but cannot exclude pneumonia."),
        ("r,004", "Normal chest. \"Quoted\" remark, with a comma."),
    ];

    [Fact]
    public void Labels_a_jsonl_file_into_the_expected_csv()
    {
        using var dir = new TempDirectory();
        var source = dir.Combine("reports.jsonl");
        File.WriteAllLines(source, Reports.Select(r =>
            System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["report_id"] = r.Id, ["text"] = r.Text })));
        var output = dir.Combine("labels.csv");
        var evidence = dir.Combine("evidence.jsonl");

        var summary = LabelReportsJob.Run(source, output, evidence, "reports.jsonl");

        summary.Reports.Should().Be(4);
        File.ReadAllLines(output).Should().Equal([Header, .. ExpectedRows]);
        var evidenceLines = File.ReadAllLines(evidence);
        evidenceLines.Should().HaveCount(4);
        using var first = System.Text.Json.JsonDocument.Parse(evidenceLines[0]);
        first.RootElement.GetProperty("report_id").GetString().Should().Be("r-001");
        var devices = first.RootElement.GetProperty("labels").EnumerateArray()
            .Single(e => e.GetProperty("observation").GetString() == "support_devices");
        devices.GetProperty("mention").GetString().Should().Be("ET tube");
        devices.GetProperty("section").GetString().Should().Be("findings");
        var start = devices.GetProperty("start").GetInt32();
        Reports[0].Text.Substring(start, devices.GetProperty("end").GetInt32() - start).Should().Be("ET tube");
    }

    [Fact]
    public void Labels_a_csv_file_with_quoted_multiline_text_the_same_way()
    {
        using var dir = new TempDirectory();
        var source = dir.Combine("reports.csv");
        File.WriteAllText(source, "text,report_id,site\r\n" + string.Join("\r\n", Reports.Select(r =>
            $"\"{r.Text.Replace("\"", "\"\"", StringComparison.Ordinal)}\",{CsvRecordReader.Escape(r.Id)},x")) + "\r\n");
        var output = dir.Combine("labels.csv");

        LabelReportsJob.Run(source, output, null, "reports.csv");

        File.ReadAllLines(output).Should().Equal([Header, .. ExpectedRows]);
    }

    [Fact]
    public void A_missing_column_names_the_file_and_line()
    {
        using var dir = new TempDirectory();
        var source = dir.Combine("bad.csv");
        File.WriteAllText(source, "report_id,body\nr1,Secret Patient Name has pneumonia\n");
        var act = () => LabelReportsJob.Run(source, dir.Combine("out.csv"), null, "bad.csv");
        act.Should().Throw<UserInputException>().WithMessage("bad.csv line 1: missing column 'text'*");
        File.Exists(dir.Combine("out.csv")).Should().BeFalse();
    }

    [Theory]
    [InlineData("{\"report_id\":\"a\",\"text\":\"No effusion.\"}\n{\"report_id\":\"b\",\"text\":\"Secret Patient Name\n", "line 2: malformed JSON")]
    [InlineData("{\"report_id\":\"a\",\"text\":\"No effusion.\"}\n\n{\"report_id\":\"b\"}\n", "line 3: missing property 'text'")]
    [InlineData("{\"report_id\":\"a\",\"text\":\"Secret Patient Name\"}\n{\"report_id\":\"a\",\"text\":\"Secret Patient Name\"}\n", "line 2: duplicate 'report_id'")]
    public void A_malformed_jsonl_line_names_the_file_and_line_but_never_the_text(string content, string reason)
    {
        using var dir = new TempDirectory();
        var source = dir.Combine("bad.jsonl");
        File.WriteAllText(source, content);
        var act = () => LabelReportsJob.Run(source, dir.Combine("out.csv"), dir.Combine("ev.jsonl"), "bad.jsonl");
        var error = act.Should().Throw<UserInputException>().Which;
        error.Message.Should().StartWith("bad.jsonl " + reason);
        error.Message.Should().NotContain("Secret");
        File.Exists(dir.Combine("out.csv")).Should().BeFalse();
        File.Exists(dir.Combine("ev.jsonl")).Should().BeFalse();
    }

    [Theory]
    [InlineData("report_id,text\nr1,\"Secret Patient Name\n", "line 2: the record starting here has an unterminated quoted field")]
    [InlineData("report_id,text\nr1,Secret \"Patient\" Name\n", "line 2: a quote inside an unquoted field")]
    [InlineData("report_id,text\nr1,Secret,Patient\n", "line 2: 3 fields where the header has 2")]
    public void A_malformed_csv_line_names_the_file_and_line_but_never_the_text(string content, string reason)
    {
        using var dir = new TempDirectory();
        var source = dir.Combine("bad.csv");
        File.WriteAllText(source, content);
        var act = () => LabelReportsJob.Run(source, dir.Combine("out.csv"), null, "bad.csv");
        var error = act.Should().Throw<UserInputException>().Which;
        error.Message.Should().StartWith("bad.csv " + reason);
        error.Message.Should().NotContain("Secret");
    }

    [Fact]
    public void An_unsupported_extension_is_a_user_error()
    {
        using var dir = new TempDirectory();
        var source = dir.Combine("reports.txt");
        File.WriteAllText(source, "x");
        var act = () => LabelReportsJob.Run(source, dir.Combine("out.csv"), null, "reports.txt");
        act.Should().Throw<UserInputException>().WithMessage("*unsupported report file type*");
    }
}
