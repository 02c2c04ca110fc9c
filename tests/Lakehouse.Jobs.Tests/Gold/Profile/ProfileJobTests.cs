using System.Collections;
using System.Text.Json.Nodes;
using Lakehouse.Engine;
using Lakehouse.Jobs.Gold.Profile;
using Lakehouse.Jobs.Gold.Splits;
using Lakehouse.Jobs.Tests.Gold.Splits;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;
using Lakehouse.Udfs.Labeling;

namespace Lakehouse.Jobs.Tests.Gold.Profile;

public sealed class ProfileJobTests
{
    static FixtureInstance I(string person, string patient, string study, int n, string? site, string? modality, string? vendor, string? sex, string? band) =>
        new(person, patient, study, study + ".1", study + ".1." + n, site, modality, vendor, vendor is null ? null : vendor + "-M1", "CHEST", modality + " CHEST", band, sex);

    static FixtureLabel L(string study, string person, string patient, params (ChexpertObservation O, int V)[] values)
    {
        var labels = new int?[ChexpertObservations.Count];
        foreach (var (o, v) in values) labels[(int)o] = v;
        return new FixtureLabel(study, person, patient, labels);
    }

    static void WriteSplits(LakeStore lake, params (string Patient, string Split)[] rows)
    {
        var table = lake.OpenOrCreate(SplitTables.Splits, SplitTables.SplitsSchema, new CommitLineage("fixture"));
        var tx = table.NewTransaction(DeltaOperation.Append, new CommitLineage("fixture"));
        tx.Write(new ColumnBatch(SplitTables.SplitsSchema, new IList[]
        {
            rows.Select(r => r.Patient).ToList(), rows.Select(_ => (string?)null).ToList(), rows.Select(r => r.Split).ToList(),
            rows.Select(_ => "v-test").ToList(), rows.Select(_ => (object)new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)).ToList(),
        }));
        tx.Commit();
    }

    /// <summary>Six studies; S1 has two instances (the unit is the study, so it counts once).</summary>
    static LakeStore Tiny(TempDirectory dir)
    {
        var lake = new LakeStore(dir.Path);
        GoldFixture.WriteInstances(lake, [
            I("A", "P1", "S1", 1, "X", "CR", "GE", "F", "40-64"), I("A", "P1", "S1", 2, "X", "CR", "GE", "F", "40-64"),
            I("A", "P1", "S2", 1, "X", "CR", "GE", "F", "40-64"),
            I("B", "P2", "S3", 1, "Y", "DX", "Siemens", "M", "65-89"),
            I("C", "P3", "S4", 1, "Y", "CT", "Siemens", "M", null),
            I("D", "P4", "S5", 1, "X", "CR", null, "F", "18-39"),
            I("E", "P5", "S6", 1, "Z", "DX", "GE", null, "40-64"),
        ]);
        GoldFixture.WriteLabels(lake, [
            L("S1", "A", "P1", (ChexpertObservation.Cardiomegaly, 1), (ChexpertObservation.Edema, 0)),
            L("S2", "A", "P1", (ChexpertObservation.NoFinding, 1)),
            L("S3", "B", "P2", (ChexpertObservation.Cardiomegaly, 1), (ChexpertObservation.Edema, 1)),
            L("S5", "D", "P4", (ChexpertObservation.Edema, -1)),
            L("S6", "E", "P5", (ChexpertObservation.NoFinding, 1)),
        ]);
        WriteSplits(lake, ("P1", "train"), ("P2", "train"), ("P3", "validation"), ("P4", "test"), ("P5", "train"));
        return lake;
    }

    static double Log2(double x) => Math.Log2(x);

    [Fact]
    public void Tiny_fixture_matches_hand_computed_figures()
    {
        using var dir = new TempDirectory();
        var lake = Tiny(dir);

        var result = new ProfileJob().Execute(new JobContext(lake, new Dictionary<string, string>(), TextWriter.Null));

        result.SplitVersion.Should().Be("v-test");
        result.Counts["studies"].Should().Be(6);
        result.Counts["instances"].Should().Be(7);
        result.Counts["labeled_studies"].Should().Be(5);
        result.Counts["studies_train"].Should().Be(4);
        result.Counts["studies_validation"].Should().Be(1);
        result.Counts["studies_test"].Should().Be(1);

        // Read back from the table, not from memory.
        var profile = GoldFixture.Query(lake, "SELECT dimension, category, split, count, share, missing, small_cell FROM gold.diversity_profile")
            .ToDictionary(r => ((string)r[0]!, (string)r[1]!, (string)r[2]!), r => ((long)r[3]!, (double)r[4]!, (long)r[5]!, (bool)r[6]!));
        profile[("modality", "CR", "all")].Should().Be((3L, 0.5, 0L, false));
        profile[("modality", "DX", "all")].Item2.Should().BeApproximately(1.0 / 3, 1e-12);
        profile[("modality", "CT", "validation")].Should().Be((1L, 1.0, 0L, false));
        profile[("vendor", "GE", "all")].Should().Be((3L, 0.6, 1L, false));
        profile[("vendor", "Siemens", "all")].Item2.Should().BeApproximately(0.4, 1e-12);
        profile[("age_band", "40-64", "all")].Should().Be((3L, 0.6, 1L, false));
        profile[("sex", "F", "train")].Should().Be((2L, 2.0 / 3, 1L, false));
        profile[("label", "cardiomegaly", "all")].Should().Be((2L, 0.4, 1L, false));
        profile[("label", "edema", "all")].Item1.Should().Be(1, "uncertain (-1) is not positive");
        profile[("label", "cardiomegaly", "train")].Should().Be((2L, 0.5, 0L, false));
        profile[("label", "pneumonia", "all")].Should().Be((0L, 0.0, 1L, false));
        profile[("sex|age_band|site", "F|40-64|X", "all")].Should().Be((2L, 2.0 / 6, 0L, true));
        profile[("sex|age_band|site", "(missing)|40-64|Z", "all")].Item4.Should().BeTrue();
        profile.Keys.Should().NotContain(k => k.Item3 == "validation" && k.Item1 == "label" && k.Item2 == "no_finding" && profile[k].Item1 > 0);

        var summary = GoldFixture.Query(lake, "SELECT dimension, split, n, missing_share, entropy_bits, evenness, simpson, effective_categories, imbalance_ratio, js_divergence_vs_all FROM gold.diversity_summary")
            .ToDictionary(r => ((string)r[0]!, (string)r[1]!), r => r);
        var m = summary[("modality", "all")];
        double h = -(0.5 * Log2(0.5) + 1.0 / 3 * Log2(1.0 / 3) + 1.0 / 6 * Log2(1.0 / 6));
        m[2].Should().Be(6L);
        m[3].Should().Be(0.0);
        ((double)m[4]!).Should().BeApproximately(h, 1e-12);
        ((double)m[5]!).Should().BeApproximately(h / Log2(3), 1e-12);
        ((double)m[6]!).Should().BeApproximately(1 - (0.25 + 1.0 / 9 + 1.0 / 36), 1e-12);
        ((double)m[7]!).Should().BeApproximately(Math.Pow(2, h), 1e-9);
        ((double)m[8]!).Should().Be(3.0);
        ((double)m[9]!).Should().Be(0.0);
        // Train: CR 2, DX 2 against all CR 3, DX 2, CT 1.
        double jsd = 0.5 * (0.5 * Log2(0.5 / 0.5) + 0.5 * Log2(0.5 / (5.0 / 12))) + 0.5 * (0.5 * Log2(0.5 / 0.5) + 1.0 / 3 * Log2((1.0 / 3) / (5.0 / 12)) + 1.0 / 6 * Log2((1.0 / 6) / (1.0 / 12)));
        ((double)summary[("modality", "train")][9]!).Should().BeApproximately(jsd, 1e-12);
        ((double)summary[("modality", "train")][4]!).Should().BeApproximately(1.0, 1e-12);
        ((double)summary[("vendor", "all")][3]!).Should().BeApproximately(1.0 / 6, 1e-12);
        // One category: entropy 0, evenness undefined (null), one effective category.
        var body = summary[("body_part", "all")];
        body[4].Should().Be(0.0);
        body[5].Should().BeNull();
        body[7].Should().Be(1.0);
        body[8].Should().Be(1.0);
        summary[("label", "all")][2].Should().Be(5L, "n of the label dimension is the labeled studies");
        summary.Keys.Select(k => k.Item2).Distinct().Should().BeEquivalentTo(["all", "train", "validation", "test"]);

        foreach (var table in new[] { ProfileJob.ProfileTable, ProfileJob.SummaryTable })
        {
            var check = DeltaCheck.Check(lake.PathOf(table));
            check.ExitCode.Should().Be(0, check.StdOut + check.StdErr);
        }
    }

    [Fact]
    public void Rerun_with_unchanged_inputs_gives_identical_rows_and_lineage_names_inputs()
    {
        using var dir = new TempDirectory();
        var lake = Tiny(dir);
        var job = new ProfileJob();
        var first = job.Execute(new JobContext(lake, new Dictionary<string, string>(), TextWriter.Null));
        var rows1 = GoldFixture.Query(lake, "SELECT * FROM gold.diversity_profile ORDER BY ALL").Select(r => string.Join(",", r)).ToList();
        var second = job.Execute(new JobContext(lake, new Dictionary<string, string>(), TextWriter.Null));
        var rows2 = GoldFixture.Query(lake, "SELECT * FROM gold.diversity_profile ORDER BY ALL").Select(r => string.Join(",", r)).ToList();

        rows2.Should().Equal(rows1);
        second.OutputVersions["gold.diversity_profile"].Should().Be(first.OutputVersions["gold.diversity_profile"] + 1);
        first.InputVersions.Should().ContainKeys("silver.instances", "gold.study_labels", "gold.splits");
        string log = File.ReadAllText(Path.Combine(lake.PathOf(ProfileJob.SummaryTable), "_delta_log", "00000000000000000001.json"));
        log.Should().Contain("\"job\":\"profile\"").And.Contain("\"split_version\":\"v-test\"").And.Contain("\"silver.instances\":1");
    }

    [Fact]
    public void Without_labels_and_splits_only_all_is_profiled_and_gaps_say_so()
    {
        using var dir = new TempDirectory();
        var lake = new LakeStore(dir.Path);
        GoldFixture.WriteInstances(lake, GoldFixture.Realistic(30));
        var result = ProfileJob.Compute(lake, new Dictionary<string, string>());
        result.Profile.Select(r => r.Split).Distinct().Should().Equal("all");
        result.Profile.Should().NotContain(r => r.Dimension == "label");
        var gaps = ProfileReport.KnownGaps(result);
        gaps.Should().Contain(g => g.Contains("gold.study_labels is missing")).And.Contain(g => g.Contains("gold.splits is missing"));
    }

    [Fact]
    public void Small_intersection_cells_are_flagged_by_studies_and_persons_and_suppressed_in_the_html()
    {
        using var dir = new TempDirectory();
        var lake = new LakeStore(dir.Path);
        var rows = new List<FixtureInstance>();
        for (int i = 0; i < 6; i++) rows.Add(I("ONE", "PONE", $"1.{i}", 1, "X", "CR", "GE", "F", "40-64"));   // 6 studies, 1 person
        for (int i = 0; i < 5; i++) rows.Add(I($"M{i}", $"PM{i}", $"2.{i}", 1, "X", "CR", "GE", "M", "40-64")); // 5 studies, 5 persons
        for (int i = 0; i < 4; i++) rows.Add(I($"O{i}", $"PO{i}", $"3.{i}", 1, "Y", "DX", "GE", "M", "65-89")); // 4 studies
        GoldFixture.WriteInstances(lake, rows);
        var result = ProfileJob.Compute(lake, new Dictionary<string, string>());
        var cells = result.Profile.Where(r => r.Dimension == ProfileJob.IntersectionDimension).ToDictionary(r => r.Category);
        cells["F|40-64|X"].Should().Match<ProfileRow>(c => c.Count == 6 && c.SmallCell, "six studies of one person identify that person");
        cells["M|40-64|X"].Should().Match<ProfileRow>(c => c.Count == 5 && !c.SmallCell);
        cells["M|65-89|Y"].Should().Match<ProfileRow>(c => c.Count == 4 && c.SmallCell);

        using var outDir = new TempDirectory();
        var files = ProfileReport.Write(result, outDir.Path);
        string html = File.ReadAllText(files.Html);
        html.Should().Contain("<td>F</td><td>40-64</td><td>X</td><td class=\"sup\">&lt;5</td>")
            .And.Contain("<td>M</td><td>40-64</td><td>X</td><td>5</td>")
            .And.Contain("<td>M</td><td>65-89</td><td>Y</td><td class=\"sup\">&lt;5</td>");
        html.Should().NotContain("PONE").And.NotContain("1.0.1");
    }

    [Fact]
    public void Report_is_self_contained_with_png_charts_and_a_dataset_card()
    {
        using var dir = new TempDirectory();
        var lake = new LakeStore(dir.Path);
        var instances = GoldFixture.Realistic(120);
        GoldFixture.WriteInstances(lake, instances);
        GoldFixture.WriteLabels(lake, GoldFixture.LabelsFor(instances));
        new SplitJob().Execute(new JobContext(lake, new Dictionary<string, string>(), TextWriter.Null));
        var result = new ProfileJob().Execute(new JobContext(lake, new Dictionary<string, string>(), TextWriter.Null));

        using var outDir = new TempDirectory();
        var files = ProfileReport.Write(result, outDir.Path, new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        string html = File.ReadAllText(files.Html);
        html.Should().StartWith("<!DOCTYPE html>").And.Contain("<style>");
        html.Should().NotContain("src=\"http").And.NotContain("<script").And.NotContain("<link");
        var images = System.Text.RegularExpressions.Regex.Matches(html, "src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        images.Count.Should().Be(ProfileJob.Dimensions.Count + 1, "one chart per dimension plus label prevalence");
        foreach (System.Text.RegularExpressions.Match img in images)
            Convert.FromBase64String(img.Groups[1].Value).Take(8).Should().Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        foreach (var id in instances.Take(50).SelectMany(r => new[] { r.PatientId!, r.PersonId!, r.SopUid! })) html.Should().NotContain(id);

        var card = JsonNode.Parse(File.ReadAllText(files.CardJson))!;
        card["split_version"]!.GetValue<string>().Should().StartWith("iterstrat-v1;seed=42");
        card["counts"]!["instances"]!.GetValue<long>().Should().Be(instances.Count);
        card["counts"]!["persons"]!.GetValue<long>().Should().Be(instances.Select(r => r.PersonId).Distinct().Count());
        card["deidentification"]!["options"]![0]!["options"]!.GetValue<string>().Should().Be("basic,retain-longitudinal-modified-dates,clean-descriptors");
        card["sources"]!.AsArray().Select(s => s!["table"]!.GetValue<string>()).Should().Equal("gold.splits", "gold.study_labels", "silver.instances");
        card["outputs"]!.AsArray().Should().HaveCount(2);
        card["known_gaps"]!.AsArray().Select(g => g!.GetValue<string>()).Should().Contain(g => g.Contains("have no labels"));
        string md = File.ReadAllText(files.CardMarkdown);
        md.Should().Contain("# Dataset card").And.Contain("| silver.instances | 1 |").And.Contain("## Known gaps");
    }

    [Fact]
    public void Split_counts_of_a_row_with_a_suppressed_cell_are_hidden_so_it_cannot_be_derived()
    {
        using var dir = new TempDirectory();
        var lake = new LakeStore(dir.Path);
        var rows = new List<FixtureInstance>();
        for (int i = 0; i < 12; i++) rows.Add(I($"F{i}", $"PF{i}", $"1.{i}", 1, "X", "CR", "GE", "F", "40-64"));
        GoldFixture.WriteInstances(lake, rows);
        // 10 in train, 2 in test: all = 12 is safe, test = 2 is small, so train must not be shown either (12 - 10 = 2).
        WriteSplits(lake, [.. Enumerable.Range(0, 12).Select(i => ($"PF{i}", i < 10 ? "train" : "test"))]);
        var result = ProfileJob.Compute(lake, new Dictionary<string, string>());
        using var outDir = new TempDirectory();
        string html = File.ReadAllText(ProfileReport.Write(result, outDir.Path).Html);
        html.Should().Contain("<td>F</td><td>40-64</td><td>X</td><td>12</td><td class=\"sup\">×</td><td class=\"sup\">×</td><td class=\"sup\">&lt;5</td>");
    }
}
