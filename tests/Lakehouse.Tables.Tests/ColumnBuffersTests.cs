using System.Collections;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;

namespace Lakehouse.Tables.Tests;

/// <summary>
/// <see cref="ColumnBuffers"/> refuses what it cannot hold with a message naming the column (and row), never the value;
/// a failed or half-built row can be dropped and the buffers go on; conversions match the Parquet writer's.
/// </summary>
public sealed class ColumnBuffersTests
{
    private static readonly StructType Schema = new(
        new StructField("id", DeltaType.Long, Nullable: false),
        new StructField("patient_name", DeltaType.String),
        new StructField("counts", new ArrayType(DeltaType.Long, ContainsNull: true)));

    [Fact]
    public void A_row_with_a_missing_value_is_refused_at_EndRow_naming_the_column_and_can_be_discarded()
    {
        var buffers = new ColumnBuffers(Schema);
        buffers.Column<FixedColumnBuffer<long>>(0).Append(1L);
        buffers.Column<Utf8ColumnBuffer>(1).Append("DOE^JANE");
        buffers.Invoking(b => b.EndRow()).Should().Throw<InvalidOperationException>()
            .WithMessage("column 'counts' has 0 values for row 0 (expected 1)*");
        buffers.DiscardRow();
        buffers.Column(1).Count.Should().Be(0);
        buffers.Column<Utf8ColumnBuffer>(1).Data.Length.Should().Be(0);

        buffers.Column<FixedColumnBuffer<long>>(0).Append(2L);
        buffers.Column<Utf8ColumnBuffer>(1).Append((string?)null);
        buffers.Column<FixedArrayColumnBuffer<long>>(2).Append([7L, 8L]);
        buffers.EndRow();
        buffers.Column<FixedColumnBuffer<long>>(0).Append(3L);
        buffers.Column<FixedColumnBuffer<long>>(0).Append(4L); // two values for one row
        buffers.Column<Utf8ColumnBuffer>(1).Append("x");
        buffers.Column<FixedArrayColumnBuffer<long>>(2).Append([9L]);
        buffers.Invoking(b => b.EndRow()).Should().Throw<InvalidOperationException>().WithMessage("column 'id' has 2 values for row 1 (expected 1)*");
        buffers.DiscardRow();

        buffers.RowCount.Should().Be(1);
        buffers.Column(1).NullCount.Should().Be(1);
        buffers.Column<FixedArrayColumnBuffer<long>>(2).Elements.ToArray().Should().Equal(7L, 8L);
        var batch = buffers.ToColumnBatch();
        batch.Columns[0].Cast<object>().Should().Equal(2L);
        batch.Columns[1][0].Should().BeNull();
        batch.Columns[2][0].Should().BeEquivalentTo(new List<object> { 7L, 8L });
    }

    [Fact]
    public void Null_in_a_non_nullable_column_is_refused_naming_it()
    {
        var buffers = new ColumnBuffers(Schema);
        buffers.Column(0).Invoking(c => c.AppendNull()).Should().Throw<InvalidOperationException>().WithMessage("null in non-nullable column 'id'");
        ColumnBuffersFrom([null], ["DOE^JANE"], [null]).Should().Be("row 0 of the batch: null in non-nullable column 'id'");
    }

    [Theory]
    [InlineData("decimal(10,2)")]
    [InlineData("map")]
    [InlineData("struct")]
    [InlineData("array<string>")]
    public void Unsupported_types_are_refused_naming_the_column(string kind)
    {
        DeltaType type = kind switch
        {
            "decimal(10,2)" => new DecimalType(10, 2),
            "map" => new MapType(DeltaType.String, DeltaType.Long, ValueContainsNull: true),
            "struct" => new StructType(new StructField("x", DeltaType.Long)),
            _ => new ArrayType(DeltaType.String, ContainsNull: true),
        };
        var act = () => new ColumnBuffers(new StructType(new StructField("id", DeltaType.Long), new StructField("study_extra", type)));
        act.Should().Throw<NotSupportedException>().WithMessage("column 'study_extra' of type * has no typed buffer (use ColumnBatch)");
    }

    [Fact]
    public void Wrong_shapes_from_a_batch_are_refused_naming_column_and_row_but_never_the_value()
    {
        ColumnBuffersFrom([1L, 2L], ["a", 12345L], [null, null])
            .Should().Be("row 1 of the batch: column 'patient_name' of type string cannot hold a Int64");
        string message = ColumnBuffersFrom([1L, "DOE^JANE"], ["a", "b"], [null, null]);
        message.Should().Be("row 1 of the batch: column 'id' of type long cannot hold that String value (FormatException)");
        ColumnBuffersFrom([1L], ["a"], [new List<object?> { 1L, null }])
            .Should().Be("row 0 of the batch: null element in array column 'counts' (typed buffers keep none)");
        ColumnBuffersFrom([1L], ["a"], [new List<object?> { 1L, "PATIENT-0042" }])
            .Should().Be("row 0 of the batch: column 'counts' of type array<long> cannot hold that String value (FormatException)");
    }

    // The message of From(batch)'s failure; the rows before the failing one stay, the failing one is gone.
    private static string ColumnBuffersFrom(List<object?> ids, List<object?> names, List<object?> counts)
    {
        var batch = new ColumnBatch(Schema, [ids, names, counts]);
        var buffers = new ColumnBuffers(Schema);
        var e = buffers.Invoking(b => b.Append(batch)).Should().Throw<InvalidOperationException>().Which;
        foreach (object? v in ids.Concat(names).Concat(counts.OfType<IList>().SelectMany(l => l.Cast<object?>())))
            if (v is string { Length: > 3 } s) e.ToString().Should().NotContain(s, "no value may reach an error (PHI)");
        buffers.RowCount.Should().Be(ids.Count - 1);
        for (int c = 0; c < 3; c++) buffers.Column(c).Count.Should().Be(buffers.RowCount);
        return e.Message;
    }

    [Fact]
    public void Append_takes_chosen_rows_in_order_and_matches_columns_by_name()
    {
        var other = new StructType(new StructField("extra", DeltaType.String), new StructField("id", DeltaType.Long));
        var batch = new ColumnBatch(other, [new List<object?> { "x", "y", "z" }, new List<object?> { 10L, 11L, 12L }]);
        var buffers = new ColumnBuffers(Schema);
        buffers.Append(batch, [2, 0]);
        var back = buffers.ToColumnBatch();
        back.Columns[0].Cast<object>().Should().Equal(12L, 10L);
        back.Columns[1].Cast<object?>().Should().HaveCount(2).And.OnlyContain(v => v == null); // not in the batch: null
        back.Columns[2].Cast<object?>().Should().HaveCount(2).And.OnlyContain(v => v == null);
    }

    [Fact]
    public void Column_of_the_wrong_kind_names_the_column()
    {
        var buffers = new ColumnBuffers(Schema);
        buffers.Invoking(b => b.Column<FixedColumnBuffer<int>>(0)).Should().Throw<InvalidCastException>()
            .WithMessage("column 'id' of type long is a FixedColumnBuffer<Int64>, not a FixedColumnBuffer<Int32>");
        buffers.IndexOf("patient_name").Should().Be(1);
        buffers.IndexOf("Patient_Name").Should().Be(-1);
    }

    [Fact]
    public void Commit_beyond_the_reserved_span_is_refused()
    {
        var column = new ColumnBuffers(Schema).Column<Utf8ColumnBuffer>(1);
        "é😀"u8.CopyTo(column.Reserve(8));
        column.Commit(6);
        column.ValueAt(0).Should().Be("é😀");
        column.Invoking(c => c.Commit(1)).Should().Throw<InvalidOperationException>().WithMessage("column 'patient_name': Commit(1) after Reserve(-1)");
        column.Reserve(2);
        column.Invoking(c => c.Commit(3)).Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Conversions_follow_the_parquet_writer()
    {
        // Before 1970 sub-microsecond ticks round down too (floor), so a truncated value never lies above the exact one.
        ColumnBuffer.TimestampValue(new DateTime(DateTime.UnixEpoch.Ticks - 5, DateTimeKind.Utc)).Should().Be(-1);
        ColumnBuffer.TimestampValue(new DateTime(DateTime.UnixEpoch.Ticks + 15, DateTimeKind.Utc)).Should().Be(1);
        ColumnBuffer.TimestampValue(DateTime.MinValue).Should().Be(-DateTime.UnixEpoch.Ticks / 10);
        ColumnBuffer.DateValue(new DateOnly(1969, 12, 31)).Should().Be(-1);

        var schema = new StructType(new StructField("at", DeltaType.Timestamp), new StructField("n", DeltaType.Integer), new StructField("x", DeltaType.Float));
        var offset = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2));
        var buffers = ColumnBuffers.From(new ColumnBatch(schema, [new List<object?> { offset }, new List<object?> { 7L }, new List<object?> { 0.5 }]));
        var back = buffers.ToColumnBatch();
        back.Columns[0][0].Should().Be(offset.UtcDateTime);
        ((DateTime)back.Columns[0][0]!).Kind.Should().Be(DateTimeKind.Utc);
        back.Columns[1][0].Should().Be(7);
        back.Columns[2][0].Should().Be(0.5f);
    }

    [Fact]
    public void Clear_keeps_working_after_growth()
    {
        var buffers = new ColumnBuffers(Schema);
        for (int round = 0; round < 3; round++)
        {
            buffers.Clear();
            for (int i = 0; i < 1000; i++)
            {
                buffers.Column<FixedColumnBuffer<long>>(0).Append(i);
                buffers.Column<Utf8ColumnBuffer>(1).Append(i % 3 == 0 ? null : new string('x', i % 50));
                if (i % 7 == 0) buffers.Column(2).AppendNull();
                else buffers.Column<FixedArrayColumnBuffer<long>>(2).Append(Enumerable.Range(0, i % 5).Select(x => (long)x).ToArray());
                buffers.EndRow();
            }
            buffers.RowCount.Should().Be(1000);
            buffers.Column(1).NullCount.Should().Be(334);
            buffers.Column<Utf8ColumnBuffer>(1).Value(998).Length.Should().Be(998 % 50);
            buffers.Column<FixedArrayColumnBuffer<long>>(2).Ends[999].Should().Be(Enumerable.Range(0, 1000).Where(i => i % 7 != 0).Sum(i => i % 5));
        }
    }
}
