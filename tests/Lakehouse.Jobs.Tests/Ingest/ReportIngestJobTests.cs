using Lakehouse.Engine;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Tables;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Ingest;

public class ReportIngestJobTests(IngestFixture fx) : IClassFixture<IngestFixture>
{
    [Fact]
    public void Every_sample_report_lands_with_its_sections()
    {
        var truth = fx.Truth.Read("reports.csv");
        var rows = fx.Rows(BronzeTables.Reports);
        rows.Should().HaveCount(truth.Count);
        rows.Select(r => (string)r["report_id"]!).Should().BeEquivalentTo(truth.Select(t => t["report_id"]));
        rows.Where(r => (string?)r["status"] == "final" && (string.IsNullOrWhiteSpace((string?)r["impression"]) || string.IsNullOrWhiteSpace((string?)r["findings"])))
            .Select(r => r["report_id"]).Should().BeEmpty("every final sample report has FINDINGS and IMPRESSION");
        // Compare projections, not rows: a failure message must not dump report text.
        rows.Select(r => (string)r["report_id"]! + ":" + (string?)r["status"])
            .Should().BeEquivalentTo(truth.Select(t => t["report_id"] + ":" + t["status"]));
    }

    [Fact]
    public void Reingesting_adds_nothing_changed_content_is_a_conflict_and_bad_lines_are_errors_that_do_not_stop_the_run()
    {
        using var dir = new TempDirectory("reports");
        var lake = new LakeStore(dir.Combine("lake"));
        string file = dir.Combine("r.jsonl");
        File.WriteAllLines(file,
        [
            """{"report_id":"R1","accession_number":"A1","patient_id":"P1","report_date":"2021-03-04","status":"final","text":"FINDINGS: No effusion.\nIMPRESSION: Normal chest."}""",
            """{"report_id":"R2","text":"IMPRESSION: Possible pneumonia.","report_date":"20210305"}""",
            """{"report_id":"R3","text": "broken""",
            """{"report_id":"R4"}""",
            """{"report_id":"R5","text":"x","report_date":"yesterday"}""",
        ]);
        var first = new ReportIngestJob(lake, file).Run();
        first.Reports.Should().Be(2);
        first.Errors.Should().Be(3);
        var errors = DeltaTable.Open(lake.PathOf(BronzeTables.ReportErrors)).Snapshot().ReadRows();
        errors.Select(e => (string)e["reason"]!).Should().BeEquivalentTo(["malformed", "missing_field", "bad_date"]);
        errors.Select(e => (long)e["source_line"]!).Should().BeEquivalentTo(new long[] { 3, 4, 5 });
        errors.Should().OnlyContain(e => !((string)e["message"]!).Contains("broken") && !((string)e["message"]!).Contains(dir.Path));

        var again = new ReportIngestJob(lake, file).Run();
        again.Reports.Should().Be(0);
        again.Unchanged.Should().Be(2);

        File.WriteAllLines(dir.Combine("r2.jsonl"), ["""{"report_id":"R1","text":"IMPRESSION: Changed text.","status":"final"}"""]);
        var changed = new ReportIngestJob(lake, dir.Combine("r2.jsonl")).Run();
        changed.Conflicts.Should().Be(1);
        DeltaTable.Open(lake.PathOf(BronzeTables.Reports)).Snapshot().ReadRows().Single(r => (string)r["report_id"]! == "R1")["text"]
            .Should().Be("FINDINGS: No effusion.\nIMPRESSION: Normal chest.");
        DeltaCheck.Check(lake.PathOf(BronzeTables.Reports), "--redact").ExitCode.Should().Be(0);
    }

    [Fact]
    public void Csv_reports_are_read_too()
    {
        using var dir = new TempDirectory("reports-csv");
        File.WriteAllText(dir.Combine("r.csv"), "report_id,text,accession_number\nC1,\"FINDINGS: Clear lungs.\nIMPRESSION: No acute process.\",ACC9\n");
        var lake = new LakeStore(dir.Combine("lake"));
        new ReportIngestJob(lake, dir.Path).Run().Reports.Should().Be(1);
        var row = DeltaTable.Open(lake.PathOf(BronzeTables.Reports)).Snapshot().ReadRows().Single();
        row["accession_number"].Should().Be("ACC9");
        row["impression"].Should().Be("No acute process.");
    }
}
