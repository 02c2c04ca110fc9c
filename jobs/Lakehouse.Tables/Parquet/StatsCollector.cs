using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;

namespace Lakehouse.Tables.Parquet;

/// <summary>
/// Per-file column statistics (protocol §Per-file Statistics): numRecords, and for every primitive leaf reachable through
/// structs that the table's <see cref="StatsColumnSelection"/> picks an exact nullCount plus min/max (with no leaf picked,
/// numRecords alone, as Spark writes it). Strings are cut to 32 code points (max gets a U+10FFFF tie-breaker so it stays
/// above the data in UTF-8 order); timestamps are truncated to ms (max rounded up); floats with NaN, booleans and binary get
/// no min/max. Arrays and maps get no statistics.
/// </summary>
internal sealed class StatsCollector
{
    private const int StringPrefixLength = 32;
    private readonly Leaf[] _leaves;
    private long _rows;

    private sealed class Leaf(string[] path, DeltaType type)
    {
        public readonly string[] Path = path;
        public readonly DeltaType Type = type;
        public long Nulls;
        public object? Min, Max;
        public bool NoMinMax = type is PrimitiveType { Name: "boolean" or "binary" };
    }

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
    /// one pass per column (the writer's hot path).
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

    /// <summary>Adds every row of <paramref name="buffers"/> (flat columns: each leaf is a top-level column).</summary>
    public void Add(ColumnBuffers buffers)
    {
        // Placeholder: through the boxed batch until the typed pass lands (same statistics either way).
        var batch = buffers.ToColumnBatch();
        Add(batch, Enumerable.Range(0, batch.RowCount).ToArray());
    }

    private static object? ValueAt(object? v, string[] path)
    {
        for (int i = 1; i < path.Length && v is not null; i++)
            v = v is IReadOnlyDictionary<string, object?> d ? d.GetValueOrDefault(path[i])
                : v is IDictionary<string, object?> d2 ? d2.TryGetValue(path[i], out var x) ? x : null : null;
        return v;
    }

    private static void Observe(Leaf leaf, object? v)
    {
        if (v is null) { leaf.Nulls++; return; }
        if (leaf.NoMinMax) return;
        if (v is double dbl && !double.IsFinite(dbl) || v is float flt && !float.IsFinite(flt)) { leaf.NoMinMax = true; return; }
        if (leaf.Min is null || Compare(v, leaf.Min) < 0) leaf.Min = v;
        if (leaf.Max is null || Compare(v, leaf.Max) > 0) leaf.Max = v;
    }

    public string ToJson()
    {
        if (_leaves.Length == 0) return new JsonObject { ["numRecords"] = _rows }.ToJsonString();
        var min = new JsonObject();
        var max = new JsonObject();
        var nulls = new JsonObject();
        foreach (var leaf in _leaves)
        {
            Set(nulls, leaf.Path, JsonValue.Create(leaf.Nulls));
            if (leaf.NoMinMax || leaf.Min is null) continue;
            Set(min, leaf.Path, Format(leaf.Min, leaf.Type, isMax: false));
            Set(max, leaf.Path, Format(leaf.Max!, leaf.Type, isMax: true));
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

    private static int Compare(object a, object b) => a switch
    {
        string s => Utf8Order(s, (string)b),
        _ => ((IComparable)a).CompareTo(b),
    };

    /// <summary>
    /// Code-point (= UTF-8 byte) order. UTF-16 ordinal order agrees with it except where a surrogate (a code point above
    /// U+FFFF) meets a BMP char at or above U+E000, so only the first differing char needs a look (the prefix compare is vectorized).
    /// </summary>
    internal static int Utf8Order(string a, string b)
    {
        int i = a.AsSpan().CommonPrefixLength(b);
        if (i == a.Length || i == b.Length) return a.Length.CompareTo(b.Length);
        char x = a[i], y = b[i];
        bool xs = char.IsSurrogate(x), ys = char.IsSurrogate(y);
        if (xs != ys) return xs ? 1 : -1;
        return x.CompareTo(y);
    }

    private static JsonNode Format(object v, DeltaType type, bool isMax)
    {
        switch (v)
        {
            case string s:
                var runes = s.EnumerateRunes().ToList();
                if (runes.Count <= StringPrefixLength) return JsonValue.Create(s);
                var sb = new StringBuilder();
                foreach (var r in runes.Take(StringPrefixLength)) sb.Append(r.ToString());
                if (isMax) sb.Append(char.ConvertFromUtf32(0x10FFFF));
                return JsonValue.Create(sb.ToString());
            case DateOnly d: return JsonValue.Create(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            case DateTime t:
                long ticks = t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond;
                if (isMax && ticks != t.Ticks) ticks += TimeSpan.TicksPerMillisecond;
                var ms = new DateTime(ticks, t.Kind);
                return JsonValue.Create(ms.ToString(type == DeltaType.TimestampNtz ? "yyyy-MM-dd'T'HH:mm:ss.fff" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            case long l: return JsonValue.Create(l);
            case int i: return JsonValue.Create(i);
            case short sh: return JsonValue.Create(sh);
            case sbyte sb8: return JsonValue.Create(sb8);
            case float f: return JsonValue.Create(f);
            case double db: return JsonValue.Create(db);
            case decimal m: return JsonValue.Create(m);
            default: return JsonValue.Create(Convert.ToString(v, CultureInfo.InvariantCulture) ?? "");
        }
    }
}
