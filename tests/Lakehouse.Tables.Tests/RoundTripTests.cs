using System.Collections;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;

namespace Lakehouse.Tables.Tests;

/// <summary>
/// What we write we read back identically at every version, DuckDB's read_parquet over the snapshot's files gives the same
/// rows, and the independent validator (delta-check --strict) passes.
/// </summary>
public sealed class RoundTripTests
{
    private static readonly StructType Nested = new(new StructField("x", DeltaType.Integer), new StructField("label", DeltaType.String));

    internal static readonly StructType Schema = new(
        new StructField("id", DeltaType.Long, Nullable: false),
        new StructField("name", DeltaType.String),
        new StructField("score", DeltaType.Double),
        new StructField("small", DeltaType.Short),
        new StructField("tiny", DeltaType.Byte),
        new StructField("ratio", DeltaType.Float),
        new StructField("flag", DeltaType.Boolean),
        new StructField("blob", DeltaType.Binary),
        new StructField("amount", new DecimalType(12, 3)),
        new StructField("day", DeltaType.Date),
        new StructField("at", DeltaType.Timestamp),
        new StructField("nested", Nested),
        new StructField("tags", new ArrayType(DeltaType.String)),
        new StructField("attrs", new MapType(DeltaType.String, DeltaType.Long)),
        new StructField("site", DeltaType.String));

    internal static ColumnBatch Batch(int start, int count, Func<int, string?>? site = null)
    {
        var cols = Schema.Fields.Select(_ => (IList)new List<object?>()).ToArray();
        for (int i = start; i < start + count; i++)
        {
            bool nul = i % 7 == 3;
            object?[] values =
            [
                (long)i,
                nul ? null : (i % 5 == 0 ? new string('é', 40) + i : "name-" + i),
                nul ? null : i * 1.5,
                (short)(i % 300),
                (sbyte)(i % 100),
                nul ? null : i / 4f,
                i % 2 == 0,
                nul ? null : new byte[] { (byte)i, 0xFF },
                nul ? null : i * 1.125m,
                new DateOnly(2020, 1, 1).AddDays(i),
                nul ? null : new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc).AddTicks(i * 12_345_670L),
                nul ? null : new Dictionary<string, object?> { ["x"] = i, ["label"] = i % 3 == 0 ? null : "l" + i },
                nul ? null : new List<object?> { "a" + i, "b" }, // no null elements: Parquet.Net 6.1's untyped reader drops them (see report)
                nul ? null : new Dictionary<object, object?> { ["k" + i] = (long)i, ["z"] = null },
                site is null ? "s" + (i % 3) : site(i),
            ];
            for (int c = 0; c < cols.Length; c++) cols[c].Add(values[c]);
        }
        return new ColumnBatch(Schema, cols);
    }

    internal static void AssertValid(string table)
    {
        var result = DeltaCheck.Check(table);
        result.Succeeded.Should().BeTrue("delta-check --strict must pass:\n" + result.StdOut + result.StdErr);
    }

    private static void AssertSameAsDuckDb(Snapshot.Snapshot snapshot)
    {
        // Map columns are left out: DuckDB.NET cannot materialize a map holding a null value as a .NET dictionary.
        var dataColumns = snapshot.Schema.Fields.Where(f => f.Type is not MapType).Select(f => f.Name).Where(c => !snapshot.PartitionColumns.Contains(c)).ToList();
        TestSupport.DuckDbRows(snapshot.ActiveFiles.Select(f => f.AbsolutePath), dataColumns)
            .Should().Equal(TestSupport.Rendered(snapshot.ReadRows(), dataColumns));
    }

    [Fact]
    public void Plain_table_appends_read_back_identically_at_every_version()
    {
        using var tmp = new TempDirectory("delta-plain");
        var table = DeltaTable.Create(tmp.Path, Schema);
        var written = new List<IReadOnlyDictionary<string, object?>>();
        for (int b = 0; b < 3; b++)
        {
            var batch = Batch(b * 20, 20);
            var txn = table.NewTransaction(DeltaOperation.Append, new CommitLineage("roundtrip") { InputVersions = new Dictionary<string, long> { ["bronze.studies"] = b } });
            txn.Write(batch);
            txn.Commit().Should().Be(b + 1);
            for (int r = 0; r < batch.RowCount; r++) written.Add(batch.Row(r));
            var snapshot = table.Snapshot();
            var columns = Schema.Fields.Select(f => f.Name).ToList();
            TestSupport.Rendered(snapshot.ReadRows(), columns).Should().Equal(TestSupport.Rendered(written, columns));
            AssertSameAsDuckDb(snapshot);
        }
        table.Snapshot(1).ReadRows().Should().HaveCount(20);
        table.Snapshot(0).ActiveFiles.Should().BeEmpty();
        var history = table.History();
        history.Select(h => h.Version).Should().Equal(3, 2, 1, 0);
        history[0].Operation.Should().Be("WRITE");
        history[0].Raw!["lakehouseLineage"]!["inputVersions"]!["bronze.studies"]!.GetValue<long>().Should().Be(2);
        history[^1].Operation.Should().Be("CREATE TABLE");
        AssertValid(tmp.Path);
    }

    [Fact]
    public void Partitioned_table_with_nulls_and_special_characters_round_trips()
    {
        using var tmp = new TempDirectory("delta-part");
        var table = DeltaTable.Create(tmp.Path, Schema, ["site"]);
        string?[] sites = [null, "A/B", "x y", "50%", "a=b:c", "😀 é", "plain"];
        var txn = table.NewTransaction(DeltaOperation.Append);
        var batch = Batch(0, 35, i => sites[i % sites.Length]);
        txn.Write(batch);
        txn.Commit();
        var snapshot = table.Snapshot();
        snapshot.ActiveFiles.Should().HaveCount(sites.Length);
        snapshot.ActiveFiles.Select(f => f.PartitionValues["site"]).Should().BeEquivalentTo(sites);
        Directory.Exists(Path.Combine(tmp.Path, "site=__HIVE_DEFAULT_PARTITION__")).Should().BeTrue();
        Directory.Exists(Path.Combine(tmp.Path, "site=A%2FB")).Should().BeTrue();
        snapshot.ActiveFiles.Should().OnlyContain(f => File.Exists(f.AbsolutePath));
        var columns = Schema.Fields.Select(f => f.Name).ToList();
        TestSupport.Rendered(snapshot.ReadRows(), columns).Should().Equal(TestSupport.Rendered(Enumerable.Range(0, 35).Select(batch.Row), columns));
        snapshot.ReadRows(pv => (string?)pv["site"] == "A/B").Should().HaveCount(5);
        AssertSameAsDuckDb(snapshot);
        AssertValid(tmp.Path);
    }

    [Fact]
    public void Checkpoint_every_interval_is_valid_and_replays_to_the_same_state()
    {
        using var tmp = new TempDirectory("delta-ckpt");
        var table = DeltaTable.Create(tmp.Path, Schema, ["site"], new Dictionary<string, string> { ["delta.checkpointInterval"] = "3" });
        for (int b = 0; b < 4; b++)
        {
            var txn = table.NewTransaction(b == 2 ? DeltaOperation.ReplaceWhere : DeltaOperation.Append);
            if (b == 2) txn.RemoveWhere(pv => (string?)pv["site"] == "s1", "site = <value>");
            txn.Write(Batch(b * 10, 10));
            txn.SetTransactionId("ingest", b);
            txn.Commit();
        }
        File.Exists(Path.Combine(tmp.Path, "_delta_log", "00000000000000000003.checkpoint.parquet")).Should().BeTrue();
        File.ReadAllText(Path.Combine(tmp.Path, "_delta_log", "_last_checkpoint")).Should().Contain("\"version\":3");
        var fromCheckpoint = table.Snapshot();
        fromCheckpoint.Segment.CheckpointVersion.Should().Be(3);
        fromCheckpoint.TransactionVersion("ingest").Should().Be(3);
        // the same state replayed from JSON only: hide the checkpoint
        var jsonOnly = Tables.Snapshot.Snapshot.Replay(LogSegment.LogSegment.TryCreate(tmp.Path, 3) is var seg && seg.CheckpointVersion == 3
            ? new LogSegment.LogSegment { Table = seg.Table, EndVersion = 4, CheckpointVersion = -1, CheckpointParts = [], AscendingCommits = seg.AllCommits, AllCommits = seg.AllCommits }
            : seg);
        var columns = Schema.Fields.Select(f => f.Name).ToList();
        TestSupport.Rendered(fromCheckpoint.ReadRows(), columns).Should().Equal(TestSupport.Rendered(jsonOnly.ReadRows(), columns));
        fromCheckpoint.ActiveFiles.Select(f => f.LogPath).Should().BeEquivalentTo(jsonOnly.ActiveFiles.Select(f => f.LogPath));
        table.Checkpoint().Should().Be(4);
        table.Snapshot().Segment.CheckpointVersion.Should().Be(4);
        AssertValid(tmp.Path);
    }

    [Fact]
    public void Overwrite_and_replace_where_keep_old_versions_readable()
    {
        using var tmp = new TempDirectory("delta-overwrite");
        var table = DeltaTable.Create(tmp.Path, Schema, ["site"]);
        var t1 = table.NewTransaction(DeltaOperation.Append);
        t1.Write(Batch(0, 30));
        t1.Commit();
        var t2 = table.NewTransaction(DeltaOperation.ReplaceWhere);
        t2.RemoveWhere(pv => (string?)pv["site"] == "s0", "site = <value>");
        t2.Write(Batch(100, 3, _ => "s0"));
        t2.Commit();
        var v2 = table.Snapshot();
        v2.ReadRows().Should().HaveCount(23);
        v2.ReadRows(pv => (string?)pv["site"] == "s0").Select(r => (long)r["id"]!).Should().BeEquivalentTo(new long[] { 100, 101, 102 });
        var t3 = table.NewTransaction(DeltaOperation.Overwrite);
        t3.Write(Batch(200, 4));
        t3.Commit();
        table.Snapshot().ReadRows().Should().HaveCount(4);
        table.Snapshot(1).ReadRows().Should().HaveCount(30);
        table.Snapshot(2).ReadRows().Should().HaveCount(23);
        table.History()[0].OperationParameters["mode"].Should().Be("Overwrite");
        AssertValid(tmp.Path);
    }

    [Fact]
    public void Merge_schema_adds_a_column_and_old_rows_read_null()
    {
        using var tmp = new TempDirectory("delta-evolve");
        var schema = new StructType(new StructField("id", DeltaType.Long), new StructField("site", DeltaType.String));
        var table = DeltaTable.Create(tmp.Path, schema);
        var t1 = table.NewTransaction(DeltaOperation.Append);
        t1.Write(new ColumnBatch(schema, [new List<long> { 1, 2 }, new List<string> { "a", "b" }]));
        t1.Commit();

        var wider = new StructType(new StructField("id", DeltaType.Long), new StructField("site", DeltaType.String), new StructField("modality", DeltaType.String));
        var refused = table.NewTransaction(DeltaOperation.Append);
        var act = () => refused.Write(new ColumnBatch(wider, [new List<long> { 3 }, new List<string> { "c" }, new List<string> { "CT" }]));
        act.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.SchemaMismatch && e.Message.Contains("modality") && e.Message.Contains("mergeSchema"));

        var incompatible = table.NewTransaction(DeltaOperation.Append, mergeSchema: true);
        var wrongType = new StructType(new StructField("id", DeltaType.String));
        var act2 = () => incompatible.Write(new ColumnBatch(wrongType, [new List<string> { "x" }]));
        act2.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.SchemaMismatch && e.Message.Contains("'id'"));

        var t2 = table.NewTransaction(DeltaOperation.Append, mergeSchema: true);
        t2.Write(new ColumnBatch(wider, [new List<long> { 3 }, new List<string> { "c" }, new List<string> { "CT" }]));
        t2.Commit();
        var snapshot = table.Snapshot();
        snapshot.Schema.Fields.Select(f => f.Name).Should().Equal("id", "site", "modality");
        snapshot.ReadRows().OrderBy(r => (long)r["id"]!).Select(r => r["modality"]).Should().Equal(new object?[] { null, null, "CT" });
        table.Snapshot(1).Schema.Fields.Should().HaveCount(2);
        AssertValid(tmp.Path);
    }

    [Fact]
    public void Externally_written_parquet_file_is_committed_with_computed_stats()
    {
        using var tmp = new TempDirectory("delta-external");
        var schema = new StructType(new StructField("id", DeltaType.Long), new StructField("name", DeltaType.String),
            new StructField("at", DeltaType.Timestamp), new StructField("site", DeltaType.String));
        var table = DeltaTable.Create(tmp.Path, schema, ["site"]);
        string dir = Path.Combine(tmp.Path, "site=x");
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, "part-duckdb-0.parquet");
        using (var conn = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:"))
        {
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = $"COPY (SELECT i::BIGINT AS id, CASE WHEN i % 4 = 0 THEN NULL ELSE 'n' || i END AS name, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_microseconds(i * 1001) AS at FROM range(50) t(i)) TO '{file}' (FORMAT parquet)";
            cmd.ExecuteNonQuery();
        }
        var txn = table.NewTransaction(DeltaOperation.Append);
        txn.AddFile(file, new Dictionary<string, object?> { ["site"] = "x" });
        txn.Commit();
        var snapshot = table.Snapshot();
        snapshot.ActiveFiles.Single().NumRecords.Should().Be(50);
        snapshot.ActiveFiles.Single().Size.Should().Be(new FileInfo(file).Length);
        snapshot.ActiveFiles.Single().StatsJson.Should().Contain("\"name\":13");
        snapshot.ReadRows().Should().HaveCount(50).And.OnlyContain(r => (string?)r["site"] == "x");
        AssertValid(tmp.Path);

        var bad = table.NewTransaction(DeltaOperation.Append);
        var outside = () => bad.AddFile("/etc/hostname");
        outside.Should().Throw<DeltaException>().Where(e => e.Kind == DeltaErrorKind.InvalidArgument);
    }
}
