using System.Globalization;
using System.Text.Json;
using Lakehouse.Engine;
using Lakehouse.Jobs.Gold.Labels;
using Lakehouse.Jobs.Sample;
using Lakehouse.Jobs.Tests.Sample;
using Lakehouse.Testing;
using Lakehouse.Udfs.Labeling;

namespace Lakehouse.Jobs.Tests.Gold.Labels;

/// <summary>
/// label-studies on the generated sample archive against its ground truth: the silver tables are built from the
/// ground truth (instances.csv + studies.csv, reports.jsonl with persons.csv for person_id), standing in for the
/// deidentify job (identity pseudonyms, no date shift), so alignment and labels must match reports.csv and labels.csv exactly.
/// </summary>
public sealed class LabelStudiesGroundTruthTests : IDisposable
{
    private readonly TempDirectory _dir = new("label-studies-gt");
    private readonly string _archive;
    private readonly LakeStore _lake;

    public LabelStudiesGroundTruthTests()
    {
        _archive = _dir.Combine("archive");
        SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = _archive, Patients = 40, Seed = 11 });
        _lake = new LakeStore(_dir.Combine("lake"));
        SilverFixture.Write(_lake, SilverInstances(), SilverReports());
    }

    public void Dispose() => _dir.Dispose();

    private List<Dictionary<string, string>> Truth(string file) => SampleArchiveFixture.ReadCsv(Path.Combine(_archive, "ground-truth", file));

    private IEnumerable<SilverInstance> SilverInstances()
    {
        var studies = Truth("studies.csv").ToDictionary(s => s["study_instance_uid"]);
        return Truth("instances.csv").Select(i =>
        {
            var s = studies[i["study_instance_uid"]];
            return new SilverInstance(i["sop_instance_uid"], i["study_instance_uid"], i["person_id"], i["patient_id"], s["accession_number"],
                DateOnly.ParseExact(s["study_date"], "yyyyMMdd", CultureInfo.InvariantCulture), i["modality"], i["body_part"]);
        });
    }

    private IEnumerable<SilverReport> SilverReports()
    {
        var persons = Truth("persons.csv").ToDictionary(p => (p["site_id"], p["patient_id"]), p => p["person_id"]);
        foreach (string line in File.ReadLines(Path.Combine(_archive, "reports.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            string? accession = r.GetProperty("accession_number").GetString();
            yield return new SilverReport(r.GetProperty("report_id").GetString()!,
                persons[(r.GetProperty("site").GetString()!, r.GetProperty("patient_id").GetString()!)], accession,
                DateOnly.ParseExact(r.GetProperty("report_date").GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                r.GetProperty("status").GetString()!, r.GetProperty("text").GetString()!);
        }
    }

    [Fact]
    public void Alignment_issues_and_labels_match_the_ground_truth_exactly()
    {
        SilverFixture.Run(_lake);
        var truthReports = Truth("reports.csv");
        truthReports.Select(r => r["match"]).Distinct().Should().Contain(["accession", "patient_and_date", "none"], "the sample must exercise every rule");
        truthReports.Should().Contain(r => r["status"] == "addendum");

        // Every report: the study and method of reports.csv, or report_without_study for match = none.
        var aligned = SilverFixture.Alignment(_lake, new LabelStudiesOptions())
            .ToDictionary(r => (string)r["report_id"]!, r => ((string)r["study_instance_uid"]!, (string)r["method"]!));
        aligned.Should().BeEquivalentTo(truthReports.Where(r => r["match"] != "none")
            .ToDictionary(r => r["report_id"], r => (r["study_instance_uid"], r["match"])));
        var issues = SilverFixture.Query(_lake, "SELECT kind, report_id, study_instance_uid FROM gold.label_alignment_issues");
        issues.Where(i => (string)i["kind"]! == "report_without_study").Select(i => (string)i["report_id"]!)
            .Should().BeEquivalentTo(truthReports.Where(r => r["match"] == "none").Select(r => r["report_id"]));
        issues.Where(i => (string)i["kind"]! == "study_without_report").Select(i => (string)i["study_instance_uid"]!)
            .Should().BeEquivalentTo(Truth("studies.csv").Where(s => s["has_report"] == "false").Select(s => s["study_instance_uid"]));
        issues.Should().NotContain(i => (string)i["kind"]! == "ambiguous_match");

        // Labels: exactly the rows and values of labels.csv; the method is that of the study's final report.
        var expected = Truth("labels.csv");
        var actual = SilverFixture.Query(_lake, "SELECT * FROM gold.study_labels").ToDictionary(r => (string)r["study_instance_uid"]!);
        expected.Should().NotBeEmpty();
        actual.Keys.Should().BeEquivalentTo(expected.Select(e => e["study_instance_uid"]));
        var finals = truthReports.Where(r => r["status"] == "final" && r["study_instance_uid"].Length > 0).ToDictionary(r => r["study_instance_uid"]);
        var texts = SilverReports().ToDictionary(r => r.ReportId, r => r.Text);
        var mismatches = new List<string>();
        int lungsClear = 0;
        foreach (var e in expected)
        {
            var row = actual[e["study_instance_uid"]];
            foreach (var o in ChexpertObservations.All)
            {
                string want = e[o.ColumnName()];
                // Known gap in labels.csv: normal reports say "The lungs are clear.", which the labeler reads (by its
                // anatomy-qualifier rule, as CheXpert does) as Lung Opacity negative; labels.csv leaves it empty.
                if (o == ChexpertObservation.LungOpacity && want.Length == 0 && e["no_finding"] == "1"
                    && texts[finals[e["study_instance_uid"]]["report_id"]].Contains("The lungs are clear.", StringComparison.Ordinal))
                {
                    want = "0";
                    lungsClear++;
                }
                string value = Convert.ToString(row[o.ColumnName()], CultureInfo.InvariantCulture) ?? "";
                if (value != want) mismatches.Add($"{o.ColumnName()}: expected '{want}' got '{value}'");
            }
            row["accession_number"].Should().Be(e["accession_number"]);
            row["method"].Should().Be(finals[e["study_instance_uid"]]["match"]);
        }
        mismatches.GroupBy(m => m).Select(g => $"{g.Key} x{g.Count()}").Should().BeEmpty($"of {expected.Count} studies");
        lungsClear.Should().BeGreaterThan(0).And.BeLessThan(expected.Count);

        foreach (var table in new LabelStudiesJob().Outputs)
        {
            var check = DeltaCheck.Check(_lake.PathOf(table));
            check.Succeeded.Should().BeTrue(check.StdOut + check.StdErr);
        }
    }
}
