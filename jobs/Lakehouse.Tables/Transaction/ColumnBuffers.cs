using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Lakehouse.Tables.Schema;

namespace Lakehouse.Tables.Transaction;

/// <summary>
/// Rows of a flat table in typed, reusable column buffers: the allocation-free counterpart of <see cref="ColumnBatch"/> for
/// writers that append many rows (ingestion). Strings are kept as UTF-8 bytes (as Parquet stores them), dates as days since
/// 1970-01-01 and timestamps as microseconds since the Unix epoch (UTC for <c>timestamp</c>), so values go to the file without
/// boxing or re-encoding. Supported column types: string, binary, long, integer, short, byte, float, double, boolean, date,
/// timestamp, timestamp_ntz, and arrays of the fixed-width ones (with no null elements). Rows are appended a value per
/// column, then <see cref="EndRow"/> (or <see cref="DiscardRow"/> to drop a half-built row); <see cref="Clear"/> empties the
/// buffers and keeps their memory. Readers (writers, statistics) see the completed rows only: the first <see cref="RowCount"/>.
/// <see cref="From"/> and <see cref="Append(ColumnBatch)"/> fill them from a boxed batch, so a writer needs one typed path.
/// </summary>
public sealed class ColumnBuffers
{
    private readonly ColumnBuffer[] _columns;

    /// <summary>Creates empty buffers for <paramref name="schema"/>; throws <see cref="NotSupportedException"/> naming the first unsupported column.</summary>
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

    /// <summary>The buffer of column <paramref name="index"/> as <typeparamref name="T"/> (e.g. <see cref="Utf8ColumnBuffer"/>); throws naming the column when it is another kind.</summary>
    public T Column<T>(int index) where T : ColumnBuffer =>
        _columns[index] as T ?? throw new InvalidCastException(
            $"column '{_columns[index].Field.Name}' of type {_columns[index].Field.Type} is a {Name(_columns[index].GetType())}, not a {Name(typeof(T))}");

    private static string Name(Type t) =>
        t.IsGenericType ? $"{t.Name[..t.Name.IndexOf('`')]}<{string.Join(", ", t.GenericTypeArguments.Select(a => a.Name))}>" : t.Name;

    /// <summary>
    /// Makes string column <paramref name="index"/> encode its values into <paramref name="compression"/>-compressed Parquet
    /// pages as they are appended (<see cref="PagedUtf8ColumnBuffer"/>: for large values, which then pass through memory
    /// once). Only before the first row; the caller disposes the returned buffer when done with these buffers.
    /// </summary>
    public PagedUtf8ColumnBuffer EncodePagesOnAppend(int index, global::Parquet.CompressionMethod compression)
    {
        if (RowCount > 0 || _columns[index].Count > 0)
            throw new InvalidOperationException($"column '{_columns[index].Field.Name}': pages can be encoded on append only from the first row");
        var paged = new PagedUtf8ColumnBuffer(_columns[index].Field, compression);
        _columns[index] = paged;
        return paged;
    }

    /// <summary>The index of the column named <paramref name="name"/> (ordinal), or -1.</summary>
    public int IndexOf(string name) => Schema.IndexOf(name);

    /// <summary>Completes a row: every column must have received exactly one value (or null) since the last row.</summary>
    public void EndRow()
    {
        int expected = RowCount + 1;
        foreach (var c in _columns)
            if (c.Count != expected)
                throw new InvalidOperationException(
                    $"column '{c.Field.Name}' has {c.Count - RowCount} values for row {RowCount} (expected 1); call DiscardRow to drop the row");
        RowCount = expected;
    }

    /// <summary>Drops the values appended since the last completed row (e.g. the source file failed halfway through its row).</summary>
    public void DiscardRow()
    {
        foreach (var c in _columns) c.Truncate(RowCount);
    }

    /// <summary>Empties every column, keeping the memory for the next rows.</summary>
    public void Clear()
    {
        foreach (var c in _columns) c.Truncate(0);
        RowCount = 0;
    }

    /// <summary>The completed rows as a <see cref="ColumnBatch"/> in the CLR shapes <see cref="DeltaType"/> documents (tests, slow paths).</summary>
    public ColumnBatch ToColumnBatch()
    {
        var columns = new IList[_columns.Length];
        for (int i = 0; i < _columns.Length; i++)
        {
            var values = new List<object?>(RowCount);
            for (int r = 0; r < RowCount; r++) values.Add(_columns[i].ValueAt(r));
            columns[i] = values;
        }
        return new ColumnBatch(Schema, columns);
    }

    /// <summary>New buffers with the schema and rows of <paramref name="batch"/> (see <see cref="Append(ColumnBatch)"/>).</summary>
    public static ColumnBuffers From(ColumnBatch batch)
    {
        var buffers = new ColumnBuffers(batch.Schema);
        buffers.Append(batch);
        return buffers;
    }

    /// <summary>
    /// Appends every row of <paramref name="batch"/>. Its columns are matched to these buffers' by name (a column it lacks is
    /// null; one these buffers lack is ignored); values take the CLR shapes <see cref="DeltaType"/> documents, numbers converted
    /// as the Parquet writer converts them, a local <see cref="DateTime"/> or a <see cref="DateTimeOffset"/> to UTC for a
    /// timestamp. A value that does not fit throws naming the column, the row and the reason (never the value); the rows
    /// appended before it stay, the failing one is dropped.
    /// </summary>
    public void Append(ColumnBatch batch) => Append(batch, null);

    /// <summary>Appends rows <paramref name="rows"/> of <paramref name="batch"/>, in that order (e.g. one partition's rows); see <see cref="Append(ColumnBatch)"/>.</summary>
    public void Append(ColumnBatch batch, IReadOnlyList<int>? rows)
    {
        var sources = new IList?[_columns.Length];
        for (int i = 0; i < _columns.Length; i++) sources[i] = batch.Column(_columns[i].Field.Name);
        int count = rows?.Count ?? batch.RowCount;
        for (int n = 0; n < count; n++)
        {
            int r = rows is null ? n : rows[n];
            try
            {
                for (int i = 0; i < _columns.Length; i++)
                {
                    if (sources[i]?[r] is { } v) _columns[i].AppendBoxed(v);
                    else _columns[i].AppendNull();
                }
            }
            catch (Exception e) when (e is InvalidCastException or InvalidOperationException)
            {
                DiscardRow();
                throw new InvalidOperationException($"row {r} of the batch: {e.Message}", e);
            }
            EndRow();
        }
    }
}

/// <summary>The values of one column of <see cref="ColumnBuffers"/>, with a null flag per row.</summary>
public abstract class ColumnBuffer
{
    private bool[] _nulls = new bool[64];

    private protected ColumnBuffer(StructField field) => Field = field;

    /// <summary>The column.</summary>
    public StructField Field { get; }

    /// <summary>Values (nulls included) appended since the last <see cref="ColumnBuffers.Clear"/>, a pending row's included.</summary>
    public int Count { get; private set; }

    /// <summary>Nulls among them.</summary>
    public int NullCount { get; private set; }

    /// <summary>Per value: true where it is null.</summary>
    public ReadOnlySpan<bool> Nulls => _nulls.AsSpan(0, Count);

    /// <summary>Appends a null; throws naming the column when it is not nullable.</summary>
    public void AppendNull()
    {
        if (!Field.Nullable) throw new InvalidOperationException($"null in non-nullable column '{Field.Name}'");
        AppendDefaultValue();
        Next(isNull: true);
    }

    /// <summary>The value of row <paramref name="row"/> in the CLR shape <see cref="DeltaType"/> documents (null for null).</summary>
    public abstract object? ValueAt(int row);

    // Back to the first `count` values (a discarded row, or Clear).
    internal virtual void Truncate(int count)
    {
        NullCount -= _nulls.AsSpan(count, Count - count).Count(true);
        Count = count;
    }

    // One value in a CLR shape of the column's type (ColumnBuffers.Append(ColumnBatch)).
    internal abstract void AppendBoxed(object value);

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

    /// <summary>The fixed-width type of the column, or of its elements for an array.</summary>
    private protected PrimitiveType ValueType => (PrimitiveType)(Field.Type is ArrayType a ? a.ElementType : Field.Type);

    // The CLR shape of one stored fixed-width value: dates and timestamps are kept as their Parquet integers.
    private protected object Clr<T>(T value) where T : unmanaged
    {
        switch (ValueType.Name)
        {
            case "date":
                int days = Unsafe.As<T, int>(ref value);
                if ((ulong)((long)days + EpochDayNumber) > (ulong)DateOnly.MaxValue.DayNumber)
                    throw new InvalidOperationException($"column '{Field.Name}': a date is outside 0001-01-01..9999-12-31");
                return DateOnly.FromDayNumber(EpochDayNumber + days);
            case "timestamp" or "timestamp_ntz":
                long micros = Unsafe.As<T, long>(ref value);
                if (micros < MinMicros || micros > MaxMicros)
                    throw new InvalidOperationException($"column '{Field.Name}': a timestamp is outside 0001-01-01..9999-12-31");
                return new DateTime(DateTime.UnixEpoch.Ticks + micros * 10, ValueType == DeltaType.Timestamp ? DateTimeKind.Utc : DateTimeKind.Unspecified);
            default:
                return value;
        }
    }

    // One boxed value as the stored fixed-width value (numbers converted as ColumnarWriter converts them).
    private protected T Stored<T>(object v) where T : unmanaged => (T)(ValueType.Name switch
    {
        "date" => v is DateOnly d ? DateValue(d) : throw Mismatch(v),
        "timestamp" => v is DateTime t ? TimestampValue(t) : v is DateTimeOffset o ? TimestampValue(o.UtcDateTime) : throw Mismatch(v),
        "timestamp_ntz" => v is DateTime n ? TimestampValue(n) : throw Mismatch(v),
        "boolean" => v is bool b ? b : throw Mismatch(v),
        "long" => Number(v, static x => Convert.ToInt64(x, CultureInfo.InvariantCulture)),
        "integer" => Number(v, static x => Convert.ToInt32(x, CultureInfo.InvariantCulture)),
        "short" => Number(v, static x => Convert.ToInt16(x, CultureInfo.InvariantCulture)),
        "byte" => Number(v, static x => Convert.ToSByte(x, CultureInfo.InvariantCulture)),
        "float" => Number(v, static x => Convert.ToSingle(x, CultureInfo.InvariantCulture)),
        "double" => Number(v, static x => Convert.ToDouble(x, CultureInfo.InvariantCulture)),
        _ => throw Mismatch(v),
    });

    private object Number(object v, Func<object, object> convert)
    {
        try { return convert(v); }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException)
        {
            // Convert's messages quote the value: ours names the column and the reason only (no inner exception to leak it).
            throw new InvalidCastException($"column '{Field.Name}' of type {Field.Type} cannot hold that {v.GetType().Name} value ({e.GetType().Name})");
        }
    }

    private protected InvalidCastException Mismatch(object v) =>
        new($"column '{Field.Name}' of type {Field.Type} cannot hold a {v.GetType().Name}");

    private static readonly int EpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;
    private static readonly long MinMicros = -DateTime.UnixEpoch.Ticks / 10;
    private static readonly long MaxMicros = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    /// <summary>A date as Parquet's DATE: days since 1970-01-01.</summary>
    public static int DateValue(DateOnly date) => date.DayNumber - EpochDayNumber;

    /// <summary>
    /// A timestamp as Parquet's TIMESTAMP(MICROS): microseconds since the Unix epoch (a local time is converted to UTC first;
    /// ticks below a microsecond are dropped, rounding down, also before 1970).
    /// </summary>
    public static long TimestampValue(DateTime time)
    {
        long ticks = (time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time).Ticks - DateTime.UnixEpoch.Ticks;
        return ticks >= 0 ? ticks / 10 : (ticks - 9) / 10;
    }
}

/// <summary>A string (UTF-8) or binary column: the values' bytes back to back, and where each ends.</summary>
public sealed class Utf8ColumnBuffer : ColumnBuffer
{
    private byte[] _data = new byte[4096];
    private int[] _ends = new int[64];
    private int _length;
    private int _reserved = -1;
    private readonly bool _binary;

    internal Utf8ColumnBuffer(StructField field) : base(field) => _binary = field.Type == DeltaType.Binary;

    /// <summary>The bytes of every value, back to back (nulls take none).</summary>
    public ReadOnlySpan<byte> Data => _data.AsSpan(0, _length);

    /// <summary>Per value: the offset in <see cref="Data"/> where it ends (it starts where the previous one ends).</summary>
    public ReadOnlySpan<int> Ends => _ends.AsSpan(0, Count);

    /// <summary>The bytes of row <paramref name="row"/> (empty for null).</summary>
    public ReadOnlySpan<byte> Value(int row)
    {
        int start = row == 0 ? 0 : _ends[row - 1];
        return _data.AsSpan(start, _ends[row] - start);
    }

    /// <summary>Appends a value given as its UTF-8 bytes (for a string column the caller guarantees valid UTF-8).</summary>
    public void Append(ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(Reserve(utf8.Length));
        Commit(utf8.Length);
    }

    /// <summary>Appends a string (encoded to UTF-8; a lone surrogate becomes U+FFFD, as in any UTF-8 file), or null.</summary>
    public void Append(string? value)
    {
        if (value is null) { AppendNull(); return; }
        int room = value.Length <= 1024 ? Encoding.UTF8.GetMaxByteCount(value.Length) : Encoding.UTF8.GetByteCount(value);
        Commit(Encoding.UTF8.GetBytes(value, Reserve(room)));
    }

    /// <summary>Makes room for <paramref name="bytes"/> bytes of values in all, at once (a writer that knows its row group size
    /// skips the doublings on the way).</summary>
    public void EnsureCapacity(int bytes)
    {
        if (_data.Length < bytes) Grow(bytes - _length);
    }

    /// <summary>Space for a value of at most <paramref name="maxBytes"/> bytes; follow with <see cref="Commit"/>.</summary>
    public Span<byte> Reserve(int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if (_data.Length - _length < maxBytes) Grow(maxBytes);
        _reserved = maxBytes;
        return _data.AsSpan(_length, maxBytes);
    }

    // Large text columns (a row group's header JSON) reach megabytes: the new array is not zeroed, only the bytes in use are copied.
    private void Grow(int maxBytes)
    {
        var larger = GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, Math.Max(_data.Length * 2L, (long)_length + maxBytes)));
        _data.AsSpan(0, _length).CopyTo(larger);
        _data = larger;
    }

    /// <summary>Completes a value of <paramref name="bytes"/> bytes written into the span <see cref="Reserve"/> gave.</summary>
    public void Commit(int bytes)
    {
        if (bytes < 0 || bytes > _reserved) // _reserved is -1 when no Reserve is open
            throw new InvalidOperationException($"column '{Field.Name}': Commit({bytes}) after Reserve({_reserved})");
        _reserved = -1;
        _length += bytes;
        AppendEnd();
        Next(isNull: false);
    }

    /// <inheritdoc/>
    public override object? ValueAt(int row) => Nulls[row] ? null : _binary ? Value(row).ToArray() : Encoding.UTF8.GetString(Value(row));

    internal override void Truncate(int count)
    {
        base.Truncate(count);
        _length = count == 0 ? 0 : _ends[count - 1];
        _reserved = -1;
    }

    internal override void AppendBoxed(object value)
    {
        switch (value)
        {
            case string s when !_binary: Append(s); break;
            case byte[] b when _binary: Append(b); break;
            default: throw Mismatch(value);
        }
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

    /// <summary>Per value, itself (default where null).</summary>
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

    internal override void AppendBoxed(object value) => Append(Stored<T>(value));

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

    /// <summary>Per value: where its elements end in <see cref="Elements"/> (a null or empty array takes none).</summary>
    public ReadOnlySpan<int> Ends => _ends.AsSpan(0, Count);

    /// <summary>Appends one row's array (possibly empty).</summary>
    public void Append(ReadOnlySpan<T> values)
    {
        Grow(values.Length);
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
        for (int i = start; i < _ends[row]; i++) list.Add(Clr(_elements[i]));
        return list;
    }

    internal override void Truncate(int count)
    {
        base.Truncate(count);
        _length = count == 0 ? 0 : _ends[count - 1];
    }

    internal override void AppendBoxed(object value)
    {
        if (value is not IEnumerable list || value is string) throw Mismatch(value);
        int start = _length;
        try
        {
            foreach (object? element in list)
            {
                if (element is null) throw new InvalidCastException($"null element in array column '{Field.Name}' (typed buffers keep none)");
                Grow(1);
                _elements[_length++] = Stored<T>(element);
            }
        }
        catch
        {
            _length = start;
            throw;
        }
        AppendEnd();
        Next(isNull: false);
    }

    private protected override void AppendDefaultValue() => AppendEnd();

    private void Grow(int more)
    {
        if (_elements.Length - _length < more) Array.Resize(ref _elements, Math.Max(_elements.Length * 2, _length + more));
    }

    private void AppendEnd()
    {
        if (Count == _ends.Length) Array.Resize(ref _ends, _ends.Length * 2);
        _ends[Count] = _length;
    }
}
