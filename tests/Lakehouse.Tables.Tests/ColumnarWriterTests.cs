using System.Collections;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Lakehouse.Tables.Parquet;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;

namespace Lakehouse.Tables.Tests;

/// <summary>
/// The column-by-column writer (flat columns and arrays of fixed-width values, as bronze.dicom_instances has) writes
/// exactly what DuckDB and our reader read back: null arrays, empty arrays, null elements; and the column statistics it
/// gathers without row dictionaries are the protocol's.
/// </summary>
public sealed class ColumnarWriterTests
{
    private static readonly StructType Schema = new(
        new StructField("id", DeltaType.Long, Nullable: false),
        new StructField("name", DeltaType.String),
        new StructField("spacing", new ArrayType(DeltaType.Double, ContainsNull: false)),
        new StructField("counts", new ArrayType(DeltaType.Long, ContainsNull: true)),
        new StructField("days", new ArrayType(DeltaType.Date, ContainsNull: false)),
        new StructField("at", DeltaType.Timestamp));

    private static ColumnBatch Batch(int count)
    {
        var cols = Schema.Fields.Select(_ => (IList)new List<object?>()).ToArray();
        for (int i = 0; i < count; i++)
        {
            object?[] row =
            [
                (long)i,
                i % 4 == 1 ? null : "n" + (char)('a' + i % 26) + i,
                (i % 5) switch { 0 => null, 1 => new double[0], _ => new[] { 0.5 + i, 0.25 } },
                (i % 3) switch { 0 => null, 1 => new List<object?> { (long)i, null, -7L }, _ => new List<object?>() },
                i % 2 == 0 ? new List<object?> { new DateOnly(2020, 1, 1).AddDays(i) } : null,
                new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i),
            ];
            for (int c = 0; c < cols.Length; c++) cols[c].Add(row[c]);
        }
        return new ColumnBatch(Schema, cols);
    }

    [Fact]
    public void Arrays_of_fixed_width_values_take_the_columnar_path()
    {
        ColumnarWriter.Supports(Schema.Fields).Should().BeTrue();
        ColumnarWriter.Supports([new StructField("tags", new ArrayType(DeltaType.String))]).Should().BeFalse("string arrays go through the row serializer");
    }

    [Fact]
    public void Null_empty_and_null_element_arrays_read_back_identically_in_duckdb_and_our_reader()
    {
        using var tmp = new TempDirectory("delta-columnar");
        var table = DeltaTable.Create(tmp.Path, Schema);
        var batch = Batch(40);
        var txn = table.NewTransaction(DeltaOperation.Append);
        txn.Write(batch);
        txn.Commit();
        var snapshot = table.Snapshot();
        var columns = Schema.Fields.Select(f => f.Name).ToList();
        // DuckDB.NET cannot hand a list holding a null to .NET, and our row reader drops null elements (Parquet.Net 6.1's
        // untyped reader): the array with null elements is compared as DuckDB's text, the others value by value.
        var noNullElements = columns.Where(c => c != "counts").ToList();
        var expected = TestSupport.Rendered(Enumerable.Range(0, batch.RowCount).Select(batch.Row), noNullElements);
        expected.Should().Contain(r => r.Contains("|[]|", StringComparison.Ordinal), "the fixture has empty arrays");
        TestSupport.DuckDbRows(snapshot.ActiveFiles.Select(f => f.AbsolutePath), noNullElements).Should().Equal(expected);
        TestSupport.Rendered(snapshot.ReadRows(), noNullElements).Should().Equal(expected);
        string file = snapshot.ActiveFiles.Single().AbsolutePath;
        DuckDbCounts(file).Should().Equal(Enumerable.Range(0, batch.RowCount).Select(i => (i % 3) switch
        {
            0 => "null",
            1 => $"[{i}, NULL, -7]",
            _ => "[]",
        }));
        RoundTripTests.AssertValid(tmp.Path);
    }

    private static List<string> DuckDbCounts(string file)
    {
        using var conn = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT coalesce(CAST(counts AS VARCHAR), 'null') FROM read_parquet('{file.Replace("'", "''", StringComparison.Ordinal)}') ORDER BY id";
        using var reader = cmd.ExecuteReader();
        var values = new List<string>();
        while (reader.Read()) values.Add(reader.GetString(0));
        return values;
    }

    [Fact]
    public void Statistics_gathered_column_by_column_are_the_protocols()
    {
        using var tmp = new TempDirectory("delta-columnar-stats");
        var table = DeltaTable.Create(tmp.Path, Schema);
        var txn = table.NewTransaction(DeltaOperation.Append);
        txn.Write(Batch(40));
        txn.Commit();
        var stats = JsonNode.Parse(table.Snapshot().ActiveFiles.Single().StatsJson!)!;
        stats["numRecords"]!.GetValue<long>().Should().Be(40);
        stats["nullCount"]!["name"]!.GetValue<long>().Should().Be(10);
        stats["minValues"]!["id"]!.GetValue<long>().Should().Be(0);
        stats["maxValues"]!["id"]!.GetValue<long>().Should().Be(39);
        stats["minValues"]!["name"]!.GetValue<string>().Should().Be("na0");
        stats["maxValues"]!["name"]!.GetValue<string>().Should().Be("ny24");
        stats["maxValues"]!["at"]!.GetValue<string>().Should().Be("2025-01-01T00:00:39.000Z");
        stats["nullCount"]!.AsObject().ContainsKey("spacing").Should().BeFalse("arrays get no statistics");
    }

    [Fact]
    public void Ordinal_shortcut_orders_strings_as_their_UTF8_bytes()
    {
        // Surrogates (U+10000 and up) sort above U+E000..U+FFFF in UTF-8 but below them in UTF-16: the case the shortcut fixes.
        char[] alphabet = ['a', 'b', 'é', '\uE000', '\uFFFD', '\uD83D', '\uDE00', '\uD800', '\uDC00', '{', '"'];
        var text = Gen.ArrayOf(Gen.Elements(alphabet)).Select(a => WellFormed(new string(a)));
        Prop.ForAll(Arb.From(text), Arb.From(text), (a, b) =>
            Math.Sign(BoxedStatsReference.Utf8Order(a, b)) == Math.Sign(Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b))))
            .QuickCheckThrowOnFailure();
        BoxedStatsReference.Utf8Order("\uFFFD", "😀").Should().BeNegative();
        BoxedStatsReference.Utf8Order("ab", "abc").Should().BeNegative();
        BoxedStatsReference.Utf8Order("abc", "abc").Should().Be(0);
    }

    // Lone surrogates have no UTF-8 form; pair them up so the oracle is defined.
    private static string WellFormed(string s)
    {
        var sb = new StringBuilder();
        foreach (char c in s)
        {
            if (char.IsHighSurrogate(c)) sb.Append(c).Append('\uDE00');
            else if (char.IsLowSurrogate(c)) sb.Append('\uD83D').Append(c);
            else sb.Append(c);
        }
        return sb.ToString();
    }
}

/// <summary>A transaction's data file written a row group at a time (what ingestion streams into).</summary>
public sealed class DeltaFileWriterTests
{
    private static readonly StructType Schema = new(
        new StructField("id", DeltaType.Long, Nullable: false),
        new StructField("name", DeltaType.String),
        new StructField("spacing", new ArrayType(DeltaType.Double, ContainsNull: false)));

    private static ColumnBatch Rows(int start, int count)
    {
        var cols = Schema.Fields.Select(_ => (IList)new List<object?>()).ToArray();
        for (int i = start; i < start + count; i++)
        {
            cols[0].Add((long)i);
            cols[1].Add(i % 5 == 0 ? null : "n" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
            cols[2].Add(i % 3 == 0 ? null : new[] { i * 0.5, 1.0 });
        }
        return new ColumnBatch(Schema, cols);
    }

    [Fact]
    public void Row_groups_streamed_into_one_file_commit_as_one_file_with_statistics_over_all_of_them()
    {
        using var tmp = new TempDirectory("delta-stream");
        var table = DeltaTable.Create(tmp.Path, Schema);
        var txn = table.NewTransaction(DeltaOperation.Append);
        using (var file = txn.OpenFile())
        {
            file.Write(Rows(0, 100));
            file.Write(Rows(100, 0));
            file.Write(Rows(100, 57));
            file.RowCount.Should().Be(157);
            file.Complete();
        }
        txn.Commit().Should().Be(1);
        var snapshot = table.Snapshot();
        var added = snapshot.ActiveFiles.Should().ContainSingle().Subject;
        var stats = JsonNode.Parse(added.StatsJson!)!;
        stats["numRecords"]!.GetValue<long>().Should().Be(157);
        stats["minValues"]!["id"]!.GetValue<long>().Should().Be(0);
        stats["maxValues"]!["id"]!.GetValue<long>().Should().Be(156);
        stats["nullCount"]!["name"]!.GetValue<long>().Should().Be(32);
        var columns = Schema.Fields.Select(f => f.Name).ToList();
        var expected = TestSupport.Rendered(Enumerable.Range(0, 157).Select(Rows(0, 157).Row), columns);
        TestSupport.DuckDbRows([added.AbsolutePath], columns).Should().Equal(expected);
        TestSupport.Rendered(snapshot.ReadRows(), columns).Should().Equal(expected);
        RoundTripTests.AssertValid(tmp.Path);
    }

    [Fact]
    public void A_file_never_completed_is_deleted_and_an_empty_one_is_not_added()
    {
        using var tmp = new TempDirectory("delta-stream-abandon");
        var table = DeltaTable.Create(tmp.Path, Schema);
        var txn = table.NewTransaction(DeltaOperation.Append);
        using (var abandoned = txn.OpenFile()) abandoned.Write(Rows(0, 10));
        using (var empty = txn.OpenFile()) empty.Complete();
        txn.Adds.Should().BeEmpty();
        Directory.GetFiles(tmp.Path, "*.parquet").Should().BeEmpty("neither the abandoned nor the empty file stays on disk");
    }

    [Fact]
    public void Partitioned_or_nested_tables_are_refused_with_the_reason()
    {
        using var tmp = new TempDirectory("delta-stream-refused");
        var partitioned = DeltaTable.Create(Path.Combine(tmp.Path, "p"), new StructType(new StructField("id", DeltaType.Long), new StructField("site", DeltaType.String)), ["site"]);
        var act = () => partitioned.NewTransaction(DeltaOperation.Append).OpenFile();
        act.Should().Throw<DeltaException>().WithMessage("*unpartitioned*");
        var nested = DeltaTable.Create(Path.Combine(tmp.Path, "n"), new StructType(new StructField("tags", new ArrayType(DeltaType.String))));
        act = () => nested.NewTransaction(DeltaOperation.Append).OpenFile();
        act.Should().Throw<DeltaException>().WithMessage("*flat columns*");
    }
}
