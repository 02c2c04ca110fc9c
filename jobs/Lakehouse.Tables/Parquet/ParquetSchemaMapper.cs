using Lakehouse.Tables.Schema;
using Parquet.Schema;
using PqField = Parquet.Schema.Field;
using PqStructField = Parquet.Schema.StructField;

namespace Lakehouse.Tables.Parquet;

/// <summary>Delta types → Parquet fields as Spark writes them (protocol §Delta Data Type to Parquet Type Mappings).</summary>
internal static class ParquetSchemaMapper
{
    public static ParquetSchema ToParquet(IEnumerable<Schema.StructField> fields) => new(fields.Select(f => ToField(f.Name, f.Type, f.Nullable)).ToArray());

    public static PqField ToField(string name, DeltaType type, bool nullable) => type switch
    {
        PrimitiveType { Name: "string" } => new DataField(name, typeof(string), nullable),
        PrimitiveType { Name: "long" } => new DataField(name, typeof(long), nullable),
        PrimitiveType { Name: "integer" } => new DataField(name, typeof(int), nullable),
        PrimitiveType { Name: "short" } => new DataField(name, typeof(short), nullable),
        PrimitiveType { Name: "byte" } => new DataField(name, typeof(sbyte), nullable),
        PrimitiveType { Name: "float" } => new DataField(name, typeof(float), nullable),
        PrimitiveType { Name: "double" } => new DataField(name, typeof(double), nullable),
        PrimitiveType { Name: "boolean" } => new DataField(name, typeof(bool), nullable),
        PrimitiveType { Name: "binary" } => new DataField(name, typeof(byte[]), nullable),
        PrimitiveType { Name: "date" } => new DataField(name, typeof(DateOnly), nullable),
        PrimitiveType { Name: "timestamp" } => new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: nullable),
        PrimitiveType { Name: "timestamp_ntz" } => new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: false, unit: DateTimeTimeUnit.Micros, isNullable: nullable),
        DecimalType d => new DecimalDataField(name, d.Precision, d.Scale, forceByteArrayEncoding: false, isNullable: nullable),
        Schema.StructType s => new PqStructField(name, s.Fields.Select(f => ToField(f.Name, f.Type, f.Nullable)).ToArray()),
        ArrayType a => new ListField(name, ToField("element", a.ElementType, a.ContainsNull)),
        MapType m => new MapField(name, ToField("key", m.KeyType, false), ToField("value", m.ValueType, m.ValueContainsNull)),
        _ => throw new NotSupportedException($"type {type} cannot be written"),
    };

    /// <summary>
    /// A value in the CLR shape <see cref="DeltaType"/> documents → the shape Parquet.Net's untyped serializer expects for
    /// <paramref name="field"/> (strings inside maps as ReadOnlyMemory&lt;char&gt;, typed lists and dictionaries).
    /// </summary>
    public static object? ToParquetValue(object? value, PqField field)
    {
        if (value is null) return null;
        switch (field)
        {
            case PqStructField s:
                var dict = (IReadOnlyDictionary<string, object?>)value;
                var d = new Dictionary<string, object>(StringComparer.Ordinal);
                foreach (var f in s.Fields) d[f.Name] = ToParquetValue(dict.GetValueOrDefault(f.Name), f)!;
                return d;
            case ListField l:
            {
                var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(ClrOf(l.Item)))!;
                foreach (object? x in (System.Collections.IEnumerable)value) list.Add(ToParquetValue(x, l.Item));
                return list;
            }
            case MapField m:
            {
                var map = (System.Collections.IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(ClrOf(m.Key), ClrOf(m.Value)))!;
                foreach (System.Collections.DictionaryEntry e in (System.Collections.IDictionary)value) map[ToParquetValue(e.Key, m.Key)!] = ToParquetValue(e.Value, m.Value);
                return map;
            }
            case DataField df:
                return Leaf(value, df);
            default:
                return value;
        }
    }

    private static object Leaf(object value, DataField df)
    {
        var target = Nullable.GetUnderlyingType(df.ClrType) ?? df.ClrType;
        if (value is string str && target == typeof(ReadOnlyMemory<char>)) return str.AsMemory();
        if (value is byte[] b && target == typeof(ReadOnlyMemory<byte>)) return new ReadOnlyMemory<byte>(b);
        if (value is DateTime t && df is DateTimeDataField { IsAdjustedToUTC: true } && t.Kind == DateTimeKind.Local) return t.ToUniversalTime();
        if (value is DateTimeOffset o) return o.UtcDateTime;
        return value;
    }

    private static Type ClrOf(PqField f) => f switch
    {
        DataField df => df.ClrNullableIfHasNullsType,
        ListField l => typeof(List<>).MakeGenericType(ClrOf(l.Item)),
        MapField m => typeof(Dictionary<,>).MakeGenericType(ClrOf(m.Key), ClrOf(m.Value)),
        _ => typeof(IDictionary<string, object>),
    };
}
