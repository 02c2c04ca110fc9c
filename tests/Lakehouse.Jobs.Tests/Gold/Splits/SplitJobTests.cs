using Lakehouse.Engine;
using Lakehouse.Jobs.Gold.Splits;
using Lakehouse.Testing;
using Lakehouse.Udfs.Splitting;

namespace Lakehouse.Jobs.Tests.Gold.Splits;

public sealed class SplitJobTests
{
    static JobContext Context(LakeStore lake, params (string, string)[] parameters) =>
        new(lake, parameters.ToDictionary(p => p.Item1, p => p.Item2), TextWriter.Null);

    static SplitJobSummary Split(LakeStore lake, params (string, string)[] parameters) => new SplitJob().Execute(Context(lake, parameters));

    static string DefaultVersion => SplitVersion.Of(new PatientSplitOptions()).Id;

    [Fact]
    public void Realistic_fixture_is_leakage_free_stratified_and_passes_delta_check()
    {
        using var dir = new TempDirectory();
        var lake = new LakeStore(dir.Path);
        var rows = GoldFixture.Realistic(300);
        GoldFixture.WriteInstances(lake, rows);
        GoldFixture.WriteLabels(lake, GoldFixture.LabelsFor(rows));

        var summary = Split(lake);

        int patients = rows.Select(r => r.PatientId).Distinct().Count();
        summary.Patients.Should().Be(patients);
        summary.NewPatients.Should().Be(patients);
        summary.MergedGroups.Should().BeGreaterThan(40, "persons with two patient ids and re-exports under unlinked ids merge groups");
        summary.LabeledStudies.Should().BeGreaterThan(summary.Studies / 2);
        var splits = GoldFixture.Splits(lake);
        splits.Should().HaveCount(patients);
        // Instance shares near 70/15/15 (the assigner balances instances by default).
        var instances = rows.GroupBy(r => splits[r.PatientId!]).ToDictionary(g => g.Key, g => (double)g.Count() / rows.Count);
        instances["train"].Should().BeApproximately(0.70, 0.04);
        instances["validation"].Should().BeApproximately(0.15, 0.04);
        instances["test"].Should().BeApproximately(0.15, 0.04);
        // Every site is present in every split.
        rows.GroupBy(r => splits[r.PatientId!]).Should().AllSatisfy(g => g.Select(r => r.Site).Distinct().Should().HaveCount(3));
        // Patients of one person and patients sharing a study UID end up together.
        rows.GroupBy(r => r.PersonId).Should().AllSatisfy(g => g.Select(r => splits[r.PatientId!]).Distinct().Should().ContainSingle());
        rows.GroupBy(r => r.StudyUid).Should().AllSatisfy(g => g.Select(r => splits[r.PatientId!]).Distinct().Should().ContainSingle());

        var verified = SplitVerification.Verify(lake).Should().ContainSingle().Subject;
        verified.LeakageFree.Should().BeTrue(verified.ToString());
        verified.Instances.Should().Be(rows.Count);
        verified.UnassignedInstances.Should().Be(0);

        var check = DeltaCheck.Check(lake.PathOf(SplitTables.Splits));
        check.ExitCode.Should().Be(0, check.StdOut + check.StdErr);
        GoldFixture.Query(lake, "SELECT DISTINCT split_version FROM gold.splits").Select(r => (string)r[0]!).Should().Equal(DefaultVersion);
    }

    [Fact]
    public void Adversarial_fixture_chains_shared_uids_and_reexports_into_one_split()
    {
        using var dir = new TempDirectory();
        var lake = new LakeStore(dir.Path);
        var rows = GoldFixture.Realistic(120);
        // A chain: P1 shares a study with P2, P2 a series with P3, P3 a SOP instance with P4 (duplicate re-export with new study and series UIDs).
        FixtureInstance Row(string patient, string study, string series, string sop, string site = "SITE-A") =>
            new($"ADV-{patient}", patient, study, series, sop, site, "CR", "GE", "Optima XR240", "CHEST", "XR CHEST 2 VIEWS", "40-64", "F");
        rows.AddRange([
            Row("ADV1", "9.1", "9.1.1", "9.1.1.1"), Row("ADV2", "9.1", "9.2.1", "9.2.1.1", "SITE-B"),
            Row("ADV2", "9.2", "9.2.2", "9.2.2.1", "SITE-B"), Row("ADV3", "9.3", "9.2.2", "9.3.2.1", "SITE-C"),
            Row("ADV3", "9.3", "9.3.3", "9.3.3.1", "SITE-C"), Row("ADV4", "9.4", "9.4.4", "9.3.3.1"),
            // A duplicate row of an existing instance (re-delivered file) and a patient without any UID.
            Row("ADV4", "9.4", "9.4.4", "9.3.3.1"), new("ADV-LONE", "ADV5", null, null, null, null, null, null, null, null, null, null, null),
        ]);
        // Many patients sharing the same study (a phantom / QA study re-used across patients).
        for (int i = 0; i < 12; i++) rows.Add(Row($"QA{i}", "9.99", $"9.99.{i}", $"9.99.{i}.1", i % 2 == 0 ? "SITE-A" : "SITE-C"));
        GoldFixture.WriteInstances(lake, rows);

        Split(lake);

        var splits = GoldFixture.Splits(lake);
        new[] { "ADV1", "ADV2", "ADV3", "ADV4" }.Select(p => splits[p]).Distinct().Should().ContainSingle();
        Enumerable.Range(0, 12).Select(i => splits[$"QA{i}"]).Distinct().Should().ContainSingle();
        splits.Should().ContainKey("ADV5");
        var result = SplitVerification.Verify(lake).Single();
        result.LeakageFree.Should().BeTrue(result.ToString());
    }

    [Fact]
    public void Appending_20_percent_new_patients_moves_no_existing_patient()
    {
        using var dir = new TempDirectory();
        var lake = new LakeStore(dir.Path);
        var first = GoldFixture.Realistic(200);
        GoldFixture.WriteInstances(lake, first);
        GoldFixture.WriteLabels(lake, GoldFixture.LabelsFor(first));
        var v1 = Split(lake);
        var before = GoldFixture.Splits(lake);

        var added = GoldFixture.Realistic(40, firstPerson: 200, seed: 99);
        GoldFixture.WriteInstances(lake, added);
        GoldFixture.WriteLabels(lake, GoldFixture.LabelsFor(added, seed: 5));
        var v2 = Split(lake);

        var after = GoldFixture.Splits(lake);
        int newPatients = added.Select(r => r.PatientId).Distinct().Count();
        v2.NewPatients.Should().Be(newPatients);
        v2.Version.Should().Be(v1.Version + 1, "the new patients are appended in one commit");
        after.Should().HaveCount(before.Count + newPatients);
        foreach (var (patient, split) in before) after[patient].Should().Be(split, "an assigned patient never moves");
        GoldFixture.Query(lake, "SELECT count(*) FROM gold.splits")[0][0].Should().Be((long)after.Count, "no patient is written twice");
        // The new patients are spread over the splits too.
        added.Select(r => after[r.PatientId!]).Distinct().Should().HaveCount(3);
        SplitVerification.Verify(lake).Single().LeakageFree.Should().BeTrue();

        // Unchanged inputs: nothing new, nothing committed.
        var v3 = Split(lake);
        v3.NewPatients.Should().Be(0);
        v3.Version.Should().BeNull();
        DeltaCheck.Check(lake.PathOf(SplitTables.Splits)).ExitCode.Should().Be(0);
    }

    [Fact]
    public void New_link_between_two_splits_fails_without_writing_and_without_identifiers_in_the_message()
    {
        using var dir = new TempDirectory();
        var lake = new LakeStore(dir.Path);
        var rows = GoldFixture.Realistic(60);
        GoldFixture.WriteInstances(lake, rows);
        Split(lake);
        var splits = GoldFixture.Splits(lake);
        var a = rows.First(r => splits[r.PatientId!] == "train");
        var b = rows.First(r => splits[r.PatientId!] == "test");
        long version = lake.TryOpen(SplitTables.Splits)!.Snapshot().Version;

        // A newly delivered instance of patient b carries a study UID of patient a (e.g. a merged re-export).
        GoldFixture.WriteInstances(lake, [b with { StudyUid = a.StudyUid, SeriesUid = "8.1", SopUid = "8.1.1" }, a with { PatientId = "PTNEW", PersonId = "PSNEW", SopUid = "8.2.1" }]);
        var act = () => Split(lake);

        var error = act.Should().Throw<UserInputException>().Which;
        error.Message.Should().Contain("1 leakage groups").And.Contain("nothing was written");
        foreach (var id in new[] { a.PatientId!, b.PatientId!, a.StudyUid!, a.PersonId!, b.PersonId!, "PTNEW" }) error.Message.Should().NotContain(id);
        lake.TryOpen(SplitTables.Splits)!.Snapshot().Version.Should().Be(version);
    }

    [Fact]
    public void New_seed_or_ratios_is_a_new_split_version_alongside_the_old_one()
    {
        using var dir = new TempDirectory();
        var lake = new LakeStore(dir.Path);
        var rows = GoldFixture.Realistic(80);
        GoldFixture.WriteInstances(lake, rows);
        var first = Split(lake);
        var old = GoldFixture.Splits(lake, first.SplitVersion);

        var second = Split(lake, ("seed", "7"), ("ratios", "80/10/10"));

        second.SplitVersion.Should().NotBe(first.SplitVersion).And.Contain("seed=7").And.Contain("0.8/0.1/0.1");
        second.NewPatients.Should().Be(old.Count);
        GoldFixture.Splits(lake, first.SplitVersion).Should().Equal(old);
        GoldFixture.Splits(lake, second.SplitVersion).Should().HaveCount(old.Count);
        SplitVerification.Verify(lake).Should().HaveCount(2).And.OnlyContain(r => r.LeakageFree);
        SplitVerification.Verify(lake, second.SplitVersion).Should().ContainSingle();
    }

    [Fact]
    public void Same_input_gives_the_same_split_whatever_the_file_order()
    {
        using var dir1 = new TempDirectory();
        using var dir2 = new TempDirectory();
        var rows = GoldFixture.Realistic(150);
        var lake1 = new LakeStore(dir1.Path);
        var lake2 = new LakeStore(dir2.Path);
        GoldFixture.WriteInstances(lake1, rows);
        GoldFixture.WriteLabels(lake1, GoldFixture.LabelsFor(rows));
        // Same rows in reverse order, spread over two commits.
        var reversed = Enumerable.Reverse(rows).ToList();
        GoldFixture.WriteInstances(lake2, reversed[..(reversed.Count / 2)]);
        GoldFixture.WriteInstances(lake2, reversed[(reversed.Count / 2)..]);
        GoldFixture.WriteLabels(lake2, Enumerable.Reverse(GoldFixture.LabelsFor(rows)).ToList());

        Split(lake1);
        Split(lake2);

        GoldFixture.Splits(lake2).Should().Equal(GoldFixture.Splits(lake1));
    }

    [Fact]
    public void Lineage_names_the_job_parameters_and_input_versions()
    {
        using var dir = new TempDirectory();
        var lake = new LakeStore(dir.Path);
        var rows = GoldFixture.Realistic(20);
        GoldFixture.WriteInstances(lake, rows);
        GoldFixture.WriteLabels(lake, GoldFixture.LabelsFor(rows));
        Split(lake, ("seed", "11"));
        string log = File.ReadAllText(Directory.GetFiles(Path.Combine(lake.PathOf(SplitTables.Splits), "_delta_log"), "*.json").Order().Last());
        log.Should().Contain("\"job\":\"split\"").And.Contain("\"seed\":\"11\"").And.Contain("\"silver.instances\":1").And.Contain("\"gold.study_labels\":1")
            .And.Contain("split_version");
    }

    [Theory]
    [InlineData("70/15/15", 0.70, 0.15, 0.15)]
    [InlineData("0.8/0.1/0.1", 0.8, 0.1, 0.1)]
    [InlineData("80:10:10", 0.8, 0.1, 0.1)]
    public void Ratios_parameter_accepts_percentages_and_shares(string text, double train, double validation, double test)
    {
        var o = SplitJob.Options(new Dictionary<string, string> { ["ratios"] = text });
        o.Ratios.Train.Should().BeApproximately(train, 1e-12);
        o.Ratios.Validation.Should().BeApproximately(validation, 1e-12);
        o.Ratios.Test.Should().BeApproximately(test, 1e-12);
    }

    [Theory]
    [InlineData("ratios", "70/15")]
    [InlineData("ratios", "0.5/0.2/0.2")]
    [InlineData("seed", "-1")]
    [InlineData("weighting", "pixels")]
    public void Bad_parameters_are_user_errors(string name, string value)
    {
        var act = () => SplitJob.Options(new Dictionary<string, string> { [name] = value });
        act.Should().Throw<UserInputException>().WithMessage($"*{name}*");
    }

    [Fact]
    public void Missing_silver_instances_is_a_user_error()
    {
        using var dir = new TempDirectory();
        var act = () => Split(new LakeStore(dir.Path));
        act.Should().Throw<UserInputException>().WithMessage("*silver.instances does not exist*");
    }
}
