using System.Collections;
using System.Text.Json.Nodes;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;

namespace Lakehouse.Tables.Tests;

/// <summary>
/// delta.dataSkippingNumIndexedCols and delta.dataSkippingStatsColumns choose which columns get nullCount/min/max in the
/// log (numRecords always), on every write path (Write, AddFile, streamed DeltaFileWriter) and through checkpoints; bad
/// values are refused naming the property; readers (snapshot, DuckDB, delta-check) keep working with partial stats.
/// </summary>
public sealed class StatsColumnsTests
{
    private static readonly Dictionary<string, string> NoProperties = [];

    private static Dictionary<string, string> Props(string? numIndexed = null, string? statsColumns = null)
    {
        var p = new Dictionary<string, string>();
        if (numIndexed is not null) p[DataSkippingProperties.NumIndexedCols] = numIndexed;
        if (statsColumns is not null) p[DataSkippingProperties.StatsColumns] = statsColumns;
        return p;
    }

    private static JsonObject OnlyStats(DeltaTable table) =>
        JsonNode.Parse(table.Snapshot().ActiveFiles.Single().StatsJson!)!.AsObject();

    /// <summary>The dotted leaf paths under a stats section ("nullCount", "minValues"...), sorted; empty when the section is absent.</summary>
    private static List<string> Leaves(JsonObject stats, string section)
    {
        var paths = new List<string>();
        void Walk(JsonObject o, string prefix)
        {
            foreach (var (k, v) in o)
                if (v is JsonObject child) Walk(child, prefix + k + ".");
                else paths.Add(prefix + k);
        }
        if (stats[section] is JsonObject root) Walk(root, "");
        paths.Sort(StringComparer.Ordinal);
        return paths;
    }

    private static DeltaTable WriteRoundTripTable(TempDirectory tmp, Dictionary<string, string> properties)
    {
        var table = DeltaTable.Create(tmp.Path, RoundTripTests.Schema, configuration: properties);
        var txn = table.NewTransaction(DeltaOperation.Append);
        txn.Write(RoundTripTests.Batch(0, 30));
        txn.Commit();
        return table;
    }

    [Fact]
    public void Default_indexes_every_leaf_of_a_small_schema()
    {
        using var tmp = new TempDirectory("stats-default");
        var stats = OnlyStats(WriteRoundTripTable(tmp, NoProperties));
        // Leaves with nullCount: every primitive leaf (arrays and maps get none); boolean/binary get no min/max.
        Leaves(stats, "nullCount").Should().Equal("amount", "at", "blob", "day", "flag", "id", "name", "nested.label", "nested.x", "ratio", "score", "site", "small", "tiny");
    }

    [Fact]
    public void NumIndexedCols_takes_the_first_leaves_in_schema_order_counting_nested_fields_one_by_one()
    {
        using var tmp = new TempDirectory("stats-numindexed");
        // Leaves: id name score small tiny ratio flag blob amount day at nested.x | nested.label tags attrs site
        var table = WriteRoundTripTable(tmp, Props(numIndexed: "12"));
        var stats = OnlyStats(table);
        stats["numRecords"]!.GetValue<long>().Should().Be(30);
        Leaves(stats, "nullCount").Should().Equal("amount", "at", "blob", "day", "flag", "id", "name", "nested.x", "ratio", "score", "small", "tiny");
        Leaves(stats, "minValues").Should().Equal("amount", "at", "day", "id", "name", "nested.x", "ratio", "score", "small", "tiny");
        Leaves(stats, "maxValues").Should().Equal(Leaves(stats, "minValues"));
        RoundTripTests.AssertValid(tmp.Path);
    }

    [Fact]
    public void NumIndexedCols_does_not_count_partition_columns()
    {
        using var tmp = new TempDirectory("stats-partition");
        var schema = new StructType(new StructField("site", DeltaType.String), new StructField("a", DeltaType.Long),
            new StructField("b", new StructType(new StructField("x", DeltaType.Integer), new StructField("y", DeltaType.String))),
            new StructField("c", DeltaType.Long));
        var table = DeltaTable.Create(tmp.Path, schema, ["site"], Props(numIndexed: "2"));
        var cols = new IList[] { new List<object?> { "s1", "s1" }, new List<object?> { 1L, 2L },
            new List<object?> { new Dictionary<string, object?> { ["x"] = 5, ["y"] = "q" }, null }, new List<object?> { 7L, 8L } };
        var txn = table.NewTransaction(DeltaOperation.Append);
        txn.Write(new ColumnBatch(schema, cols));
        txn.Commit();
        var stats = OnlyStats(table);
        Leaves(stats, "nullCount").Should().Equal("a", "b.x");
        stats["nullCount"]!["b"]!["x"]!.GetValue<long>().Should().Be(1);
        stats["maxValues"]!["a"]!.GetValue<long>().Should().Be(2);
        RoundTripTests.AssertValid(tmp.Path);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void NumIndexedCols_zero_writes_numRecords_only_and_minus_one_everything(string value)
    {
        using var tmp = new TempDirectory("stats-zero");
        var schema = new StructType(Enumerable.Range(0, 40).Select(i => new StructField("c" + i, DeltaType.Long)).ToArray());
        var table = DeltaTable.Create(tmp.Path, schema, configuration: Props(numIndexed: value));
        var txn = table.NewTransaction(DeltaOperation.Append);
        txn.Write(new ColumnBatch(schema, schema.Fields.Select(_ => (IList)new List<object?> { 1L, null, 3L }).ToArray()));
        txn.Commit();
        var stats = OnlyStats(table);
        stats["numRecords"]!.GetValue<long>().Should().Be(3);
        if (value == "0")
            stats.Select(kv => kv.Key).Should().Equal("numRecords"); // as Spark writes it
        else
            Leaves(stats, "minValues").Should().HaveCount(40, "-1 indexes all 40 columns, past the default 32");
        RoundTripTests.AssertValid(tmp.Path);
    }

    [Fact]
    public void Default_stops_at_32_leaf_columns()
    {
        using var tmp = new TempDirectory("stats-32");
        var schema = new StructType(Enumerable.Range(0, 40).Select(i => new StructField("c" + i, DeltaType.Long)).ToArray());
        var table = DeltaTable.Create(tmp.Path, schema);
        var txn = table.NewTransaction(DeltaOperation.Append);
        txn.Write(new ColumnBatch(schema, schema.Fields.Select(_ => (IList)new List<object?> { 1L }).ToArray()));
        txn.Commit();
        Leaves(OnlyStats(table), "nullCount").Should().BeEquivalentTo(Enumerable.Range(0, 32).Select(i => "c" + i));
    }

    [Fact]
    public void StatsColumns_picks_named_flat_and_nested_columns_and_wins_over_NumIndexedCols()
    {
        using var tmp = new TempDirectory("stats-named");
        var table = WriteRoundTripTable(tmp, Props(numIndexed: "1", statsColumns: " site , NESTED.label,`at`"));
        var stats = OnlyStats(table);
        Leaves(stats, "nullCount").Should().Equal("at", "nested.label", "site");
        Leaves(stats, "minValues").Should().Equal("at", "nested.label", "site");
        stats.ContainsKey("numRecords").Should().BeTrue();
        RoundTripTests.AssertValid(tmp.Path);
    }

    [Fact]
    public void StatsColumns_naming_a_struct_covers_all_its_fields()
    {
        using var tmp = new TempDirectory("stats-struct");
        var stats = OnlyStats(WriteRoundTripTable(tmp, Props(statsColumns: "nested,id")));
        Leaves(stats, "nullCount").Should().Equal("id", "nested.label", "nested.x");
    }

    [Fact]
    public void Streamed_file_and_added_file_honour_StatsColumns()
    {
        using var tmp = new TempDirectory("stats-paths");
        var schema = new StructType(new StructField("id", DeltaType.Long), new StructField("name", DeltaType.String),
            new StructField("body", DeltaType.String), new StructField("at", DeltaType.Timestamp));
        var table = DeltaTable.Create(tmp.Path, schema, configuration: Props(statsColumns: "id,at"));

        var txn = table.NewTransaction(DeltaOperation.Append);
        using (var file = txn.OpenFile())
        {
            for (int g = 0; g < 3; g++)
                file.Write(new ColumnBatch(schema, [
                    new List<object?> { (long)g * 2, (long)g * 2 + 1 }, new List<object?> { "n" + g, null },
                    new List<object?> { "secret text " + g, "more" }, new List<object?> { new DateTime(2024, 1, 1, 0, 0, g, DateTimeKind.Utc), null }]));
            file.Complete();
        }
        txn.Commit();
        var streamed = OnlyStats(table);
        streamed["numRecords"]!.GetValue<long>().Should().Be(6);
        Leaves(streamed, "nullCount").Should().Equal("at", "id");
        streamed["maxValues"]!["id"]!.GetValue<long>().Should().Be(5);
        streamed.ToJsonString().Should().NotContain("secret");

        string external = Path.Combine(tmp.Path, "part-duckdb-0.parquet");
        using (var conn = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:"))
        {
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = $"COPY (SELECT i::BIGINT AS id, 'n' || i AS name, 'secret ' || i AS body, TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS at FROM range(10) t(i)) TO '{external}' (FORMAT parquet)";
            cmd.ExecuteNonQuery();
        }
        var add = table.NewTransaction(DeltaOperation.Append);
        add.AddFile(external);
        add.Commit();
        var described = JsonNode.Parse(table.Snapshot().ActiveFiles.Single(f => f.LogPath.Contains("duckdb", StringComparison.Ordinal)).StatsJson!)!.AsObject();
        described["numRecords"]!.GetValue<long>().Should().Be(10);
        Leaves(described, "nullCount").Should().Equal("at", "id");
        described["minValues"]!["at"]!.GetValue<string>().Should().Be("2024-01-01T00:00:00.000Z");
        described.ToJsonString().Should().NotContain("secret");

        table.Snapshot().ReadRows().Should().HaveCount(16);
        RoundTripTests.AssertValid(tmp.Path);
    }

    [Fact]
    public void Partial_stats_survive_checkpoints_and_readers_still_see_every_row()
    {
        using var tmp = new TempDirectory("stats-readers");
        var table = DeltaTable.Create(tmp.Path, RoundTripTests.Schema, configuration: Props(statsColumns: "id"));
        for (int b = 0; b < 3; b++)
        {
            var txn = table.NewTransaction(DeltaOperation.Append);
            txn.Write(RoundTripTests.Batch(b * 20, 20));
            txn.Commit();
        }
        var before = table.Snapshot().ActiveFiles.ToDictionary(f => f.LogPath, f => f.StatsJson);
        table.Checkpoint();
        var snapshot = table.Snapshot();
        snapshot.Segment.CheckpointVersion.Should().Be(3, "the snapshot must come from the checkpoint");
        snapshot.ActiveFiles.ToDictionary(f => f.LogPath, f => f.StatsJson).Should().Equal(before);
        snapshot.ActiveFiles.Sum(f => f.NumRecords!.Value).Should().Be(60);

        // No skipping on a column without stats: a filter on name (no stats) must see rows of every file.
        var rows = snapshot.ReadRows();
        rows.Should().HaveCount(60);
        var files = snapshot.ActiveFiles.Select(f => f.AbsolutePath).ToList();
        TestSupport.DuckDbRows(files, ["id", "name"]).Should().HaveCount(60);
        using (var conn = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:"))
        {
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT count(*) FROM read_parquet([{string.Join(", ", files.Select(f => "'" + f + "'"))}]) WHERE name LIKE 'name-%'";
            Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)
                .Should().Be(rows.LongCount(r => r["name"] is string s && s.StartsWith("name-", StringComparison.Ordinal)));
        }
        RoundTripTests.AssertValid(tmp.Path);
    }

    [Theory]
    [InlineData(DataSkippingProperties.NumIndexedCols, "abc", "integer >= -1")]
    [InlineData(DataSkippingProperties.NumIndexedCols, "-2", "integer >= -1")]
    [InlineData(DataSkippingProperties.NumIndexedCols, "1.5", "integer >= -1")]
    [InlineData(DataSkippingProperties.StatsColumns, "id,nope", "'nope', which is not in the table schema")]
    [InlineData(DataSkippingProperties.StatsColumns, "nested.nope", "'nested.nope', which is not in the table schema")]
    [InlineData(DataSkippingProperties.StatsColumns, "id.x", "'id.x', which is not in the table schema")]
    [InlineData(DataSkippingProperties.StatsColumns, "tags", "an array")]
    [InlineData(DataSkippingProperties.StatsColumns, "attrs", "a map")]
    [InlineData(DataSkippingProperties.StatsColumns, "id,,name", "empty column name")]
    [InlineData(DataSkippingProperties.StatsColumns, "", "empty column name")]
    [InlineData(DataSkippingProperties.StatsColumns, "id,ID", "twice")]
    [InlineData(DataSkippingProperties.StatsColumns, "nested,nested.x", "twice")]
    [InlineData(DataSkippingProperties.StatsColumns, "`id", "unclosed back-quote")]
    [InlineData(DataSkippingProperties.StatsColumns, "site", "partition column")]
    public void Invalid_values_are_refused_at_creation_naming_the_property(string property, string value, string reason)
    {
        using var tmp = new TempDirectory("stats-invalid");
        var create = () => DeltaTable.Create(tmp.Path, RoundTripTests.Schema, ["site"], new Dictionary<string, string> { [property] = value });
        create.Should().Throw<DeltaException>()
            .Where(e => e.Kind == DeltaErrorKind.InvalidArgument && e.Message.Contains(property, StringComparison.Ordinal) && e.Message.Contains(reason, StringComparison.Ordinal));
        DeltaTable.Exists(tmp.Path).Should().BeFalse("nothing is committed");
    }

    [Fact]
    public void A_bad_value_in_a_table_written_elsewhere_is_refused_at_write_not_ignored()
    {
        using var tmp = new TempDirectory("stats-foreign");
        var table = DeltaTable.Create(tmp.Path, RoundTripTests.Schema, configuration: Props(statsColumns: "id"));
        // Another writer's table: same log, a property value we refuse.
        string commit0 = Path.Combine(tmp.Path, "_delta_log", "00000000000000000000.json");
        File.WriteAllText(commit0, File.ReadAllText(commit0).Replace("\"delta.dataSkippingStatsColumns\":\"id\"", "\"delta.dataSkippingStatsColumns\":\"gone\"", StringComparison.Ordinal));
        var txn = table.NewTransaction(DeltaOperation.Append);
        var write = () => txn.Write(RoundTripTests.Batch(0, 5));
        write.Should().Throw<DeltaException>().Where(e => e.Message.Contains(DataSkippingProperties.StatsColumns, StringComparison.Ordinal));
        table.Snapshot().ReadRows().Should().BeEmpty("reads do not depend on the property");
    }
}
