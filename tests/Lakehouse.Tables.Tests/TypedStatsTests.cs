using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Lakehouse.Tables.Parquet;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;

namespace Lakehouse.Tables.Tests;

/// <summary>
/// <see cref="StatsCollector.Add(ColumnBuffers)"/> (typed: null flags, UTF-8 bytes, days, microseconds) writes the same
/// statistics JSON as the boxed <see cref="StatsCollector.Add(ColumnBatch, IReadOnlyList{int})"/> and as the boxed
/// implementation that came before it (<see cref="BoxedStatsReference"/>), over random rows of every supported type with
/// nulls, NaN/infinities, non-ASCII and astral-plane strings, strings past the 32-code-point cut and extreme dates and
/// timestamps, across several Add calls and when one file gets both kinds of rows.
/// </summary>
public sealed class TypedStatsTests
{
    internal static readonly StructType Schema = new(
        new StructField("id", DeltaType.Long, Nullable: false),
        new StructField("series", DeltaType.Integer),
        new StructField("small", DeltaType.Short),
        new StructField("tiny", DeltaType.Byte),
        new StructField("ratio", DeltaType.Float),
        new StructField("score", DeltaType.Double),
        new StructField("flag", DeltaType.Boolean),
        new StructField("blob", DeltaType.Binary),
        new StructField("name", DeltaType.String),
        new StructField("day", DeltaType.Date),
        new StructField("at", DeltaType.Timestamp),
        new StructField("local_at", DeltaType.TimestampNtz),
        new StructField("spacing", new ArrayType(DeltaType.Double, ContainsNull: false)));

    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(150);

    // ---- generators -------------------------------------------------------------------------------------------------

    private static Gen<long> Long =>
        Gen.Frequency((6, Gen.Choose(-1000, 1000).Select(i => (long)i)),
            (3, Gen.Two(Gen.Choose(int.MinValue, int.MaxValue)).Select(t => ((long)t.Item1 << 32) ^ (uint)t.Item2)),
            (1, Gen.Elements(long.MinValue, long.MaxValue, 0L, -1L)));

    private static Gen<double> Double =>
        Gen.Frequency((20, Gen.Choose(-100_000, 100_000).Select(i => i / 8.0)),
            (4, Long.Select(l => BitConverter.Int64BitsToDouble(l))),
            (2, Gen.Elements(0.0, -0.0, double.MaxValue, double.MinValue, double.Epsilon, -double.Epsilon)),
            (1, Gen.Elements(double.NaN, double.PositiveInfinity, double.NegativeInfinity)));

    private static Gen<float> Float => Double.Select(d => (float)d);

    // Code points whose UTF-16 and UTF-8 orders disagree (U+E000.. vs surrogate pairs), multi-byte ones and the top one.
    private static readonly string[] CodePoints = ["a", "b", "z", "\"", "\\", "\u0001", "é", "ß", "\u4E2D", "\uE000", "\uFFFD", "\uFFFF", "😀", "\U00010000", "\U0010FFFF"];

    private static Gen<string> Text =>
        Gen.Frequency((4, Gen.Choose(0, 8)), (2, Gen.Choose(28, 36)), (1, Gen.Choose(100, 300)))
            .SelectMany(n => Gen.ArrayOf(Gen.Elements(CodePoints), n)).Select(parts => string.Concat(parts));

    private static Gen<DateOnly> Date =>
        Gen.Frequency((6, Gen.Choose(-30_000, 30_000).Select(d => DateOnly.FromDayNumber(719_162 + d))),
            (3, Gen.Choose(0, DateOnly.MaxValue.DayNumber).Select(DateOnly.FromDayNumber)),
            (1, Gen.Elements(DateOnly.MinValue, DateOnly.MaxValue, new DateOnly(1970, 1, 1), new DateOnly(1969, 12, 31))));

    // Microsecond precision (what a file holds), ms-exact values and the ends of DateTime's range.
    private static Gen<DateTime> Time(DateTimeKind kind) =>
        Gen.Frequency(
            (6, Gen.Two(Gen.Choose(-2_000_000, 2_000_000)).Select(t => DateTime.UnixEpoch.Ticks + t.Item1 * TimeSpan.TicksPerSecond + t.Item2 * 10L)),
            (2, Gen.Choose(-2000, 2000).Select(s => DateTime.UnixEpoch.Ticks + s * TimeSpan.TicksPerMillisecond)),
            (2, Gen.Two(Gen.Choose(0, int.MaxValue)).Select(t => ((long)t.Item1 << 31 | (uint)t.Item2) % (DateTime.MaxValue.Ticks / 10) * 10)),
            (1, Gen.Elements(0L, DateTime.MaxValue.Ticks / 10 * 10, (DateTime.MaxValue.Ticks / 10 - 1000) * 10, 10L)))
        .Select(ticks => new DateTime(ticks, kind));

    private static Gen<object?> Nullable<T>(Gen<T> value, int nullWeight = 1) =>
        Gen.Frequency((4, value.Select(v => (object?)v)), (nullWeight, Gen.Constant<object?>(null)));

    /// <summary>One random row in the CLR shapes of <see cref="Schema"/>.</summary>
    private static Gen<object?[]> Row
    {
        get
        {
            Gen<object?>[] columns =
            [
                Long.Select(v => (object?)v),
                Nullable(Gen.Choose(int.MinValue, int.MaxValue)),
                Nullable(Gen.Choose(short.MinValue, short.MaxValue).Select(i => (short)i)),
                Nullable(Gen.Choose(sbyte.MinValue, sbyte.MaxValue).Select(i => (sbyte)i)),
                Nullable(Float),
                Nullable(Double),
                Nullable(Gen.Elements(true, false)),
                Nullable(Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), 3)),
                Nullable(Text),
                Nullable(Date),
                Nullable(Time(DateTimeKind.Utc)),
                Nullable(Time(DateTimeKind.Unspecified)),
                Nullable(Gen.Choose(0, 4).SelectMany(n => Gen.ListOf(Double.Where(double.IsFinite), n)).Select(l => l.Select(x => (object)x).ToList())),
            ];
            return Gen.CollectToArray(columns.Select(g => g));
        }
    }

    /// <summary>Several Add calls' worth of rows (some empty).</summary>
    private static Arbitrary<List<List<object?[]>>> Calls =>
        Arb.From(Gen.Choose(1, 5).SelectMany(calls => Gen.ListOf(Gen.Choose(0, 40).SelectMany(n => Gen.ListOf(Row, n).Select(r => r.ToList())), calls))
            .Select(c => c.ToList()));

    // ---- helpers ----------------------------------------------------------------------------------------------------

    internal static ColumnBatch Batch(StructType schema, IReadOnlyList<object?[]> rows) =>
        new(schema, Enumerable.Range(0, schema.Fields.Count).Select(c => (IList)rows.Select(r => r[c]).ToList()).ToArray());

    /// <summary>Appends rows through the typed API (what ingestion does), not through <see cref="ColumnBuffers.Append(ColumnBatch)"/>.</summary>
    internal static void AppendTyped(ColumnBuffers buffers, IEnumerable<object?[]> rows)
    {
        foreach (var row in rows)
        {
            for (int c = 0; c < row.Length; c++)
            {
                var column = buffers.Column(c);
                if (row[c] is null) { column.AppendNull(); continue; }
                switch (column, row[c])
                {
                    case (FixedColumnBuffer<long> b, long v): b.Append(v); break;
                    case (FixedColumnBuffer<long> b, DateTime v): b.Append(ColumnBuffer.TimestampValue(v)); break;
                    case (FixedColumnBuffer<int> b, int v): b.Append(v); break;
                    case (FixedColumnBuffer<int> b, DateOnly v): b.Append(ColumnBuffer.DateValue(v)); break;
                    case (FixedColumnBuffer<short> b, short v): b.Append(v); break;
                    case (FixedColumnBuffer<sbyte> b, sbyte v): b.Append(v); break;
                    case (FixedColumnBuffer<float> b, float v): b.Append(v); break;
                    case (FixedColumnBuffer<double> b, double v): b.Append(v); break;
                    case (FixedColumnBuffer<bool> b, bool v): b.Append(v); break;
                    case (Utf8ColumnBuffer b, string v): b.Append(v); break;
                    case (Utf8ColumnBuffer b, byte[] v): b.Append(v.AsSpan()); break;
                    case (FixedArrayColumnBuffer<double> b, List<object> v): b.Append(v.Select(x => (double)x).ToArray().AsSpan()); break;
                    default: throw new InvalidOperationException($"test: no typed append for {column.GetType().Name} and {row[c]!.GetType().Name}");
                }
            }
            buffers.EndRow();
        }
    }

    private static StatsCollector Collector(StructType schema) => new(schema.Fields, StatsColumnSelection.Default);

    private static string Boxed(StructType schema, List<List<object?[]>> calls)
    {
        var stats = Collector(schema);
        foreach (var rows in calls) stats.Add(Batch(schema, rows), Enumerable.Range(0, rows.Count).ToArray());
        return stats.ToJson();
    }

    private static string Typed(StructType schema, List<List<object?[]>> calls)
    {
        var stats = Collector(schema);
        var buffers = new ColumnBuffers(schema); // one reused buffer set, as a streaming writer keeps
        foreach (var rows in calls)
        {
            buffers.Clear();
            AppendTyped(buffers, rows);
            stats.Add(buffers);
        }
        return stats.ToJson();
    }

    // ---- properties -------------------------------------------------------------------------------------------------

    [Fact]
    public void Typed_statistics_equal_boxed_and_the_previous_boxed_implementation()
    {
        Check.One(Runs, Prop.ForAll(Calls, calls =>
        {
            string reference = BoxedStatsReference.Json(Schema, calls.SelectMany(c => c).ToList());
            Boxed(Schema, calls).Should().Be(reference);
            Typed(Schema, calls).Should().Be(reference);
        }));
    }

    [Fact]
    public void One_file_may_mix_boxed_and_typed_rows()
    {
        Check.One(Runs, Prop.ForAll(Calls, calls =>
        {
            var stats = Collector(Schema);
            for (int i = 0; i < calls.Count; i++)
            {
                if (i % 2 == 0) stats.Add(Batch(Schema, calls[i]), Enumerable.Range(0, calls[i].Count).ToArray());
                else stats.Add(ColumnBuffers.From(Batch(Schema, calls[i])));
            }
            stats.ToJson().Should().Be(BoxedStatsReference.Json(Schema, calls.SelectMany(c => c).ToList()));
        }));
    }

    [Fact]
    public void ColumnBuffers_round_trip_through_typed_appends_and_From()
    {
        Check.One(Runs, Prop.ForAll(Calls, calls =>
        {
            var rows = calls.SelectMany(c => c).ToList();
            var batch = Batch(Schema, rows);
            var typed = new ColumnBuffers(Schema);
            AppendTyped(typed, rows);
            SameRows(typed.ToColumnBatch(), batch);
            SameRows(ColumnBuffers.From(batch).ToColumnBatch(), batch);
        }));
    }

    private static void SameRows(ColumnBatch actual, ColumnBatch expected)
    {
        actual.RowCount.Should().Be(expected.RowCount);
        for (int c = 0; c < expected.Columns.Count; c++)
            for (int r = 0; r < expected.RowCount; r++)
            {
                object? a = actual.Columns[c][r], e = expected.Columns[c][r];
                string where = $"column {Schema.Fields[c].Name}, row {r}";
                if (e is DateTime et)
                {
                    a.Should().BeOfType<DateTime>(where);
                    ((DateTime)a!).Ticks.Should().Be(et.Ticks, where);
                    ((DateTime)a!).Kind.Should().Be(et.Kind, where);
                }
                else if (e is IList list) a.Should().BeEquivalentTo(list, o => o.WithStrictOrdering(), where);
                else a.Should().Be(e, where);
            }
    }

    // ---- edges the generators reach rarely ----------------------------------------------------------------------------

    private static readonly StructType Times = new(new StructField("at", DeltaType.Timestamp), new StructField("day", DeltaType.Date));

    [Fact]
    public void A_max_timestamp_that_rounds_up_past_9999_gets_no_min_max_instead_of_an_exception()
    {
        var rows = new List<object?[]> { new object?[] { DateTime.SpecifyKind(DateTime.MaxValue.AddTicks(-9), DateTimeKind.Utc), DateOnly.MaxValue } };
        string typed = Typed(Times, [rows]);
        typed.Should().Be(Boxed(Times, [rows]));
        var json = JsonNode.Parse(typed)!;
        json["minValues"]!.AsObject().ContainsKey("at").Should().BeFalse();
        json["maxValues"]!["day"]!.GetValue<string>().Should().Be("9999-12-31");
        json["nullCount"]!["at"]!.GetValue<long>().Should().Be(0);
    }

    [Fact]
    public void Timestamps_and_dates_outside_years_1_to_9999_get_no_min_max()
    {
        var buffers = new ColumnBuffers(Times);
        buffers.Column<FixedColumnBuffer<long>>(0).Append(long.MaxValue);
        buffers.Column<FixedColumnBuffer<int>>(1).Append(int.MinValue);
        buffers.EndRow();
        buffers.Column<FixedColumnBuffer<long>>(0).Append(0L);
        buffers.Column<FixedColumnBuffer<int>>(1).Append(0);
        buffers.EndRow();
        var stats = Collector(Times);
        stats.Add(buffers);
        // A later row group of ordinary values must not bring back a min/max that leaves the first one's values out.
        var later = new ColumnBuffers(Times);
        AppendTyped(later, [[new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateOnly(2024, 1, 1)]]);
        stats.Add(later);
        var json = JsonNode.Parse(stats.ToJson())!;
        json["numRecords"]!.GetValue<long>().Should().Be(3);
        json["minValues"]!.AsObject().Count.Should().Be(0);
        json["maxValues"]!.AsObject().Count.Should().Be(0);
        json["nullCount"]!["day"]!.GetValue<long>().Should().Be(0);
        buffers.Invoking(b => b.ToColumnBatch()).Should().Throw<InvalidOperationException>().WithMessage("column 'at': a timestamp is outside*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Equal_values_keep_the_first_seen_as_a_row_by_row_pass_does(int split)
    {
        // -0.0 == 0.0: which one the JSON shows ("-0" or "0") depends on keeping the first, within and across Add calls.
        var schema = new StructType(new StructField("ratio", DeltaType.Float), new StructField("score", DeltaType.Double));
        object?[][] values = [[0f, -0.0], [-0f, 0.0], [-0f, 0.0]];
        foreach (var order in new[] { values, values.Reverse().ToArray() })
        {
            var rows = order.ToList();
            List<List<object?[]>> calls = split == 0 ? [rows] : [rows[..1], rows[1..3], rows[3..]];
            string reference = BoxedStatsReference.Json(schema, rows);
            reference.Should().Contain("-0");
            Typed(schema, calls).Should().Be(reference);
            Boxed(schema, calls).Should().Be(reference);
        }
    }

    [Fact]
    public void Statistics_see_completed_rows_only_and_match_columns_by_name()
    {
        var schema = new StructType(new StructField("name", DeltaType.String), new StructField("n", DeltaType.Long));
        var buffers = new ColumnBuffers(new StructType(new StructField("n", DeltaType.Long))); // no 'name': all null
        buffers.Column<FixedColumnBuffer<long>>(0).Append(5L);
        buffers.EndRow();
        buffers.Column<FixedColumnBuffer<long>>(0).Append(99L); // pending: not a row yet
        var stats = Collector(schema);
        stats.Add(buffers);
        stats.ToJson().Should().Be("""{"numRecords":1,"minValues":{"n":5},"maxValues":{"n":5},"nullCount":{"name":1,"n":0}}""");
    }

    [Fact]
    public void Buffers_of_another_type_than_the_table_are_refused_naming_the_column()
    {
        var table = new StructType(new StructField("n", DeltaType.Long));
        var buffers = new ColumnBuffers(new StructType(new StructField("n", DeltaType.Integer)));
        Collector(table).Invoking(s => s.Add(buffers)).Should().Throw<InvalidOperationException>()
            .WithMessage("statistics: column 'n' is integer in the buffers but long in the table");
    }

    [Fact]
    public void A_boxed_value_of_the_wrong_shape_is_refused_naming_the_column_not_the_value()
    {
        var table = new StructType(new StructField("day", DeltaType.Date));
        var batch = new ColumnBatch(table, [new List<object?> { "DOE^JANE" }]);
        Collector(table).Invoking(s => s.Add(batch, [0])).Should().Throw<InvalidOperationException>()
            .Which.Message.Should().Be("statistics: column 'day' of type date holds a String");
    }
}

/// <summary>
/// The boxed statistics as StatsCollector computed them before the typed pass (flat columns; values compared as CLR objects,
/// strings in code-point order through UTF-16, JSON built from the winning objects): the oracle the new collector must
/// match byte for byte. One deliberate difference: a max timestamp that rounds up past 9999-12-31 gives no min/max
/// (the old code threw).
/// </summary>
internal static class BoxedStatsReference
{
    public static string Json(StructType schema, IReadOnlyList<object?[]> rows)
    {
        var min = new JsonObject();
        var max = new JsonObject();
        var nulls = new JsonObject();
        for (int c = 0; c < schema.Fields.Count; c++)
        {
            var field = schema.Fields[c];
            if (field.Type is not PrimitiveType type) continue;
            long nullCount = 0;
            object? lo = null, hi = null;
            bool noMinMax = type.Name is "boolean" or "binary";
            foreach (var row in rows)
            {
                object? v = row[c];
                if (v is null) { nullCount++; continue; }
                if (noMinMax) continue;
                if (v is double d && !double.IsFinite(d) || v is float f && !float.IsFinite(f)) { noMinMax = true; continue; }
                if (lo is null || Compare(v, lo) < 0) lo = v;
                if (hi is null || Compare(v, hi) > 0) hi = v;
            }
            nulls[field.Name] = nullCount;
            if (noMinMax || lo is null || Format(lo, type, false) is not { } l || Format(hi!, type, true) is not { } h) continue;
            min[field.Name] = l;
            max[field.Name] = h;
        }
        return new JsonObject { ["numRecords"] = rows.Count, ["minValues"] = min, ["maxValues"] = max, ["nullCount"] = nulls }.ToJsonString();
    }

    private static int Compare(object a, object b) => a is string s ? Utf8Order(s, (string)b) : ((IComparable)a).CompareTo(b);

    /// <summary>Code-point order of two UTF-16 strings: ordinal, except that a surrogate sorts above any BMP char.</summary>
    public static int Utf8Order(string a, string b)
    {
        int i = a.AsSpan().CommonPrefixLength(b);
        if (i == a.Length || i == b.Length) return a.Length.CompareTo(b.Length);
        bool xs = char.IsSurrogate(a[i]), ys = char.IsSurrogate(b[i]);
        return xs != ys ? (xs ? 1 : -1) : a[i].CompareTo(b[i]);
    }

    private static JsonNode? Format(object v, PrimitiveType type, bool isMax)
    {
        switch (v)
        {
            case string s:
                var runes = s.EnumerateRunes().ToList();
                if (runes.Count <= 32) return JsonValue.Create(s);
                var sb = new StringBuilder();
                foreach (var r in runes.Take(32)) sb.Append(r.ToString());
                if (isMax) sb.Append(char.ConvertFromUtf32(0x10FFFF));
                return JsonValue.Create(sb.ToString());
            case DateOnly d: return JsonValue.Create(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            case DateTime t:
                long ticks = t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond;
                if (isMax && ticks != t.Ticks) ticks += TimeSpan.TicksPerMillisecond;
                if (ticks > DateTime.MaxValue.Ticks) return null;
                return JsonValue.Create(new DateTime(ticks, t.Kind).ToString(type == DeltaType.TimestampNtz ? "yyyy-MM-dd'T'HH:mm:ss.fff" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            case long l: return JsonValue.Create(l);
            case int i: return JsonValue.Create(i);
            case short sh: return JsonValue.Create(sh);
            case sbyte sb8: return JsonValue.Create(sb8);
            case float f: return JsonValue.Create(f);
            case double db: return JsonValue.Create(db);
            default: throw new InvalidOperationException($"reference: no format for {v.GetType().Name}");
        }
    }
}
