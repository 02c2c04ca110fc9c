using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Lakehouse.Tables.Schema;

namespace Lakehouse.Tables.Parquet;

/// <summary>
/// Per-file column statistics (protocol §Per-file Statistics): numRecords, and for every primitive leaf reachable through
/// structs an exact nullCount plus min/max. Strings are cut to 32 code points (max gets a U+10FFFF tie-breaker so it stays
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

    public StatsCollector(IEnumerable<Schema.StructField> dataFields)
    {
        var leaves = new List<Leaf>();
        void Walk(IEnumerable<Schema.StructField> fields, string[] prefix)
        {
            foreach (var f in fields)
            {
                string[] path = [.. prefix, f.Name];
                if (f.Type is Schema.StructType s) Walk(s.Fields, path);
                else if (f.Type is PrimitiveType or DecimalType) leaves.Add(new Leaf(path, f.Type));
            }
        }
        Walk(dataFields, []);
        _leaves = leaves.ToArray();
    }

    public void Add(IReadOnlyDictionary<string, object?> row)
    {
        _rows++;
        foreach (var leaf in _leaves)
        {
            object? v = row.GetValueOrDefault(leaf.Path[0]);
            for (int i = 1; i < leaf.Path.Length && v is not null; i++)
                v = v is IReadOnlyDictionary<string, object?> d ? d.GetValueOrDefault(leaf.Path[i])
                    : v is IDictionary<string, object?> d2 ? d2.TryGetValue(leaf.Path[i], out var x) ? x : null : null;
            if (v is null) { leaf.Nulls++; continue; }
            if (leaf.NoMinMax) continue;
            if (v is double dbl && !double.IsFinite(dbl) || v is float flt && !float.IsFinite(flt)) { leaf.NoMinMax = true; continue; }
            if (leaf.Min is null || Compare(v, leaf.Min) < 0) leaf.Min = v;
            if (leaf.Max is null || Compare(v, leaf.Max) > 0) leaf.Max = v;
        }
    }

    public string ToJson()
    {
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

    /// <summary>Code-point (= UTF-8 byte) order, which differs from UTF-16 ordinal order above U+D800.</summary>
    internal static int Utf8Order(string a, string b)
    {
        var ea = a.EnumerateRunes();
        var eb = b.EnumerateRunes();
        while (true)
        {
            bool ha = ea.MoveNext(), hb = eb.MoveNext();
            if (!ha || !hb) return ha ? 1 : hb ? -1 : 0;
            int c = ea.Current.Value.CompareTo(eb.Current.Value);
            if (c != 0) return c;
        }
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
