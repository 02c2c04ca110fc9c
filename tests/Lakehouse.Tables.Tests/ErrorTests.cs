using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;

namespace Lakehouse.Tables.Tests;

/// <summary>Bad tables give one exception type with a kind, the table directory, no data values, and a Help line where useful.</summary>
public sealed class ErrorTests
{
    private static readonly StructType Schema = new(new StructField("patient_name", DeltaType.String));

    [Fact]
    public void Missing_table_is_table_not_found()
    {
        using var tmp = new TempDirectory("delta-missing");
        var act = () => DeltaTable.Open(tmp.Path);
        act.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.TableNotFound && e.Table == tmp.Path && e.Message.Contains("Help:"));
    }

    [Fact]
    public void Truncated_commit_is_corrupt_and_the_message_holds_no_data_value()
    {
        using var tmp = new TempDirectory("delta-corrupt");
        var table = DeltaTable.Create(tmp.Path, Schema);
        var txn = table.NewTransaction(DeltaOperation.Append);
        txn.Write(new ColumnBatch(Schema, [new List<string> { "DOE^JANE" }]));
        txn.Commit();
        string commit = Path.Combine(tmp.Path, "_delta_log", "00000000000000000001.json");
        string text = File.ReadAllText(commit);
        File.WriteAllText(commit, text[..(text.Length - 40)]);
        var act = () => table.Snapshot();
        act.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.Corrupt && e.Message.Contains("commit 1") && !e.Message.Contains("DOE") && !e.IsUserError);
        table.Snapshot(0).Version.Should().Be(0, "older versions stay readable");
    }

    [Fact]
    public void Creating_over_an_existing_table_is_refused()
    {
        using var tmp = new TempDirectory("delta-exists");
        DeltaTable.Create(tmp.Path, Schema);
        var act = () => DeltaTable.Create(tmp.Path, Schema);
        act.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.TableAlreadyExists);
    }

    [Fact]
    public void Writing_to_a_table_with_unsupported_writer_features_is_refused()
    {
        var table = DeltaTable.Open(Path.Combine(TestSupport.ConformanceRoot, "tables", "golden_basic_with_vacuum_protocol_check_feature", "delta"));
        table.Snapshot().ReadRows().Should().HaveCount(100);
        var act = () => table.NewTransaction(DeltaOperation.Append);
        act.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.UnsupportedFeature && e.Message.Contains("vacuumProtocolCheck"));
    }
}

public sealed class AppendOnlyTests
{
    [Fact]
    public void Overwrite_of_an_append_only_table_is_refused()
    {
        using var tmp = new TempDirectory("delta-appendonly");
        var schema = new StructType(new StructField("id", DeltaType.Long));
        var table = DeltaTable.Create(tmp.Path, schema, configuration: new Dictionary<string, string> { ["delta.appendOnly"] = "true" });
        var act = () => table.NewTransaction(DeltaOperation.Overwrite);
        act.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.InvalidArgument && e.Message.Contains("append-only"));
    }
}
