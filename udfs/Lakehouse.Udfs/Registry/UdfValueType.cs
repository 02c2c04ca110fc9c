namespace Lakehouse.Udfs.Registry;

/// <summary>The scalar types a UDF may take or return; the same set maps onto DuckDB and Spark SQL types.</summary>
public enum UdfValueType
{
    /// <summary>Text: C# <see cref="string"/>, SQL VARCHAR / STRING.</summary>
    String,
    /// <summary>64-bit integer: C# <see cref="long"/>, SQL BIGINT.</summary>
    Int64,
    /// <summary>32-bit integer: C# <see cref="int"/>, SQL INTEGER / INT.</summary>
    Int32,
    /// <summary>Double precision float: C# <see cref="double"/>, SQL DOUBLE.</summary>
    Double,
    /// <summary>Boolean: C# <see cref="bool"/>, SQL BOOLEAN.</summary>
    Boolean,
    /// <summary>Calendar date: C# <see cref="DateOnly"/>, SQL DATE.</summary>
    Date,
    /// <summary>Bytes: C# byte[], SQL BLOB / BINARY.</summary>
    Binary,
}

/// <summary>Mapping of <see cref="UdfValueType"/> to CLR and SQL type names.</summary>
public static class UdfValueTypes
{
    /// <summary>The value type of a CLR type (a <see cref="Nullable{T}"/> maps to its underlying type).</summary>
    /// <exception cref="NotSupportedException">The type is not one of the supported scalar types.</exception>
    public static UdfValueType Of(Type clrType)
    {
        Type t = Nullable.GetUnderlyingType(clrType) ?? clrType;
        if (t == typeof(string)) return UdfValueType.String;
        if (t == typeof(long)) return UdfValueType.Int64;
        if (t == typeof(int)) return UdfValueType.Int32;
        if (t == typeof(double)) return UdfValueType.Double;
        if (t == typeof(bool)) return UdfValueType.Boolean;
        if (t == typeof(DateOnly)) return UdfValueType.Date;
        if (t == typeof(byte[])) return UdfValueType.Binary;
        throw new NotSupportedException($"UDF values must be string, long, int, double, bool, DateOnly or byte[], not {t.Name}");
    }

    /// <summary>The DuckDB type name.</summary>
    public static string DuckDbName(this UdfValueType type) => type switch
    {
        UdfValueType.String => "VARCHAR",
        UdfValueType.Int64 => "BIGINT",
        UdfValueType.Int32 => "INTEGER",
        UdfValueType.Double => "DOUBLE",
        UdfValueType.Boolean => "BOOLEAN",
        UdfValueType.Date => "DATE",
        UdfValueType.Binary => "BLOB",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The Spark SQL type name.</summary>
    public static string SparkName(this UdfValueType type) => type switch
    {
        UdfValueType.String => "STRING",
        UdfValueType.Int64 => "BIGINT",
        UdfValueType.Int32 => "INT",
        UdfValueType.Double => "DOUBLE",
        UdfValueType.Boolean => "BOOLEAN",
        UdfValueType.Date => "DATE",
        UdfValueType.Binary => "BINARY",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
