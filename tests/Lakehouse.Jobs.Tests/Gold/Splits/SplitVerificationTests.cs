using System.Collections;
using Lakehouse.Engine;
using Lakehouse.Jobs.Gold.Splits;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Gold.Splits;

public sealed class SplitVerificationTests
{
    static void WriteSplits(LakeStore lake, params (string Patient, string? Person, string Split)[] rows)
    {
        var table = lake.OpenOrCreate(SplitTables.Splits, SplitTables.SplitsSchema, new CommitLineage("planted"));
        var tx = table.NewTransaction(DeltaOperation.Append, new CommitLineage("planted"));
        var at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        tx.Write(new ColumnBatch(SplitTables.SplitsSchema, new IList[]
        {
            rows.Select(r => r.Patient).ToList(), rows.Select(r => r.Person).ToList(), rows.Select(r => r.Split).ToList(),
            rows.Select(_ => "planted-v1").ToList(), rows.Select(_ => (object)at).ToList(),
        }));
        tx.Commit();
    }

    static FixtureInstance Row(string person, string patient, string study, string series, string sop) =>
        new(person, patient, study, series, sop, "SITE-A", "CR", "GE", "Optima XR240", "CHEST", "XR CHEST 2 VIEWS", "40-64", "F");

    [Fact]
    public void Planted_overlaps_are_counted_per_identifier_kind()
    {
        using var dir = new TempDirectory();
        var lake = new LakeStore(dir.Path);
        GoldFixture.WriteInstances(lake, [
            Row("PS1", "PT1", "1.1", "1.1.1", "1.1.1.1"),
            Row("PS2", "PT2", "1.1", "1.2.1", "1.2.1.1"),     // shares study 1.1 with PT1
            Row("PS3", "PT3", "3.1", "3.1.1", "3.1.1.1"),
            Row("PS3", "PT3b", "3.2", "3.2.1", "3.2.1.1"),    // same person, other patient id
            Row("PS4", "PT4", "4.1", "4.1.1", "4.1.1.1"),
            Row("PS5", "PT5", "5.1", "5.1.1", "4.1.1.1"),     // same SOP instance as PT4 (re-export)
            Row("PS6", "PT6", "6.1", "6.1.1", "6.1.1.1"),
        ]);
        WriteSplits(lake, ("PT1", "PS1", "train"), ("PT2", "PS2", "test"), ("PT3", "PS3", "train"), ("PT3b", "PS3", "validation"),
            ("PT4", "PS4", "train"), ("PT5", "PS5", "validation"), ("PT6", "PS6", "train"), ("PT6", "PS6", "test"));

        var result = SplitVerification.Verify(lake, "planted-v1").Single();

        result.LeakageFree.Should().BeFalse();
        result.LeakingPatients.Should().Be(1);   // PT6 listed twice
        result.LeakingPersons.Should().Be(2);    // PS3 and PS6
        result.LeakingStudies.Should().Be(2);    // 1.1, and 6.1 of the patient listed twice
        result.LeakingSeries.Should().Be(1);     // 6.1.1
        result.LeakingInstances.Should().Be(2);  // 4.1.1.1 and 6.1.1.1
        result.ToString().Should().StartWith("split planted-v1: LEAKAGE: 1 patients, 2 persons, 2 studies, 1 series, 2 instances")
            .And.NotContainAny("PT", "PS", "1.1.1", "4.1.1.1");
    }

    [Fact]
    public void Clean_split_passes_and_unknown_version_is_a_user_error()
    {
        using var dir = new TempDirectory();
        var lake = new LakeStore(dir.Path);
        GoldFixture.WriteInstances(lake, [Row("PS1", "PT1", "1.1", "1.1.1", "1.1.1.1"), Row("PS2", "PT2", "2.1", "2.1.1", "2.1.1.1"), Row("PS3", "PT3", "3.1", "3.1.1", "3.1.1.1")]);
        WriteSplits(lake, ("PT1", "PS1", "train"), ("PT2", "PS2", "test"));

        var result = SplitVerification.Verify(lake).Single();
        result.LeakageFree.Should().BeTrue();
        result.Patients.Should().Be(2);
        result.Instances.Should().Be(2);
        result.UnassignedInstances.Should().Be(1);

        var act = () => SplitVerification.Verify(lake, "nope");
        act.Should().Throw<UserInputException>().WithMessage("*no split version 'nope'*");
    }
}
