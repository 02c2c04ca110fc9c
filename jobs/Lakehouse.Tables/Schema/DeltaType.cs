using System.Globalization;
using System.Text.Json.Nodes;

namespace Lakehouse.Tables.Schema;

/// <summary>A Delta column type (protocol §Schema Serialization Format). Instances compare by value.</summary>
public abstract record DeltaType
{
    /// <summary>string: <see cref="string"/>.</summary>
    public static readonly PrimitiveType String = new("string");
    /// <summary>long: <see cref="long"/>.</summary>
    public static readonly PrimitiveType Long = new("long");
    /// <summary>integer: <see cref="int"/>.</summary>
    public static readonly PrimitiveType Integer = new("integer");
    /// <summary>short: <see cref="short"/>.</summary>
    public static readonly PrimitiveType Short = new("short");
    /// <summary>byte: <see cref="sbyte"/>.</summary>
    public static readonly PrimitiveType Byte = new("byte");
    /// <summary>float: <see cref="float"/>.</summary>
    public static readonly PrimitiveType Float = new("float");
    /// <summary>double: <see cref="double"/>.</summary>
    public static readonly PrimitiveType Double = new("double");
    /// <summary>boolean: <see cref="bool"/>.</summary>
    public static readonly PrimitiveType Boolean = new("boolean");
    /// <summary>binary: <see cref="byte"/>[].</summary>
    public static readonly PrimitiveType Binary = new("binary");
    /// <summary>date: <see cref="DateOnly"/>.</summary>
    public static readonly PrimitiveType Date = new("date");
    /// <summary>timestamp (UTC-adjusted, microseconds): <see cref="DateTime"/> of kind UTC.</summary>
    public static readonly PrimitiveType Timestamp = new("timestamp");
    /// <summary>timestamp_ntz (no zone, microseconds): <see cref="DateTime"/> of kind Unspecified (needs the timestampNtz feature).</summary>
    public static readonly PrimitiveType TimestampNtz = new("timestamp_ntz");

    /// <summary>The JSON form of this type inside a schemaString.</summary>
    public abstract JsonNode ToJson();

    /// <summary>Parses a type from its schemaString JSON form.</summary>
    public static DeltaType FromJson(JsonNode? node)
    {
        if (node is JsonValue v && v.TryGetValue(out string? name))
        {
            if (name.StartsWith("decimal", StringComparison.Ordinal))
            {
                int open = name.IndexOf('('), comma = name.IndexOf(','), close = name.IndexOf(')');
                if (open < 0) return new DecimalType(10, 0);
                return new DecimalType(int.Parse(name.AsSpan(open + 1, comma - open - 1), CultureInfo.InvariantCulture),
                    int.Parse(name.AsSpan(comma + 1, close - comma - 1).Trim(), CultureInfo.InvariantCulture));
            }
            return new PrimitiveType(name);
        }
        if (node is JsonObject o)
        {
            switch ((string?)o["type"])
            {
                case "struct": return StructType.FromJson(o);
                case "array": return new ArrayType(FromJson(o["elementType"]), (bool?)o["containsNull"] ?? true);
                case "map": return new MapType(FromJson(o["keyType"]), FromJson(o["valueType"]), (bool?)o["valueContainsNull"] ?? true);
            }
        }
        throw new FormatException("unknown type in schemaString");
    }
}

/// <summary>A primitive type named as in the protocol ("long", "timestamp", ...).</summary>
public sealed record PrimitiveType(string Name) : DeltaType
{
    /// <inheritdoc />
    public override JsonNode ToJson() => JsonValue.Create(Name);
    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>decimal(precision, scale): <see cref="decimal"/>.</summary>
public sealed record DecimalType(int Precision, int Scale) : DeltaType
{
    /// <inheritdoc />
    public override JsonNode ToJson() => JsonValue.Create($"decimal({Precision},{Scale})");
    /// <inheritdoc />
    public override string ToString() => $"decimal({Precision},{Scale})";
}

/// <summary>array&lt;element&gt;: a <see cref="List{T}"/> of object.</summary>
public sealed record ArrayType(DeltaType ElementType, bool ContainsNull = true) : DeltaType
{
    /// <inheritdoc />
    public override JsonNode ToJson() => new JsonObject { ["type"] = "array", ["elementType"] = ElementType.ToJson(), ["containsNull"] = ContainsNull };
    /// <inheritdoc />
    public override string ToString() => $"array<{ElementType}>";
}

/// <summary>map&lt;key, value&gt;: a <see cref="Dictionary{TKey, TValue}"/> of object to object.</summary>
public sealed record MapType(DeltaType KeyType, DeltaType ValueType, bool ValueContainsNull = true) : DeltaType
{
    /// <inheritdoc />
    public override JsonNode ToJson() => new JsonObject
    {
        ["type"] = "map", ["keyType"] = KeyType.ToJson(), ["valueType"] = ValueType.ToJson(), ["valueContainsNull"] = ValueContainsNull,
    };
    /// <inheritdoc />
    public override string ToString() => $"map<{KeyType},{ValueType}>";
}

/// <summary>One named column or struct member.</summary>
public sealed record StructField(string Name, DeltaType Type, bool Nullable = true)
{
    /// <summary>Field metadata (column mapping ids, comments); kept as read.</summary>
    public JsonObject? Metadata { get; init; }

    /// <summary>The JSON form inside a schemaString.</summary>
    public JsonObject ToJson() => new()
    {
        ["name"] = Name, ["type"] = Type.ToJson(), ["nullable"] = Nullable, ["metadata"] = Metadata?.DeepClone() ?? new JsonObject(),
    };

    /// <inheritdoc />
    public bool Equals(StructField? other) => other is not null && other.Name == Name && other.Type == Type && other.Nullable == Nullable;
    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Type, Nullable);
}

/// <summary>A struct: the table schema or a nested struct column (a <see cref="Dictionary{TKey, TValue}"/> of string to object).</summary>
public sealed record StructType : DeltaType
{
    /// <summary>Creates a struct from its fields (names must be unique, case-insensitively as in Spark).</summary>
    public StructType(params IReadOnlyList<StructField> fields)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var f in fields)
            if (!seen.Add(f.Name)) throw new ArgumentException($"duplicate field name '{f.Name}'", nameof(fields));
        Fields = fields;
    }

    /// <summary>The fields in order.</summary>
    public IReadOnlyList<StructField> Fields { get; }

    /// <summary>The field of that name (case-sensitive), or null.</summary>
    public StructField? Find(string name) => IndexOf(name) is >= 0 and int i ? Fields[i] : null;

    /// <summary>The position of the field named <paramref name="name"/> (ordinal), or -1.</summary>
    public int IndexOf(string name)
    {
        for (int i = 0; i < Fields.Count; i++) if (Fields[i].Name == name) return i;
        return -1;
    }

    /// <inheritdoc />
    public override JsonNode ToJson() => new JsonObject { ["type"] = "struct", ["fields"] = new JsonArray(Fields.Select(f => (JsonNode)f.ToJson()).ToArray()) };

    /// <summary>The schemaString form.</summary>
    public string ToJsonString() => ToJson().ToJsonString();

    /// <summary>Parses a schemaString.</summary>
    public static StructType Parse(string schemaString) => FromJson(JsonNode.Parse(schemaString)?.AsObject() ?? throw new FormatException("empty schema"));

    internal static StructType FromJson(JsonObject o) => new((o["fields"]?.AsArray() ?? []).Select(f => new StructField(
        (string?)f!["name"] ?? throw new FormatException("field without name"), DeltaType.FromJson(f["type"]), (bool?)f["nullable"] ?? true)
        { Metadata = f["metadata"] as JsonObject }).ToList());

    /// <inheritdoc />
    public bool Equals(StructType? other) => other is not null && Fields.SequenceEqual(other.Fields);
    /// <inheritdoc />
    public override int GetHashCode() => Fields.Count;
    /// <inheritdoc />
    public override string ToString() => "struct<" + string.Join(",", Fields.Select(f => f.Name + ":" + f.Type)) + ">";
}
