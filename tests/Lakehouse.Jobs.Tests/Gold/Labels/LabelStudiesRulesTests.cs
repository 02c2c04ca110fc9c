using System.Text.Json;
using Lakehouse.Engine;
using Lakehouse.Jobs.Gold.Labels;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Gold.Labels;

/// <summary>The alignment and label rules of label-studies on a small hand-made silver lake, through real Delta + DuckDB.</summary>
public sealed class LabelStudiesRulesTests : IDisposable
{
    private static readonly DateOnly D = new(2020, 1, 1);
    private readonly TempDirectory _dir = new("label-studies");
    private readonly LakeStore _lake;

    // Studies: S1 chest CR; S2 head CT; S3 chest DX with two finals and addenda; S4 + S5 same-day chest studies of P3;
    // S6 chest without report; S7 chest with only an addendum; S8 chest whose report has no accession and comes 2 days later.
    private static readonly SilverInstance[] Instances =
    [
        new("1.1", "S1", "P1", "PT1", "ACC1", D.AddDays(9), "CR", "CHEST"),
        new("1.2", "S1", "P1", "PT1", "ACC1", D.AddDays(9), "CR", "CHEST"),
        new("2.1", "S2", "P1", "PT1", "ACC2", D.AddDays(60), "CT", "HEAD"),
        new("3.1", "S3", "P2", "PT2", "ACC3", D.AddDays(31), "DX", "CHEST"),
        new("4.1", "S4", "P3", "PT3", "ACC4", D.AddDays(91), "CR", "CHEST"),
        new("5.1", "S5", "P3", "PT3", "ACC5", D.AddDays(91), "CT", "CHEST"),
        new("6.1", "S6", "P4", "PT4", "ACC6", D.AddDays(121), "CR", "CHEST"),
        new("7.1", "S7", "P5", "PT5", "ACC7", D.AddDays(152), "CR", "CHEST"),
        new("8.1", "S8", "P6", "PT6", "ACC8", D.AddDays(182), "DX", "CHEST"),
    ];

    private const string R01Text = "FINDINGS:\nThere is a small right pneumothorax. No pleural effusion.\n\nIMPRESSION:\nSmall right pneumothorax.\n";

    private static readonly SilverReport[] Reports =
    [
        new("R01", "P1", "ACC1", D.AddDays(9), "final", R01Text),
        new("R02", "P1", "ACC2", D.AddDays(60), "final", "IMPRESSION:\nNo acute intracranial abnormality.\n"),
        new("R03", "P2", "ACC3", D.AddDays(31), "final", "IMPRESSION:\nThere is cardiomegaly.\n"),
        new("R04", "P2", "ACC3", D.AddDays(32), "Final", "IMPRESSION:\nNo cardiomegaly. There is mild pulmonary edema.\n"),
        new("R05", "P2", "ACC3", D.AddDays(35), "addendum", "There is a small left pleural effusion.\n"),
        new("R06", "P2", "ACC3", D.AddDays(29), "addendum", "There is a left rib fracture.\n"),
        new("R07", "P3", null, D.AddDays(91), "final", "IMPRESSION:\nThere is cardiomegaly.\n"),
        new("R08", "P5", "ACC7", D.AddDays(153), "addendum", "Results were discussed by telephone.\n"),
        new("R09", "P6", null, D.AddDays(184), "final", "IMPRESSION:\nNo acute cardiopulmonary abnormality.\n"),
        new("R10", "P1", "ACC99", D.AddDays(9), "final", "IMPRESSION:\nOutside film review.\n"),
        new("R11", "P1", null, D.AddDays(60), "final", "IMPRESSION:\nNormal CT of the head.\n"),
    ];

    public LabelStudiesRulesTests()
    {
        _lake = new LakeStore(_dir.Combine("lake"));
        SilverFixture.Write(_lake, Instances, Reports);
    }

    public void Dispose() => _dir.Dispose();

    private Dictionary<string, Dictionary<string, object?>> Labels() =>
        SilverFixture.Query(_lake, "SELECT * FROM gold.study_labels").ToDictionary(r => (string)r["study_instance_uid"]!);

    private List<(string Kind, string? Report, string? Study)> Issues() =>
        SilverFixture.Query(_lake, "SELECT kind, report_id, study_instance_uid FROM gold.label_alignment_issues")
            .Select(r => ((string)r["kind"]!, (string?)r["report_id"], (string?)r["study_instance_uid"])).ToList();

    [Fact]
    public void Reports_align_by_accession_else_by_person_and_same_day()
    {
        var aligned = SilverFixture.Alignment(_lake, new LabelStudiesOptions())
            .ToDictionary(r => (string)r["report_id"]!, r => ((string)r["study_instance_uid"]!, (string)r["method"]!));

        aligned.Should().BeEquivalentTo(new Dictionary<string, (string, string)>
        {
            ["R01"] = ("S1", "accession"), ["R02"] = ("S2", "accession"), ["R03"] = ("S3", "accession"), ["R04"] = ("S3", "accession"),
            ["R05"] = ("S3", "accession"), ["R06"] = ("S3", "accession"), ["R08"] = ("S7", "accession"),
            ["R11"] = ("S2", "patient_and_date"),
        });
    }

    [Fact]
    public void Issues_list_unmatched_ambiguous_and_unreported()
    {
        SilverFixture.Run(_lake);

        Issues().Should().BeEquivalentTo(new (string, string?, string?)[]
        {
            ("ambiguous_match", "R07", null),
            ("report_without_study", "R09", null), // no accession, 2 days off with window 0
            ("report_without_study", "R10", null), // unknown accession: never date-matched, though S1 is the same day
            ("study_without_report", null, "S4"), ("study_without_report", null, "S5"),
            ("study_without_report", null, "S6"), ("study_without_report", null, "S7"), ("study_without_report", null, "S8"),
        });
        var detail = SilverFixture.Query(_lake, "SELECT detail FROM gold.label_alignment_issues WHERE report_id = 'R07'").Single()["detail"];
        detail.Should().Be("2 studies of the person within 0 day(s) of the report date");
    }

    [Fact]
    public void The_latest_final_decides_and_later_addenda_override_what_they_mention()
    {
        SilverFixture.Run(_lake);
        var labels = Labels();

        labels.Keys.Should().BeEquivalentTo(["S1", "S3"]); // S2 is a head CT; S7 has only an addendum; R07 is ambiguous
        var s3 = labels["S3"];
        s3["cardiomegaly"].Should().Be(0);        // R04 (latest final) over R03
        s3["edema"].Should().Be(1);
        s3["pleural_effusion"].Should().Be(1);    // addendum R05 mentions it
        s3["fracture"].Should().BeNull();         // addendum R06 predates the deciding final
        s3["no_finding"].Should().BeNull();
        s3["method"].Should().Be("accession");
        s3["report_ids"].Should().Be("R06,R03,R04,R05");
        using var evidence = JsonDocument.Parse((string)s3["evidence"]!);
        var bySource = evidence.RootElement.EnumerateArray()
            .ToDictionary(e => e.GetProperty("observation").GetString()!, e => e.GetProperty("source_id").GetString());
        bySource.Should().BeEquivalentTo(new Dictionary<string, string?>
        {
            ["cardiomegaly"] = "R04", ["edema"] = "R04", ["pleural_effusion"] = "R05",
        });

        var s1 = labels["S1"];
        s1["pneumothorax"].Should().Be(1);
        s1["pleural_effusion"].Should().Be(0);
        s1["labeler_version"].Should().Be(Lakehouse.Udfs.Labeling.LabelingUdfs.LabelerVersion());
    }

    [Fact]
    public void Evidence_spans_point_into_the_silver_text()
    {
        SilverFixture.Run(_lake);
        using var evidence = JsonDocument.Parse((string)Labels()["S1"]["evidence"]!);
        var entries = evidence.RootElement.EnumerateArray().ToList();
        entries.Select(e => e.GetProperty("observation").GetString()).Should().Equal("pneumothorax", "pleural_effusion");
        foreach (var e in entries)
        {
            int start = e.GetProperty("start").GetInt32(), end = e.GetProperty("end").GetInt32();
            R01Text[start..end].Should().Be(e.GetProperty("mention").GetString());
            e.GetProperty("source_id").GetString().Should().Be("R01");
        }
        entries[0].GetProperty("section").GetString().Should().Be("impression");
        entries[1].GetProperty("cue_kind").GetString().Should().Be("negation_before");
    }

    [Fact]
    public void A_wider_window_matches_the_late_report_and_keeps_the_same_day_ambiguity()
    {
        SilverFixture.Run(_lake, (LabelStudiesOptions.MatchWindowDaysParameter, "2"));

        var labels = Labels();
        labels.Keys.Should().BeEquivalentTo(["S1", "S3", "S8"]);
        labels["S8"]["method"].Should().Be("patient_and_date");
        labels["S8"]["no_finding"].Should().Be(1);
        Issues().Should().Contain(("ambiguous_match", "R07", null)).And.NotContain(i => i.Report == "R09" || i.Study == "S8");
    }

    [Fact]
    public void The_labeled_modalities_are_a_parameter()
    {
        SilverFixture.Run(_lake, (LabelStudiesOptions.ModalitiesParameter, "cr"));
        Labels().Keys.Should().BeEquivalentTo(["S1"]);

        var bad = () => SilverFixture.Run(_lake, (LabelStudiesOptions.ModalitiesParameter, "CR'; DROP"));
        bad.Should().Throw<UserInputException>().WithMessage("*label_modalities*");
        var badWindow = () => SilverFixture.Run(_lake, (LabelStudiesOptions.MatchWindowDaysParameter, "-1"));
        badWindow.Should().Throw<UserInputException>().WithMessage("*match_window_days*");
    }

    [Fact]
    public void Quality_reports_prevalence_uncertainty_and_disagreement_between_reports()
    {
        SilverFixture.Run(_lake);
        var quality = SilverFixture.Query(_lake, "SELECT * FROM gold.label_quality")
            .ToDictionary(r => (string)r["observation"]!);

        quality.Should().HaveCount(14);
        quality.Values.Should().OnlyContain(r => (long)r["studies"]! == 2);
        quality["pneumothorax"]["prevalence"].Should().Be(0.5);
        quality["pleural_effusion"]["prevalence"].Should().Be(0.5);
        quality["cardiomegaly"]["prevalence"].Should().Be(0.0);
        quality["cardiomegaly"]["uncertain_share"].Should().Be(0.0);
        quality["cardiomegaly"]["disagreement"].Should().Be(1.0); // R03 says 1, R04 says 0: S3 is the one multi-report study
        quality["edema"]["disagreement"].Should().Be(0.0);
        quality["no_finding"]["disagreement"].Should().Be(0.0);   // an addendum's derived No Finding is not a statement
    }

    [Fact]
    public void Reruns_give_the_same_rows_with_lineage_and_pass_delta_check()
    {
        var first = SilverFixture.Run(_lake);
        var before = Snapshot();
        var second = SilverFixture.Run(_lake);

        Snapshot().Should().Equal(before);
        second.Committed[LabelStudiesJob.StudyLabels.ToString()].Should().Be(first.Committed[LabelStudiesJob.StudyLabels.ToString()] + 1);
        foreach (var table in new LabelStudiesJob().Outputs)
        {
            string path = _lake.PathOf(table);
            var log = File.ReadAllText(Directory.EnumerateFiles(Path.Combine(path, "_delta_log"), "*.json").Order(StringComparer.Ordinal).Last());
            log.Should().Contain("\"label-studies\"").And.Contain($"\"silver.reports\":{Version(LabelStudiesJob.Reports)}")
                .And.Contain($"\"silver.instances\":{Version(LabelStudiesJob.Instances)}")
                .And.Contain("\"match_window_days\":\"0\"");
            var check = DeltaCheck.Check(path);
            check.Succeeded.Should().BeTrue(check.StdOut + check.StdErr);
        }
    }

    [Fact]
    public void A_missing_silver_table_is_a_user_error()
    {
        var empty = new LakeStore(_dir.Combine("empty"));
        var act = () => SilverFixture.Run(empty);
        act.Should().Throw<UserInputException>().WithMessage("*silver.instances does not exist*");
    }

    private long Version(LakeTableName table) => _lake.TryOpen(table)!.Snapshot().Version;

    private List<string> Snapshot() =>
        new[] { "SELECT * FROM gold.study_labels", "SELECT * FROM gold.label_alignment_issues", "SELECT * FROM gold.label_quality" }
            .SelectMany(sql => SilverFixture.Query(_lake, sql).Select(r => string.Join("|", r.Select(kv => $"{kv.Key}={kv.Value}"))))
            .ToList();
}
