using System.Collections;
using Parquet;
using Parquet.Serialization;

namespace Lakehouse.Tables.Parquet;

/// <summary>Reads Parquet files row-wise through Parquet.Net's untyped serializer and normalizes its value shapes.</summary>
internal static class ParquetValues
{
    private static readonly ParquetOptions ReadOptions = new() { UseDateOnlyTypeForDates = true };

    /// <summary>All rows of a file as column-name → value (see <see cref="Normalize"/>).</summary>
    public static async Task<(global::Parquet.Schema.ParquetSchema Schema, List<Dictionary<string, object?>> Rows)> ReadAllAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var result = await ParquetSerializer.DeserializeUntypedAsync(stream, ReadOptions);
        var rows = new List<Dictionary<string, object?>>(result.Data.Count);
        foreach (var row in result.Data)
        {
            var d = new Dictionary<string, object?>(row.Count, StringComparer.Ordinal);
            foreach (var (k, v) in row) d[k] = Normalize(v);
            rows.Add(d);
        }
        return (result.Schema, rows);
    }

    /// <summary>The footer's row count.</summary>
    public static async Task<long> RowCountAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        return reader.Metadata?.NumRows ?? 0;
    }

    /// <summary>
    /// Turns the serializer's shapes into plain ones: strings as <see cref="string"/>, binary as byte[], structs as
    /// Dictionary&lt;string, object?&gt;, maps as Dictionary&lt;object, object?&gt;, lists as List&lt;object?&gt;.
    /// </summary>
    public static object? Normalize(object? value) => value switch
    {
        null => null,
        string or byte[] => value,
        ReadOnlyMemory<char> m => m.ToString(),
        ReadOnlyMemory<byte> b => b.ToArray(),
        IDictionary<string, object> s => s.ToDictionary(kv => kv.Key, kv => Normalize(kv.Value), StringComparer.Ordinal),
        IDictionary map => NormalizeMap(map),
        IList list => NormalizeList(list),
        _ => value,
    };

    private static Dictionary<object, object?> NormalizeMap(IDictionary map)
    {
        var d = new Dictionary<object, object?>(map.Count);
        foreach (DictionaryEntry e in map) d[Normalize(e.Key)!] = Normalize(e.Value);
        return d;
    }

    private static List<object?> NormalizeList(IList list)
    {
        var l = new List<object?>(list.Count);
        foreach (object? x in list) l.Add(Normalize(x));
        return l;
    }
}
