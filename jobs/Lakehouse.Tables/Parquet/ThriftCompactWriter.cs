using System.Buffers.Binary;
using System.Text;

namespace Lakehouse.Tables.Parquet;

/// <summary>
/// The Thrift compact protocol, writing side, as far as Parquet's page headers and footer need it: structs (field-id
/// deltas), i32/i64 as zigzag varints, binary/strings, bools folded into the field type, lists. The bytes accumulate in a
/// reusable buffer (<see cref="Reset"/> keeps it).
/// </summary>
internal sealed class ThriftCompactWriter
{
    // Compact-protocol type ids.
    public const byte TypeTrue = 1, TypeFalse = 2, TypeI8 = 3, TypeI32 = 5, TypeI64 = 6, TypeBinary = 8, TypeList = 9, TypeStruct = 12;

    private byte[] _buffer;
    private int _length;
    // The last field id of each open struct: field headers carry the delta from it.
    private short[] _lastIds = new short[16];
    private int _depth;

    public ThriftCompactWriter(int capacity = 256) => _buffer = new byte[capacity];

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public int Length => _length;

    public void Reset()
    {
        _length = 0;
        _depth = 0;
        _lastIds[0] = 0;
    }

    /// <summary>Starts a struct that is a list element or the top-level value (no field header).</summary>
    public void BeginStruct()
    {
        if (++_depth == _lastIds.Length) Array.Resize(ref _lastIds, _lastIds.Length * 2);
        _lastIds[_depth] = 0;
    }

    /// <summary>Starts a struct-typed field.</summary>
    public void BeginStruct(short id)
    {
        FieldHeader(id, TypeStruct);
        BeginStruct();
    }

    /// <summary>Ends the innermost struct (the stop byte).</summary>
    public void EndStruct()
    {
        WriteByte(0);
        _depth--;
    }

    public void I32(short id, int value)
    {
        FieldHeader(id, TypeI32);
        Varint(ZigZag(value));
    }

    public void I64(short id, long value)
    {
        FieldHeader(id, TypeI64);
        Varint(ZigZag(value));
    }

    public void I8Field(short id, sbyte value)
    {
        FieldHeader(id, TypeI8);
        WriteByte((byte)value);
    }

    public void Bool(short id, bool value) => FieldHeader(id, value ? TypeTrue : TypeFalse);

    public void BinaryField(short id, ReadOnlySpan<byte> value)
    {
        FieldHeader(id, TypeBinary);
        BinaryValue(value);
    }

    public void StringField(short id, string value)
    {
        FieldHeader(id, TypeBinary);
        StringValue(value);
    }

    /// <summary>A list field's header; its <paramref name="count"/> elements follow (values, or structs via <see cref="BeginStruct()"/>).</summary>
    public void ListField(short id, byte elementType, int count)
    {
        FieldHeader(id, TypeList);
        ListHeader(elementType, count);
    }

    public void ListHeader(byte elementType, int count)
    {
        if (count < 15) WriteByte((byte)(count << 4 | elementType));
        else
        {
            WriteByte((byte)(0xF0 | elementType));
            Varint((uint)count);
        }
    }

    /// <summary>An i32 list element (or enum).</summary>
    public void I32Value(int value) => Varint(ZigZag(value));

    public void BinaryValue(ReadOnlySpan<byte> value)
    {
        Varint((uint)value.Length);
        value.CopyTo(Reserve(value.Length));
        _length += value.Length;
    }

    public void StringValue(string value)
    {
        int max = Encoding.UTF8.GetByteCount(value);
        Varint((uint)max);
        _length += Encoding.UTF8.GetBytes(value, Reserve(max));
    }

    /// <summary>Appends bytes already in compact form (a nested list of structs written by another writer).</summary>
    public void Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _length += bytes.Length;
    }

    /// <summary>Appends a 4-byte little-endian integer (the footer length); not Thrift.</summary>
    public void Int32LittleEndian(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);
        _length += 4;
    }

    private void FieldHeader(short id, byte type)
    {
        int delta = id - _lastIds[_depth];
        if (delta is > 0 and <= 15) WriteByte((byte)(delta << 4 | type));
        else
        {
            WriteByte(type);
            Varint(ZigZag(id));
        }
        _lastIds[_depth] = id;
    }

    private static uint ZigZag(int v) => (uint)((v << 1) ^ (v >> 31));

    private static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));

    private void Varint(uint v) => Varint((ulong)v);

    private void Varint(ulong v)
    {
        var span = Reserve(10);
        int i = 0;
        while (v >= 0x80)
        {
            span[i++] = (byte)(v | 0x80);
            v >>= 7;
        }
        span[i++] = (byte)v;
        _length += i;
    }

    private void WriteByte(byte b)
    {
        Reserve(1)[0] = b;
        _length++;
    }

    private Span<byte> Reserve(int bytes)
    {
        if (_buffer.Length - _length < bytes) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        return _buffer.AsSpan(_length, bytes);
    }
}
