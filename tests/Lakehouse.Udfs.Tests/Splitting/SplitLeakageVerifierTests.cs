using Lakehouse.Udfs.Splitting;

namespace Lakehouse.Udfs.Tests.Splitting;

public class SplitLeakageVerifierTests
{
    [Fact]
    public void Clean_split_has_no_violations()
    {
        SplitLeakageVerifier.Verify(
        [
            new("P1", "S1", "SE1", "I1", DatasetSplit.Train),
            new("P1", "S1", "SE1", "I2", DatasetSplit.Train),
            new("P2", "S2", "SE2", "I3", DatasetSplit.Test),
        ]).Should().BeEmpty();
    }

    [Fact]
    public void Reports_each_identifier_kind_found_in_two_splits()
    {
        var violations = SplitLeakageVerifier.Verify(
        [
            new("P1", "S1", "SE1", "I1", DatasetSplit.Train),
            new("P1", "S9", "SE9", "I9", DatasetSplit.Validation),  // patient leaks
            new("P2", "S2", "SE2", "I2", DatasetSplit.Train),
            new("P3", "S2", "SE3", "I3", DatasetSplit.Test),        // study S2 leaks
            new("P4", "S4", "SE4", "I4", DatasetSplit.Train),
            new("P5", "S5", "SE4", "I4", DatasetSplit.Test),        // series and instance leak
            new("P6", null, null, null, DatasetSplit.Test),
        ]);

        violations.Select(v => (v.Kind, v.Identifier)).Should().Equal(
            (LeakageIdentifierKind.Patient, "P1"),
            (LeakageIdentifierKind.Study, "S2"),
            (LeakageIdentifierKind.Series, "SE4"),
            (LeakageIdentifierKind.Instance, "I4"));
        violations[0].Splits.Should().Equal(DatasetSplit.Train, DatasetSplit.Validation);
        violations[1].Splits.Should().Equal(DatasetSplit.Train, DatasetSplit.Test);
    }
}
