using System.Text;
using Lakehouse.Tables.Schema;

namespace Lakehouse.Tables.Transaction;

/// <summary>
/// Rows of a flat table in typed, reusable column buffers: the allocation-free counterpart of <see cref="ColumnBatch"/> for
/// writers that append many rows (ingestion). Strings are kept as UTF-8 bytes (as Parquet stores them), dates as days since
/// 1970-01-01 and timestamps as microseconds since the Unix epoch (UTC for <c>timestamp</c>), so values go to the file without
/// boxing or re-encoding. Supported column types: string, binary, long, integer, short, byte, float, double, boolean, date,
/// timestamp, timestamp_ntz, and arrays of the fixed-width ones. Rows are appended a value per column, then
/// <see cref="EndRow"/>; <see cref="Clear"/> empties the buffers and keeps their memory.
/// </summary>
public sealed class ColumnBuffers
{
    private readonly ColumnBuffer[] _columns;

    /// <summary>Creates empty buffers for <paramref name="schema"/>; throws when a column type is not supported.</summary>
    public ColumnBuffers(StructType schema)
    {
        Schema = schema;
        _columns = schema.Fields.Select(ColumnBuffer.For).ToArray();
    }

    /// <summary>The schema the buffers follow, column i of it in <see cref="Column"/>(i).</summary>
    public StructType Schema { get; }

    /// <summary>Completed rows.</summary>
    public int RowCount { get; private set; }

    /// <summary>The buffer of column <paramref name="index"/> (schema order).</summary>
    public ColumnBuffer Column(int index) => _columns[index];

    /// <summary>The buffer of column <paramref name="index"/> as <typeparamref name="T"/> (e.g. <see cref="Utf8ColumnBuffer"/>).</summary>
    public T Column<T>(int index) where T : ColumnBuffer => (T)_columns[index];

    /// <summary>Completes a row: every column must have received exactly one value (or null) since the last row.</summary>
    public void EndRow()
    {
        int expected = RowCount + 1;
        foreach (var c in _columns)
            if (c.Count != expected)
                throw new InvalidOperationException($"column '{c.Field.Name}' has {c.Count} values at the end of row {expected}");
        RowCount = expected;
    }

    /// <summary>Empties every column, keeping the memory for the next rows.</summary>
    public void Clear()
    {
        foreach (var c in _columns) c.Clear();
        RowCount = 0;
    }

    /// <summary>The rows as a <see cref="ColumnBatch"/> in the CLR shapes <see cref="DeltaType"/> documents (tests, slow paths).</summary>
    public ColumnBatch ToColumnBatch() =>
        new(Schema, _columns.Select(c => (System.Collections.IList)Enumerable.Range(0, RowCount).Select(c.ValueAt).ToList()).ToArray());
}

/// <summary>The values of one column of <see cref="ColumnBuffers"/>, with a null flag per row.</summary>
public abstract class ColumnBuffer
{
    private bool[] _nulls = new bool[64];

    private protected ColumnBuffer(StructField field) => Field = field;

    /// <summary>The column.</summary>
    public StructField Field { get; }

    /// <summary>Values (nulls included) appended since the last <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Nulls among them.</summary>
    public int NullCount { get; private set; }

    /// <summary>Per row: true where the value is null.</summary>
    public ReadOnlySpan<bool> Nulls => _nulls.AsSpan(0, Count);

    /// <summary>Appends a null; throws for a non-nullable column.</summary>
    public void AppendNull()
    {
        if (!Field.Nullable) throw new InvalidOperationException($"null in non-nullable column '{Field.Name}'");
        AppendDefaultValue();
        Next(isNull: true);
    }

    /// <summary>The value of row <paramref name="row"/> in the CLR shape <see cref="DeltaType"/> documents (null for null).</summary>
    public abstract object? ValueAt(int row);

    internal virtual void Clear()
    {
        Count = 0;
        NullCount = 0;
    }

    // A null still takes a slot in the dense value arrays, so row i is value i.
    private protected abstract void AppendDefaultValue();

    private protected void Next(bool isNull)
    {
        if (Count == _nulls.Length) Array.Resize(ref _nulls, _nulls.Length * 2);
        _nulls[Count++] = isNull;
        if (isNull) NullCount++;
    }

    internal static ColumnBuffer For(StructField field) => field.Type switch
    {
        PrimitiveType { Name: "string" or "binary" } => new Utf8ColumnBuffer(field),
        PrimitiveType { Name: "long" or "timestamp" or "timestamp_ntz" } => new FixedColumnBuffer<long>(field),
        PrimitiveType { Name: "integer" or "date" } => new FixedColumnBuffer<int>(field),
        PrimitiveType { Name: "short" } => new FixedColumnBuffer<short>(field),
        PrimitiveType { Name: "byte" } => new FixedColumnBuffer<sbyte>(field),
        PrimitiveType { Name: "float" } => new FixedColumnBuffer<float>(field),
        PrimitiveType { Name: "double" } => new FixedColumnBuffer<double>(field),
        PrimitiveType { Name: "boolean" } => new FixedColumnBuffer<bool>(field),
        ArrayType { ElementType: PrimitiveType { Name: "long" or "timestamp" or "timestamp_ntz" } } => new FixedArrayColumnBuffer<long>(field),
        ArrayType { ElementType: PrimitiveType { Name: "integer" or "date" } } => new FixedArrayColumnBuffer<int>(field),
        ArrayType { ElementType: PrimitiveType { Name: "short" } } => new FixedArrayColumnBuffer<short>(field),
        ArrayType { ElementType: PrimitiveType { Name: "byte" } } => new FixedArrayColumnBuffer<sbyte>(field),
        ArrayType { ElementType: PrimitiveType { Name: "float" } } => new FixedArrayColumnBuffer<float>(field),
        ArrayType { ElementType: PrimitiveType { Name: "double" } } => new FixedArrayColumnBuffer<double>(field),
        ArrayType { ElementType: PrimitiveType { Name: "boolean" } } => new FixedArrayColumnBuffer<bool>(field),
        _ => throw new NotSupportedException($"column '{field.Name}' of type {field.Type} has no typed buffer (use ColumnBatch)"),
    };

    // The CLR shape of one stored fixed-width value: dates and timestamps are kept as their Parquet integers.
    private protected object Clr<T>(T value) where T : unmanaged => (Field.Type is ArrayType a ? a.ElementType : Field.Type) switch
    {
        PrimitiveType { Name: "date" } => DateOnly.FromDayNumber(Epoch.DayNumber + (int)(object)value),
        PrimitiveType { Name: "timestamp" } => new DateTime(DateTime.UnixEpoch.Ticks + (long)(object)value * 10, DateTimeKind.Utc),
        PrimitiveType { Name: "timestamp_ntz" } => new DateTime(DateTime.UnixEpoch.Ticks + (long)(object)value * 10, DateTimeKind.Unspecified),
        _ => value,
    };

    private static readonly DateOnly Epoch = new(1970, 1, 1);

    /// <summary>A date as Parquet's DATE: days since 1970-01-01.</summary>
    public static int DateValue(DateOnly date) => date.DayNumber - Epoch.DayNumber;

    /// <summary>A timestamp as Parquet's TIMESTAMP(MICROS): microseconds since the Unix epoch (a local time is converted to UTC first).</summary>
    public static long TimestampValue(DateTime time) =>
        ((time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time).Ticks - DateTime.UnixEpoch.Ticks) / 10;
}

/// <summary>A string (UTF-8) or binary column: the values' bytes back to back, and where each ends.</summary>
public sealed class Utf8ColumnBuffer : ColumnBuffer
{
    private byte[] _data = new byte[4096];
    private int[] _ends = new int[64];
    private int _length;
    private readonly bool _binary;

    internal Utf8ColumnBuffer(StructField field) : base(field) => _binary = field.Type == DeltaType.Binary;

    /// <summary>The bytes of every value, back to back (nulls take none).</summary>
    public ReadOnlySpan<byte> Data => _data.AsSpan(0, _length);

    /// <summary>Per row: the offset in <see cref="Data"/> where its value ends (it starts where the previous one ends).</summary>
    public ReadOnlySpan<int> Ends => _ends.AsSpan(0, Count);

    /// <summary>The bytes of row <paramref name="row"/> (empty for null).</summary>
    public ReadOnlySpan<byte> Value(int row) => _data.AsSpan(row == 0 ? 0 : _ends[row - 1], _ends[row] - (row == 0 ? 0 : _ends[row - 1]));

    /// <summary>Appends a value given as its UTF-8 bytes (for a string column the caller guarantees valid UTF-8).</summary>
    public void Append(ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(Reserve(utf8.Length));
        Commit(utf8.Length);
    }

    /// <summary>Appends a string (encoded to UTF-8), or null.</summary>
    public void Append(string? value)
    {
        if (value is null) { AppendNull(); return; }
        int room = value.Length <= 1024 ? Encoding.UTF8.GetMaxByteCount(value.Length) : Encoding.UTF8.GetByteCount(value);
        Commit(Encoding.UTF8.GetBytes(value, Reserve(room)));
    }

    /// <summary>Space for a value of at most <paramref name="maxBytes"/> bytes; follow with <see cref="Commit"/>.</summary>
    public Span<byte> Reserve(int maxBytes)
    {
        if (_data.Length - _length < maxBytes) Array.Resize(ref _data, Math.Max(_data.Length * 2, _length + maxBytes));
        return _data.AsSpan(_length, maxBytes);
    }

    /// <summary>Completes a value of <paramref name="bytes"/> bytes written into the span <see cref="Reserve"/> gave.</summary>
    public void Commit(int bytes)
    {
        _length += bytes;
        AppendEnd();
        Next(isNull: false);
    }

    /// <inheritdoc/>
    public override object? ValueAt(int row) => Nulls[row] ? null : _binary ? Value(row).ToArray() : Encoding.UTF8.GetString(Value(row));

    internal override void Clear()
    {
        base.Clear();
        _length = 0;
    }

    private protected override void AppendDefaultValue() => AppendEnd();

    private void AppendEnd()
    {
        if (Count == _ends.Length) Array.Resize(ref _ends, _ends.Length * 2);
        _ends[Count] = _length;
    }
}

/// <summary>A fixed-width column: one value per row (a default where null). Dates are days and timestamps microseconds (see <see cref="ColumnBuffer.DateValue"/>).</summary>
/// <typeparam name="T">The stored type: long, int, short, sbyte, float, double or bool.</typeparam>
public sealed class FixedColumnBuffer<T> : ColumnBuffer where T : unmanaged
{
    private T[] _values = new T[64];

    internal FixedColumnBuffer(StructField field) : base(field) { }

    /// <summary>Per row, its value (default where null).</summary>
    public ReadOnlySpan<T> Values => _values.AsSpan(0, Count);

    /// <summary>Appends a value.</summary>
    public void Append(T value)
    {
        if (Count == _values.Length) Array.Resize(ref _values, _values.Length * 2);
        _values[Count] = value;
        Next(isNull: false);
    }

    /// <summary>Appends a value or null.</summary>
    public void Append(T? value)
    {
        if (value is { } v) Append(v);
        else AppendNull();
    }

    /// <inheritdoc/>
    public override object? ValueAt(int row) => Nulls[row] ? null : Clr(_values[row]);

    private protected override void AppendDefaultValue()
    {
        if (Count == _values.Length) Array.Resize(ref _values, _values.Length * 2);
        _values[Count] = default;
    }
}

/// <summary>An array column of fixed-width elements (no null elements): the elements of every row back to back, and where each row's end.</summary>
/// <typeparam name="T">The stored element type (see <see cref="FixedColumnBuffer{T}"/>).</typeparam>
public sealed class FixedArrayColumnBuffer<T> : ColumnBuffer where T : unmanaged
{
    private T[] _elements = new T[64];
    private int[] _ends = new int[64];
    private int _length;

    internal FixedArrayColumnBuffer(StructField field) : base(field) { }

    /// <summary>The elements of every row, back to back.</summary>
    public ReadOnlySpan<T> Elements => _elements.AsSpan(0, _length);

    /// <summary>Per row: where its elements end in <see cref="Elements"/> (a null or empty array takes none).</summary>
    public ReadOnlySpan<int> Ends => _ends.AsSpan(0, Count);

    /// <summary>Appends one row's array (possibly empty).</summary>
    public void Append(ReadOnlySpan<T> values)
    {
        if (_elements.Length - _length < values.Length) Array.Resize(ref _elements, Math.Max(_elements.Length * 2, _length + values.Length));
        values.CopyTo(_elements.AsSpan(_length));
        _length += values.Length;
        AppendEnd();
        Next(isNull: false);
    }

    /// <inheritdoc/>
    public override object? ValueAt(int row)
    {
        if (Nulls[row]) return null;
        int start = row == 0 ? 0 : _ends[row - 1];
        var list = new List<object>(_ends[row] - start);
        foreach (var v in _elements.AsSpan(start, _ends[row] - start)) list.Add(Clr(v));
        return list;
    }

    internal override void Clear()
    {
        base.Clear();
        _length = 0;
    }

    private protected override void AppendDefaultValue() => AppendEnd();

    private void AppendEnd()
    {
        if (Count == _ends.Length) Array.Resize(ref _ends, _ends.Length * 2);
        _ends[Count] = _length;
    }
}
