using System.Globalization;
using Lakehouse.Engine;
using Lakehouse.Jobs.Gold.Labels;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Sample;
using Lakehouse.Jobs.Silver;
using Lakehouse.Jobs.Tests.Sample;
using Lakehouse.Testing;
using Lakehouse.Udfs.Labeling;

namespace Lakehouse.Jobs.Tests.Gold.Labels;

/// <summary>
/// The whole chain on the sample archive: ingest DICOM + reports, load-ref, normalize, deidentify, label-studies; the
/// gold tables, mapped back to original ids through restricted.crosswalk, must match the ground truth.
/// </summary>
public sealed class LabelStudiesEndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new("label-studies-e2e");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Sample_to_gold_labels_matches_the_ground_truth()
    {
        var sample = Support.SampleSilverLake.Build(_dir, patients: 40, seed: 11, "3f9c1a7be24d8e0f6a5b9c2d1e7f4a8b0c3d6e9f2a5b8c1d4e7f0a3b6c9d2e5f");
        string archive = sample.Archive;
        var lake = sample.Lake;
        new LabelStudiesJob().Run(sample.Plain);

        var pseudonym = new Dictionary<(string Kind, string Original), string>();
        using (var engine = new LakeEngine(new DeltaLakeSource(lake), DeltaLakeSource.EngineOptions(allowRestricted: true)))
        using (var reader = engine.ExecuteReader("SELECT kind, original, pseudonym FROM restricted.crosswalk WHERE kind IN ('uid', 'report_id')"))
            while (reader.Read()) pseudonym[(reader.GetString(0), reader.GetString(1))] = reader.GetString(2);
        string Uid(string original) => pseudonym[("uid", original)];
        string Report(string original) => pseudonym[("report_id", original)];

        string Truth(string file) => Path.Combine(archive, "ground-truth", file);
        var truthReports = SampleArchiveFixture.ReadCsv(Truth("reports.csv"));
        var aligned = SilverFixture.Alignment(lake, new LabelStudiesOptions())
            .ToDictionary(r => (string)r["report_id"]!, r => ((string)r["study_instance_uid"]!, (string)r["method"]!));
        aligned.Should().BeEquivalentTo(truthReports.Where(r => r["match"] != "none")
            .ToDictionary(r => Report(r["report_id"]), r => (Uid(r["study_instance_uid"]), r["match"])));
        var issues = SilverFixture.Query(lake, "SELECT kind, report_id, study_instance_uid FROM gold.label_alignment_issues");
        issues.Where(i => (string)i["kind"]! == "report_without_study").Select(i => (string)i["report_id"]!)
            .Should().BeEquivalentTo(truthReports.Where(r => r["match"] == "none").Select(r => Report(r["report_id"])));
        issues.Should().NotContain(i => (string)i["kind"]! == "ambiguous_match");

        var texts = SilverFixture.Query(lake, "SELECT report_id, text FROM silver.reports").ToDictionary(r => (string)r["report_id"]!, r => (string)r["text"]!);
        var finals = truthReports.Where(r => r["status"] == "final" && r["study_instance_uid"].Length > 0).ToDictionary(r => r["study_instance_uid"]);
        var expected = SampleArchiveFixture.ReadCsv(Truth("labels.csv"));
        var actual = SilverFixture.Query(lake, "SELECT * FROM gold.study_labels").ToDictionary(r => (string)r["study_instance_uid"]!);
        actual.Keys.Should().BeEquivalentTo(expected.Select(e => Uid(e["study_instance_uid"])));
        var mismatches = new List<string>();
        foreach (var e in expected)
        {
            var row = actual[Uid(e["study_instance_uid"])];
            foreach (var o in ChexpertObservations.All)
            {
                string want = e[o.ColumnName()];
                string value = Convert.ToString(row[o.ColumnName()], CultureInfo.InvariantCulture) ?? "";
                if (value != want) mismatches.Add($"{o.ColumnName()}: expected '{want}' got '{value}'");
            }
            row["method"].Should().Be(finals[e["study_instance_uid"]]["match"]);
        }
        mismatches.GroupBy(m => m).Select(g => $"{g.Key} x{g.Count()}").Should().BeEmpty($"of {expected.Count} studies");

        // No original id or accession number of the ground truth leaks into the gold tables.
        string gold = string.Join("\n", new LabelStudiesJob().Outputs.Select(t =>
            string.Join("\n", SilverFixture.Query(lake, $"SELECT * FROM {t}").Select(r => string.Join("|", r.Values)))));
        foreach (var e in expected)
        {
            gold.Should().NotContain(e["study_instance_uid"]);
            gold.Should().NotContain(e["accession_number"]);
        }
        // Nor any planted PHI value, in the rows or in the Delta logs (column statistics, lineage).
        string logs = string.Concat(new LabelStudiesJob().Outputs.SelectMany(t =>
            Directory.EnumerateFiles(Path.Combine(lake.PathOf(t), "_delta_log"), "*.json").Select(File.ReadAllText)));
        using (var phi = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Truth("phi.json"))))
        {
            var planted = phi.RootElement.EnumerateArray().Select(p => p.GetProperty("value").GetString()!).Where(v => v.Length >= 5).ToList();
            planted.Should().NotBeEmpty();
            planted.Where(v => gold.Contains(v, StringComparison.Ordinal) || logs.Contains(v, StringComparison.Ordinal)).Should().BeEmpty();
        }
        foreach (var table in new LabelStudiesJob().Outputs)
        {
            var check = DeltaCheck.Check(lake.PathOf(table));
            check.Succeeded.Should().BeTrue(check.StdOut + check.StdErr);
        }
    }
}
