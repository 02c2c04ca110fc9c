using FsCheck.Xunit;
using Lakehouse.Udfs.Splitting;

namespace Lakehouse.Udfs.Tests.Splitting;

public class PatientSplitAssignerTests
{
    private static readonly bool[] NoLabels = new bool[14];

    /// <summary>
    /// Random memberships drawn from small identifier pools, so the same study, series or instance UID often
    /// appears under several patients: no leakage group may span two splits, and everyone gets a split.
    /// </summary>
    [Property(MaxTest = 300)]
    public bool No_identifier_ever_spans_two_splits(int[] raw, ulong seed)
    {
        var rows = new List<(string P, string St, string Se, string Sop)>();
        for (int i = 0; i + 3 < raw.Length; i += 4)
        {
            // Mostly identifiers private to the patient (or study, series, row); one in four drawn from a tiny shared pool.
            string patient = $"P{Math.Abs(raw[i] % 30)}";
            string study = raw[i + 1] % 4 == 0 ? $"ST-shared-{Math.Abs(raw[i + 1] % 3)}" : $"ST-{patient}-{Math.Abs(raw[i + 1] % 3)}";
            string series = raw[i + 2] % 4 == 0 ? $"SE-shared-{Math.Abs(raw[i + 2] % 3)}" : $"SE-{study}-{Math.Abs(raw[i + 2] % 2)}";
            string sop = raw[i + 3] % 4 == 0 ? $"I-shared-{Math.Abs(raw[i + 3] % 3)}" : $"I-{i}";
            rows.Add((patient, study, series, sop));
        }
        var groups = new LeakageGroups();
        foreach (var r in rows) groups.Add(r.P, r.St, r.Se, r.Sop);
        var grouping = groups.Build();
        var rng = new SplitMix64(seed);
        var studies = rows.DistinctBy(r => (r.P, r.St))
            .Select(r => new SplitStudy(r.P, r.St, rng.NextInt(2) == 0 ? "A" : "B", "CR", 1 + rng.NextInt(3), Enumerable.Range(0, 14).Select(_ => rng.NextInt(4) == 0).ToArray()))
            .ToList();

        var result = new PatientSplitAssigner(new PatientSplitOptions { Seed = seed }).Assign(studies, grouping);

        var verified = SplitLeakageVerifier.Verify(rows.Select(r => new SplitMembershipRow(r.P, r.St, r.Se, r.Sop, result.Patients[r.P])));
        return verified.Count == 0 && result.Conflicts.Count == 0
            && result.Patients.Count == grouping.PatientCount && result.NewlyAssignedCount == grouping.PatientCount;
    }

    [Fact]
    public void Same_seed_gives_the_same_split_whatever_the_input_order_and_another_seed_a_different_one()
    {
        var studies = SyntheticStudies.Generate(400, 1);
        var a = new PatientSplitAssigner(new PatientSplitOptions { Seed = 5 }).Assign(studies);
        var shuffled = studies.ToArray();
        new SplitMix64(99).Shuffle(shuffled.AsSpan());
        var b = new PatientSplitAssigner(new PatientSplitOptions { Seed = 5 }).Assign(shuffled);
        var c = new PatientSplitAssigner(new PatientSplitOptions { Seed = 6 }).Assign(studies);

        b.Patients.Should().Equal(a.Patients);
        c.Patients.Count(kv => a.Patients[kv.Key] != kv.Value).Should().BeGreaterThan(20);
        c.Version.Should().NotBe(a.Version);
    }

    [Theory]
    [InlineData(SplitWeighting.Instances, 0.70, 0.15, 0.15)]
    [InlineData(SplitWeighting.Studies, 0.80, 0.10, 0.10)]
    [InlineData(SplitWeighting.Instances, 0.50, 0.25, 0.25)]
    public void Split_sizes_match_the_ratios_in_the_weighting_unit(SplitWeighting weighting, double train, double validation, double test)
    {
        var studies = SyntheticStudies.Generate(2000, 2);
        var ratios = new SplitRatios(train, validation, test);
        var result = new PatientSplitAssigner(new PatientSplitOptions { Ratios = ratios, Weighting = weighting }).Assign(studies);

        double total = studies.Sum(s => weighting == SplitWeighting.Instances ? s.InstanceCount : 1);
        foreach (var split in Enum.GetValues<DatasetSplit>())
        {
            double share = studies.Where(s => result.Patients[s.Patient] == split).Sum(s => weighting == SplitWeighting.Instances ? s.InstanceCount : 1) / total;
            share.Should().BeApproximately(ratios[split], 0.01, $"{split} share in {weighting}");
        }
    }

    [Fact]
    public void Label_prevalence_is_closer_to_overall_than_with_a_random_patient_split()
    {
        var studies = SyntheticStudies.Generate(2000, 3);
        var ours = new PatientSplitAssigner(new PatientSplitOptions { Weighting = SplitWeighting.Studies }).Assign(studies).Patients;
        var patients = studies.Select(s => s.Patient).Distinct().ToArray();
        new SplitMix64(42).Shuffle(patients.AsSpan());
        var random = new Dictionary<string, DatasetSplit>();
        for (int i = 0; i < patients.Length; i++)
            random[patients[i]] = i < patients.Length * 0.70 ? DatasetSplit.Train : i < patients.Length * 0.85 ? DatasetSplit.Validation : DatasetSplit.Test;

        double oursDev = SyntheticStudies.MeanLabelDeviation(studies, p => ours[p]);
        double randomDev = SyntheticStudies.MeanLabelDeviation(studies, p => random[p]);
        oursDev.Should().BeLessThan(randomDev / 2, "iterative stratification balances every label");
    }

    [Fact]
    public void Appending_new_patients_never_moves_an_existing_one_and_keeps_ratios()
    {
        var all = SyntheticStudies.Generate(2000, 4);
        var patients = all.Select(s => s.Patient).Distinct().ToList();
        var old = patients.Take(1600).ToHashSet();
        var assigner = new PatientSplitAssigner();
        var first = assigner.Assign(all.Where(s => old.Contains(s.Patient)));
        first.NewlyAssignedCount.Should().Be(1600);

        var second = assigner.Assign(all, first.Patients);

        second.Conflicts.Should().BeEmpty();
        second.NewlyAssignedCount.Should().Be(400);
        foreach (var (p, split) in first.Patients) second.Patients[p].Should().Be(split);
        foreach (var (split, share) in SyntheticStudies.InstanceShares(all, second.Patients))
            share.Should().BeApproximately(SplitRatios.Default[split], 0.015, $"{split} after the append");
    }

    [Fact]
    public void New_patients_fill_what_the_previous_split_lacks()
    {
        // A skewed previous assignment: everything in train. New patients must go to validation and test.
        var all = SyntheticStudies.Generate(1000, 5);
        var previous = all.Select(s => s.Patient).Distinct().Take(500).ToDictionary(p => p, _ => DatasetSplit.Train);
        var result = new PatientSplitAssigner().Assign(all, previous);
        var newcomers = result.Patients.Where(kv => !previous.ContainsKey(kv.Key)).ToList();
        newcomers.Should().HaveCount(500);
        newcomers.Count(kv => kv.Value == DatasetSplit.Train).Should().BeLessThan(newcomers.Count / 2);
    }

    [Fact]
    public void Leakage_edge_between_two_assigned_splits_is_a_conflict_and_nobody_moves()
    {
        var previous = new Dictionary<string, DatasetSplit> { ["P1"] = DatasetSplit.Train, ["P2"] = DatasetSplit.Test, ["P4"] = DatasetSplit.Validation };
        var groups = new LeakageGroups();
        groups.Add("P1", "S1");
        groups.Add("P2", "S2");
        groups.Add("P3", "S1");  // new patient, shares S1 with P1...
        groups.Add("P3", "S2");  // ...and S2 with P2: P1 and P2 now must be together, but they are not
        groups.Add("P4", "S4");
        groups.Add("P5", "S4");  // new, joins P4's group: forced into validation
        groups.Add("P6", "S6");
        var studies = new[] { "P1:S1", "P2:S2", "P3:S1", "P4:S4", "P5:S4", "P6:S6" }
            .Select(x => x.Split(':')).Select(x => new SplitStudy(x[0], x[1], "A", "CR", 1, NoLabels)).ToList();

        var result = new PatientSplitAssigner().Assign(studies, groups.Build(), previous);

        var conflict = result.Conflicts.Should().ContainSingle().Subject;
        conflict.GroupId.Should().Be("P1");
        conflict.AssignedMembers.Should().Equal(new KeyValuePair<string, DatasetSplit>("P1", DatasetSplit.Train), new KeyValuePair<string, DatasetSplit>("P2", DatasetSplit.Test));
        conflict.UnassignedMembers.Should().Equal("P3");
        result.Patients["P1"].Should().Be(DatasetSplit.Train);
        result.Patients["P2"].Should().Be(DatasetSplit.Test);
        result.Patients.Should().NotContainKey("P3");
        result.Patients["P5"].Should().Be(DatasetSplit.Validation);
        result.Patients.Should().ContainKey("P6");
        result.NewlyAssignedCount.Should().Be(2);
    }

    [Fact]
    public void A_zero_ratio_split_receives_nothing()
    {
        var studies = SyntheticStudies.Generate(300, 6);
        var result = new PatientSplitAssigner(new PatientSplitOptions { Ratios = new SplitRatios(0.8, 0.2, 0) }).Assign(studies);
        result.Patients.Values.Should().NotContain(DatasetSplit.Test).And.Contain(DatasetSplit.Validation);
    }

    [Fact]
    public void Version_identifies_seed_ratios_weighting_and_algorithm()
    {
        new PatientSplitAssigner().Version.Id.Should().Be("iterstrat-v1;seed=42;ratios=0.7/0.15/0.15;weight=instances");
        new PatientSplitAssigner(new PatientSplitOptions { Seed = 1, Ratios = new SplitRatios(0.8, 0.1, 0.1), Weighting = SplitWeighting.Studies })
            .Version.Id.Should().Be("iterstrat-v1;seed=1;ratios=0.8/0.1/0.1;weight=studies");
    }

    [Fact]
    public void Bad_input_is_rejected_by_row_index_without_echoing_identifiers()
    {
        var studies = new[]
        {
            new SplitStudy("PAT-SECRET", "1.2.3", "A", "CR", 1, NoLabels),
            new SplitStudy("PAT-SECRET", "1.2.4", "A", "CR", 1, new bool[3]),
        };
        new PatientSplitAssigner().Invoking(a => a.Assign(studies)).Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("row 1").And.NotContain("PAT-SECRET").And.NotContain("1.2.4");
        FluentActions.Invoking(() => new PatientSplitAssigner(new PatientSplitOptions { Ratios = new SplitRatios(0.7, 0.2, 0.2) }))
            .Should().Throw<ArgumentException>();
    }
}

public class PatientSplitAssignerInputTests
{
    [Fact]
    public void Study_of_a_patient_outside_the_grouping_is_rejected_by_row_index()
    {
        var groups = new LeakageGroups();
        groups.Add("P1", "S1");
        var studies = new[] { new SplitStudy("P1", "S1", "A", "CR", 1, new bool[14]), new SplitStudy("P-UNKNOWN", "S2", "A", "CR", 1, new bool[14]) };
        new PatientSplitAssigner().Invoking(a => a.Assign(studies, groups.Build())).Should().Throw<ArgumentException>()
            .Which.Message.Should().Contain("row 1").And.NotContain("P-UNKNOWN");
    }

    [Fact]
    public void Patients_without_studies_still_get_a_split()
    {
        var groups = new LeakageGroups();
        groups.Add("P1", "S1");
        groups.Add("P2", "S2");
        var result = new PatientSplitAssigner().Assign([new SplitStudy("P1", "S1", "A", "CR", 2, new bool[14])], groups.Build());
        result.Patients.Keys.Should().BeEquivalentTo(["P1", "P2"]);
    }
}
