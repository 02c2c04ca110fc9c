using Lakehouse.Engine;
using Lakehouse.Jobs.Gold.Release;
using Lakehouse.Tables;
using Lakehouse.Tables.Transaction;

namespace Lakehouse.Jobs.Tests.Release;

public sealed class TableHistoryTests
{
    [Fact]
    public void History_ListsEveryVersion_WithJobInputsAndCodeVersion()
    {
        using var lake = new ReleaseLake();
        var splitsName = new LakeTableName("gold", "splits");
        var lineage = new CommitLineage("split")
        {
            InputVersions = new Dictionary<string, long> { ["silver.instances"] = 2, ["gold.study_labels"] = 2 },
            CodeVersion = "abc1234",
            Parameters = new Dictionary<string, string> { ["seed"] = "7" },
        };
        var tx = lake.Splits.NewTransaction(DeltaOperation.Overwrite, lineage);
        tx.Write(Tables.Transaction.ColumnBatch.FromRows(ReleaseLake.SplitsSchema, []));
        tx.Commit();

        var history = TableHistory.Read(lake.Lake, splitsName);
        history.Select(c => c.Version).Should().Equal(2, 1, 0);
        history[0].Job.Should().Be("split");
        history[0].CodeVersion.Should().Be("abc1234");
        history[0].InputVersions.Should().Equal(KeyValuePair.Create("gold.study_labels", 2L), KeyValuePair.Create("silver.instances", 2L));
        history[0].Timestamp.Should().NotBeNull();
        history[1].Job.Should().Be("fixture");
        history[2].Operation.Should().Be("CREATE TABLE");

        var text = new StringWriter();
        TableHistory.Write(history, text);
        var lines = text.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        lines.Should().HaveCount(4);
        lines[0].Should().StartWith("version | timestamp");
        lines[1].Should().MatchRegex(@"^2 +\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \| \S.* \| split +\| gold\.study_labels@2, silver\.instances@2 \| abc1234$");
        lines[3].Should().Contain("CREATE TABLE").And.Contain("fixture");
    }

    [Fact]
    public void History_OfReleasesTable_RecordsPinnedVersionsAsInputs()
    {
        using var lake = new ReleaseLake();
        ReleaseCatalog.Create(lake.Lake, "r1");
        var latest = TableHistory.Read(lake.Lake, ReleaseCatalog.Table)[0];
        latest.Job.Should().Be(ReleaseCatalog.JobName);
        latest.InputVersions.Should().Contain(KeyValuePair.Create("silver.instances", 2L));
        latest.InputVersions.Select(kv => kv.Key).Should().NotContain(k => k.StartsWith("bronze.") || k.StartsWith("restricted."));
    }

    [Fact]
    public void History_OfMissingTable_IsUserError()
    {
        using var lake = new ReleaseLake();
        var read = () => TableHistory.Read(lake.Lake, new LakeTableName("gold", "nothing"));
        read.Should().Throw<UserInputException>().WithMessage("*gold.nothing does not exist*");
    }
}
