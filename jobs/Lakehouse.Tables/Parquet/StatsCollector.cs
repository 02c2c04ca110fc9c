using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;

namespace Lakehouse.Tables.Parquet;

/// <summary>
/// Per-file column statistics (protocol §Per-file Statistics): numRecords, and for every primitive leaf reachable through
/// structs that the table's <see cref="StatsColumnSelection"/> picks an exact nullCount plus min/max (with no leaf picked,
/// numRecords alone, as Spark writes it). Strings are cut to 32 code points (max gets a U+10FFFF tie-breaker so it stays
/// above the data in UTF-8 order); timestamps are truncated to ms (max rounded up); floats with NaN or an infinity, booleans
/// and binary get no min/max, nor does a column whose min or max has no JSON form (a date or timestamp outside years
/// 1..9999, a max timestamp that rounds up past 9999). Arrays and maps get no statistics.
/// <para>
/// Rows arrive boxed (row dictionaries, <see cref="ColumnBatch"/>) or typed (<see cref="ColumnBuffers"/>), possibly both
/// for one file; either way the running min/max are kept in one typed form per leaf (integers, dates as days and timestamps
/// as ticks in a long; floats in a double; strings as their UTF-8 bytes, compared bytewise = code-point order) and turned
/// into JSON values only in <see cref="ToJson"/>. The typed path compares values in place and copies a string's bytes at
/// most twice per <see cref="Add(ColumnBuffers)"/> call.
/// </para>
/// </summary>
internal sealed class StatsCollector
{
    private const int StringPrefixLength = 32;
    private static readonly int EpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;
    private static readonly long MinMicros = -DateTime.UnixEpoch.Ticks / 10;
    private static readonly long MaxMicros = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    private readonly Leaf[] _leaves;
    private long _rows;
    private byte[] _utf8Scratch = new byte[256];
    private StructType? _buffersSchema;
    private int[] _buffersColumns = [];

    /// <summary>How a leaf's min/max are kept and written.</summary>
    private enum Kind : byte { NullsOnly, Integer, Float, Double, Decimal, Date, Timestamp, TimestampNtz, String }

    private sealed class Leaf(string[] path, DeltaType type)
    {
        public readonly string[] Path = path;
        public readonly DeltaType Type = type;
        public readonly Kind Kind = KindOf(type);
        public long Nulls;
        public bool NoMinMax = KindOf(type) == Kind.NullsOnly;
        public bool HasMinMax;
        public long MinInteger, MaxInteger; // Integer; Date: days since 1970-01-01; Timestamp(Ntz): DateTime ticks
        public double MinFloat, MaxFloat;   // Float, Double
        public decimal MinDecimal, MaxDecimal;
        public byte[] MinUtf8 = [], MaxUtf8 = [];
        public int MinLength, MaxLength;

        // Strict comparisons keep the first of equal values (as a row-by-row pass does: -0.0 vs 0.0 shows which).
        public void ObserveInteger(long min, long max)
        {
            if (!HasMinMax) { (MinInteger, MaxInteger, HasMinMax) = (min, max, true); return; }
            if (min < MinInteger) MinInteger = min;
            if (max > MaxInteger) MaxInteger = max;
        }

        public void ObserveFloat(double min, double max)
        {
            if (!HasMinMax) { (MinFloat, MaxFloat, HasMinMax) = (min, max, true); return; }
            if (min < MinFloat) MinFloat = min;
            if (max > MaxFloat) MaxFloat = max;
        }

        public void ObserveDecimal(decimal v)
        {
            if (!HasMinMax) { (MinDecimal, MaxDecimal, HasMinMax) = (v, v, true); return; }
            if (v < MinDecimal) MinDecimal = v;
            if (v > MaxDecimal) MaxDecimal = v;
        }

        public void ObserveUtf8(ReadOnlySpan<byte> min, ReadOnlySpan<byte> max)
        {
            if (!HasMinMax || min.SequenceCompareTo(MinUtf8.AsSpan(0, MinLength)) < 0) Keep(ref MinUtf8, ref MinLength, min);
            if (!HasMinMax || max.SequenceCompareTo(MaxUtf8.AsSpan(0, MaxLength)) > 0) Keep(ref MaxUtf8, ref MaxLength, max);
            HasMinMax = true;
        }

        private static void Keep(ref byte[] buffer, ref int length, ReadOnlySpan<byte> value)
        {
            if (buffer.Length < value.Length) buffer = new byte[Math.Max(value.Length, 2 * buffer.Length)];
            value.CopyTo(buffer);
            length = value.Length;
        }
    }

    private static Kind KindOf(DeltaType type) => type switch
    {
        PrimitiveType { Name: "long" or "integer" or "short" or "byte" } => Kind.Integer,
        PrimitiveType { Name: "float" } => Kind.Float,
        PrimitiveType { Name: "double" } => Kind.Double,
        DecimalType => Kind.Decimal,
        PrimitiveType { Name: "date" } => Kind.Date,
        PrimitiveType { Name: "timestamp" } => Kind.Timestamp,
        PrimitiveType { Name: "timestamp_ntz" } => Kind.TimestampNtz,
        PrimitiveType { Name: "string" } => Kind.String,
        _ => Kind.NullsOnly, // boolean, binary
    };

    /// <summary><paramref name="dataFields"/>: the table's non-partition columns in schema order (leaf numbering follows them).</summary>
    public StatsCollector(IEnumerable<Schema.StructField> dataFields, StatsColumnSelection selection)
    {
        var leaves = new List<Leaf>();
        int leafIndex = 0;
        void Walk(IEnumerable<Schema.StructField> fields, string[] prefix)
        {
            foreach (var f in fields)
            {
                string[] path = [.. prefix, f.Name];
                if (f.Type is Schema.StructType s) { Walk(s.Fields, path); continue; }
                // Arrays and maps take an index slot (as in Spark) but get no statistics.
                if (f.Type is PrimitiveType or DecimalType && selection.Includes(path, leafIndex)) leaves.Add(new Leaf(path, f.Type));
                leafIndex++;
            }
        }
        Walk(dataFields, []);
        _leaves = leaves.ToArray();
    }

    public void Add(IReadOnlyDictionary<string, object?> row)
    {
        _rows++;
        foreach (var leaf in _leaves) Observe(leaf, ValueAt(row.GetValueOrDefault(leaf.Path[0]), leaf.Path));
    }

    /// <summary>
    /// Adds rows <paramref name="rows"/> of <paramref name="batch"/> column by column: no row dictionaries, so the cost is
    /// one pass per column.
    /// </summary>
    public void Add(ColumnBatch batch, IReadOnlyList<int> rows)
    {
        _rows += rows.Count;
        foreach (var leaf in _leaves)
        {
            if (batch.Column(leaf.Path[0]) is not { } column) { leaf.Nulls += rows.Count; continue; }
            if (leaf.Path.Length == 1)
                foreach (int r in rows) Observe(leaf, column[r]);
            else
                foreach (int r in rows) Observe(leaf, ValueAt(column[r], leaf.Path));
        }
    }

    /// <summary>
    /// Adds the completed rows of <paramref name="buffers"/> (the writer's hot path): per leaf a null count over the null
    /// flags and a min/max pass over the typed values, nothing boxed. Columns are matched by name (a missing one is null); a
    /// column of another type than the table's throws naming it.
    /// </summary>
    public void Add(ColumnBuffers buffers)
    {
        int rows = buffers.RowCount;
        _rows += rows;
        var columns = ColumnsOf(buffers);
        for (int i = 0; i < _leaves.Length; i++)
        {
            var leaf = _leaves[i];
            if (columns[i] < 0) { leaf.Nulls += rows; continue; }
            var column = buffers.Column(columns[i]);
            var nulls = column.Nulls[..rows];
            leaf.Nulls += nulls.Count(true);
            if (leaf.NoMinMax) continue;
            switch (column)
            {
                case FixedColumnBuffer<long> c when leaf.Kind is Kind.Timestamp or Kind.TimestampNtz:
                    if (!MinMax(c.Values[..rows], nulls, out long minMicros, out long maxMicros, out bool anyTime)) break;
                    if (!anyTime) break;
                    // Beyond DateTime's years 1..9999 there is no JSON form: no min/max rather than a wrong one.
                    if (minMicros < MinMicros || maxMicros > MaxMicros) { leaf.NoMinMax = true; break; }
                    leaf.ObserveInteger(DateTime.UnixEpoch.Ticks + minMicros * 10, DateTime.UnixEpoch.Ticks + maxMicros * 10);
                    break;
                case FixedColumnBuffer<long> c: ObserveIntegers(leaf, c.Values[..rows], nulls); break;
                case FixedColumnBuffer<int> c: ObserveIntegers(leaf, c.Values[..rows], nulls); break; // integer, or date as days
                case FixedColumnBuffer<short> c: ObserveIntegers(leaf, c.Values[..rows], nulls); break;
                case FixedColumnBuffer<sbyte> c: ObserveIntegers(leaf, c.Values[..rows], nulls); break;
                case FixedColumnBuffer<float> c:
                    if (!MinMax(c.Values[..rows], nulls, out float minF, out float maxF, out bool anyF)) leaf.NoMinMax = true;
                    else if (anyF) leaf.ObserveFloat(minF, maxF);
                    break;
                case FixedColumnBuffer<double> c:
                    if (!MinMax(c.Values[..rows], nulls, out double minD, out double maxD, out bool anyD)) leaf.NoMinMax = true;
                    else if (anyD) leaf.ObserveFloat(minD, maxD);
                    break;
                case Utf8ColumnBuffer u: ObserveStrings(leaf, u, nulls); break;
                case PagedUtf8ColumnBuffer: leaf.NoMinMax = true; break; // its values are compressed already: null counts only
            }
        }
    }

    /// <summary>Per leaf, the index of its column in <paramref name="buffers"/> (-1: absent); cached for the last schema seen.</summary>
    private int[] ColumnsOf(ColumnBuffers buffers)
    {
        if (ReferenceEquals(buffers.Schema, _buffersSchema)) return _buffersColumns;
        var columns = new int[_leaves.Length];
        for (int i = 0; i < _leaves.Length; i++)
        {
            columns[i] = buffers.IndexOf(_leaves[i].Path[0]);
            if (columns[i] >= 0 && buffers.Column(columns[i]).Field.Type != _leaves[i].Type)
                throw new InvalidOperationException(
                    $"statistics: column '{_leaves[i].Path[0]}' is {buffers.Column(columns[i]).Field.Type} in the buffers but {_leaves[i].Type} in the table");
        }
        (_buffersSchema, _buffersColumns) = (buffers.Schema, columns);
        return columns;
    }

    private static void ObserveIntegers<T>(Leaf leaf, ReadOnlySpan<T> values, ReadOnlySpan<bool> nulls) where T : struct, INumber<T>
    {
        if (MinMax(values, nulls, out T min, out T max, out bool any) && any) leaf.ObserveInteger(long.CreateTruncating(min), long.CreateTruncating(max));
    }

    /// <summary>Min and max of the non-null values (<paramref name="any"/>: there was one); false at the first NaN or infinity.</summary>
    private static bool MinMax<T>(ReadOnlySpan<T> values, ReadOnlySpan<bool> nulls, out T min, out T max, out bool any) where T : struct, INumber<T>
    {
        min = max = default;
        any = false;
        int r = nulls.IndexOf(false);
        if (r < 0) return true;
        min = max = values[r];
        if (!T.IsFinite(min)) return false;
        any = true;
        for (r++; r < values.Length; r++)
        {
            if (nulls[r]) continue;
            T v = values[r];
            if (!T.IsFinite(v)) return false; // folds away for integers
            if (v < min) min = v;
            else if (v > max) max = v;
        }
        return true;
    }

    private static void ObserveStrings(Leaf leaf, Utf8ColumnBuffer column, ReadOnlySpan<bool> nulls)
    {
        var data = column.Data;
        var ends = column.Ends;
        ReadOnlySpan<byte> min = default, max = default;
        bool any = false;
        int start = 0;
        for (int r = 0; r < nulls.Length; r++)
        {
            int end = ends[r];
            if (!nulls[r])
            {
                var v = data[start..end];
                if (!any) { min = max = v; any = true; }
                else if (v.SequenceCompareTo(min) < 0) min = v;
                else if (v.SequenceCompareTo(max) > 0) max = v;
            }
            start = end;
        }
        if (any) leaf.ObserveUtf8(min, max);
    }

    private static object? ValueAt(object? v, string[] path)
    {
        for (int i = 1; i < path.Length && v is not null; i++)
            v = v is IReadOnlyDictionary<string, object?> d ? d.GetValueOrDefault(path[i])
                : v is IDictionary<string, object?> d2 ? d2.TryGetValue(path[i], out var x) ? x : null : null;
        return v;
    }

    /// <summary>One boxed value, converted to the leaf's typed form as the Parquet writer converts it (numbers widened, a local or offset timestamp to UTC).</summary>
    private void Observe(Leaf leaf, object? v)
    {
        if (v is null) { leaf.Nulls++; return; }
        if (leaf.NoMinMax) return;
        switch (leaf.Kind)
        {
            case Kind.Integer:
                long l = Number(leaf, v, static x => Convert.ToInt64(x, CultureInfo.InvariantCulture));
                leaf.ObserveInteger(l, l);
                break;
            case Kind.Float or Kind.Double:
                double d = leaf.Kind == Kind.Float ? Number(leaf, v, static x => Convert.ToSingle(x, CultureInfo.InvariantCulture))
                    : Number(leaf, v, static x => Convert.ToDouble(x, CultureInfo.InvariantCulture));
                if (!double.IsFinite(d)) leaf.NoMinMax = true;
                else leaf.ObserveFloat(d, d);
                break;
            case Kind.Decimal:
                decimal m = Number(leaf, v, static x => Convert.ToDecimal(x, CultureInfo.InvariantCulture));
                leaf.ObserveDecimal(m);
                break;
            case Kind.Date:
                long days = v is DateOnly day ? day.DayNumber - EpochDayNumber : throw Mismatch(leaf, v);
                leaf.ObserveInteger(days, days);
                break;
            case Kind.Timestamp:
                long ticks = v switch
                {
                    DateTime { Kind: DateTimeKind.Local } local => local.ToUniversalTime().Ticks,
                    DateTime t => t.Ticks,
                    DateTimeOffset o => o.UtcTicks,
                    _ => throw Mismatch(leaf, v),
                };
                leaf.ObserveInteger(ticks, ticks);
                break;
            case Kind.TimestampNtz:
                long ntz = v is DateTime n ? n.Ticks : throw Mismatch(leaf, v);
                leaf.ObserveInteger(ntz, ntz);
                break;
            case Kind.String:
                if (v is not string s) throw Mismatch(leaf, v);
                int max = Encoding.UTF8.GetMaxByteCount(s.Length);
                if (_utf8Scratch.Length < max) _utf8Scratch = new byte[Math.Max(max, 2 * _utf8Scratch.Length)];
                var utf8 = _utf8Scratch.AsSpan(0, Encoding.UTF8.GetBytes(s, _utf8Scratch));
                leaf.ObserveUtf8(utf8, utf8);
                break;
        }
    }

    private static T Number<T>(Leaf leaf, object v, Func<object, T> convert)
    {
        if (v is not IConvertible c || c.GetTypeCode() is < TypeCode.SByte or > TypeCode.Decimal) throw Mismatch(leaf, v);
        try { return convert(v); }
        catch (OverflowException) { throw new InvalidOperationException($"statistics: column '{string.Join('.', leaf.Path)}' of type {leaf.Type} cannot hold a {v.GetType().Name} value (overflow)"); }
    }

    private static InvalidOperationException Mismatch(Leaf leaf, object v) =>
        new($"statistics: column '{string.Join('.', leaf.Path)}' of type {leaf.Type} holds a {v.GetType().Name}");

    public string ToJson()
    {
        if (_leaves.Length == 0) return new JsonObject { ["numRecords"] = _rows }.ToJsonString();
        var min = new JsonObject();
        var max = new JsonObject();
        var nulls = new JsonObject();
        foreach (var leaf in _leaves)
        {
            Set(nulls, leaf.Path, JsonValue.Create(leaf.Nulls));
            if (leaf.NoMinMax || !leaf.HasMinMax) continue;
            if (Format(leaf, isMax: false) is not { } lo || Format(leaf, isMax: true) is not { } hi) continue;
            Set(min, leaf.Path, lo);
            Set(max, leaf.Path, hi);
        }
        return new JsonObject { ["numRecords"] = _rows, ["minValues"] = min, ["maxValues"] = max, ["nullCount"] = nulls }.ToJsonString();
    }

    private static void Set(JsonObject root, string[] path, JsonNode value)
    {
        var o = root;
        for (int i = 0; i < path.Length - 1; i++)
        {
            if (o[path[i]] is not JsonObject child) o[path[i]] = child = new JsonObject();
            o = child;
        }
        o[path[^1]] = value;
    }

    /// <summary>The leaf's min or max as the log writes it; null when it has no JSON form.</summary>
    private static JsonNode? Format(Leaf leaf, bool isMax)
    {
        switch (leaf.Kind)
        {
            case Kind.Integer: return JsonValue.Create(isMax ? leaf.MaxInteger : leaf.MinInteger);
            case Kind.Float: return JsonValue.Create((float)(isMax ? leaf.MaxFloat : leaf.MinFloat));
            case Kind.Double: return JsonValue.Create(isMax ? leaf.MaxFloat : leaf.MinFloat);
            case Kind.Decimal: return JsonValue.Create(isMax ? leaf.MaxDecimal : leaf.MinDecimal);
            case Kind.Date:
                long dayNumber = EpochDayNumber + (isMax ? leaf.MaxInteger : leaf.MinInteger);
                if (dayNumber < 0 || dayNumber > DateOnly.MaxValue.DayNumber) return null;
                return JsonValue.Create(DateOnly.FromDayNumber((int)dayNumber).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            case Kind.Timestamp or Kind.TimestampNtz:
                long exact = isMax ? leaf.MaxInteger : leaf.MinInteger;
                long ticks = exact - exact % TimeSpan.TicksPerMillisecond;
                if (isMax && ticks != exact) ticks += TimeSpan.TicksPerMillisecond;
                if (ticks > DateTime.MaxValue.Ticks) return null;
                return JsonValue.Create(new DateTime(ticks).ToString(leaf.Kind == Kind.TimestampNtz ? "yyyy-MM-dd'T'HH:mm:ss.fff" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            case Kind.String:
                return JsonValue.Create(StringPrefix(isMax ? leaf.MaxUtf8.AsSpan(0, leaf.MaxLength) : leaf.MinUtf8.AsSpan(0, leaf.MinLength), isMax));
            default: return null;
        }
    }

    /// <summary>The first 32 code points of a UTF-8 value; a cut max gets U+10FFFF appended so it stays above every value it stands for.</summary>
    private static string StringPrefix(ReadOnlySpan<byte> utf8, bool isMax)
    {
        // A code point starts at every byte that is not a continuation byte (10xxxxxx).
        int codePoints = 0;
        for (int i = 0; i < utf8.Length; i++)
        {
            if ((utf8[i] & 0xC0) == 0x80) continue;
            if (codePoints++ == StringPrefixLength)
                return Encoding.UTF8.GetString(utf8[..i]) + (isMax ? "\U0010FFFF" : "");
        }
        return Encoding.UTF8.GetString(utf8);
    }
}
