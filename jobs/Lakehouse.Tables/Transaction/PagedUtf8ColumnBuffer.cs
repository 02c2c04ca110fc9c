using System.Buffers.Binary;
using System.Text;
using Lakehouse.Tables.Parquet;
using Lakehouse.Tables.Schema;
using global::Parquet;

namespace Lakehouse.Tables.Transaction;

/// <summary>
/// A string (or binary) column whose values are encoded into compressed Parquet data pages as they are appended, the way
/// parquet-mr's and Arrow's column writers work: a row group then holds its compressed pages and one open page, not
/// every value. For a column of large values (a DICOM header's JSON is kilobytes) that spares the row group's values a
/// round trip through memory: appended into a buffer of megabytes, then read back into pages once it is long cold.
/// Here each value is copied once, into a page that is compressed while still in cache. Pages are cut exactly where
/// <see cref="ParquetBufferWriter"/> cuts a <see cref="Utf8ColumnBuffer"/>'s, with the same levels and statistics, so the
/// file is byte-identical. Values of closed pages are gone: <see cref="ValueAt"/> and discarding reach only the open page,
/// and Delta statistics get no min/max from this column (its null count still counts). Create it with
/// <see cref="ColumnBuffers.EncodePagesOnAppend"/>; <see cref="Dispose"/> frees the compressor.
/// </summary>
public sealed class PagedUtf8ColumnBuffer : ColumnBuffer, IDisposable
{
    private readonly DataPageEncoder _encoder;
    private readonly bool _binary;
    // The open page's values (PLAIN: 4-byte length, bytes) after room for its definition levels, which a page without
    // many nulls encodes in a few bytes: they go right before the values, and the page is compressed where it lies.
    private readonly ByteBuffer _values = new(64 * 1024);
    private const int LevelRoom = 64;
    private readonly ByteBuffer _levelBytes = new(1024);
    private readonly ByteBuffer _body = new(1024);        // a page whose levels need more room: levels, then the values
    private readonly ByteBuffer _pages = new(64 * 1024);  // closed pages, each header + stored body
    private int[] _ends = new int[64];                    // per row of the open page: where its value ends in _values
    private byte[] _levels = new byte[64];
    private int _pageStart;                               // the open page's first row
    private long _pageValueBytes;                         // its values' bytes without length prefixes
    private int _pageCount;
    private long _uncompressed;
    // Parquet statistics as the writer computes them: min/max of the values (unsigned bytes) unless one is too long.
    private readonly byte[] _min = new byte[MaxStatisticBytes], _max = new byte[MaxStatisticBytes];
    private int _minLength = -1, _maxLength = -1;
    private bool _tooLongForStatistics;
    private bool _disposed;

    /// <summary>The longest string min/max the Parquet writer records (longer values leave the column without them).</summary>
    internal const int MaxStatisticBytes = 64;

    internal PagedUtf8ColumnBuffer(StructField field, CompressionMethod compression) : base(field)
    {
        _values.Length = LevelRoom;
        if (field.Type != DeltaType.String && field.Type != DeltaType.Binary)
            throw new ArgumentException($"column '{field.Name}' of type {field.Type}: only string and binary columns are encoded as they are appended", nameof(field));
        _binary = field.Type == DeltaType.Binary;
        _encoder = new DataPageEncoder(compression, ParquetBufferWriter.ZstdLevel);
    }

    /// <summary>The codec of the pages (a file must use the same).</summary>
    public CompressionMethod Compression => _encoder.Compression;

    /// <summary>Closed pages so far (the open one not counted).</summary>
    public int ClosedPages => _pageCount;

    /// <summary>Appends a value given as its UTF-8 bytes (for a string column the caller guarantees valid UTF-8).</summary>
    public void Append(ReadOnlySpan<byte> utf8)
    {
        var to = Reserve(utf8.Length);
        utf8.CopyTo(to);
        Commit(utf8.Length);
    }

    /// <summary>Appends a string (encoded to UTF-8; a lone surrogate becomes U+FFFD), or null.</summary>
    public void Append(string? value)
    {
        if (value is null) { AppendNull(); return; }
        int length = Encoding.UTF8.GetByteCount(value);
        Commit(Encoding.UTF8.GetBytes(value, Reserve(length)));
    }

    // Room for one value of exactly `length` bytes after its length prefix, in the page it belongs to.
    private Span<byte> Reserve(int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        BeforeRow();
        return _values.Reserve(4 + length)[4..];
    }

    private void Commit(int length)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_values.Reserve(4), length);
        _values.Length += 4 + length;
        _pageValueBytes += length;
        EndOfRow();
        Next(isNull: false);
    }

    private protected override void AppendDefaultValue()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        BeforeRow();
        EndOfRow();
    }

    // The writer's cut: a page takes rows while their bytes plus 4 per row stay within PageBytes (at least one row). A
    // page is closed once a kept row no longer fits, when the next row starts: a row that is discarded closes nothing.
    private void BeforeRow()
    {
        int rows = Count - _pageStart;
        if (rows >= 2 && _pageValueBytes + 4L * rows > ParquetBufferWriter.PageBytes) ClosePage(rows - 1);
    }

    private void EndOfRow()
    {
        int row = Count - _pageStart;
        if (row == _ends.Length) Array.Resize(ref _ends, _ends.Length * 2);
        _ends[row] = _values.Length;
    }

    /// <summary>The value of row <paramref name="row"/> when it is still in the open page.</summary>
    /// <exception cref="NotSupportedException">The row's page is closed: its values are compressed.</exception>
    public override object? ValueAt(int row)
    {
        if (row < _pageStart)
            throw new NotSupportedException($"column '{Field.Name}': row {row} is in a closed page (values are encoded as they are appended)");
        if (Nulls[row]) return null;
        var value = OpenPageValue(row - _pageStart);
        return _binary ? value.ToArray() : Encoding.UTF8.GetString(value);
    }

    private ReadOnlySpan<byte> OpenPageValue(int pageRow)
    {
        int start = pageRow == 0 ? LevelRoom : _ends[pageRow - 1];
        return _values.Written[(start + 4).._ends[pageRow]];
    }

    internal override void Truncate(int count)
    {
        if (count == 0)
        {
            base.Truncate(0);
            _values.Length = LevelRoom;
            _pages.Clear();
            _pageStart = _pageCount = 0;
            _pageValueBytes = _uncompressed = 0;
            _minLength = _maxLength = -1;
            _tooLongForStatistics = false;
            return;
        }
        if (count < _pageStart)
            throw new InvalidOperationException($"column '{Field.Name}': rows before {_pageStart} are encoded into closed pages and cannot be discarded");
        base.Truncate(count);
        int rows = count - _pageStart;
        _values.Length = rows == 0 ? LevelRoom : _ends[rows - 1];
        _pageValueBytes = 0;
        for (int r = 0; r < rows; r++) if (!Nulls[_pageStart + r]) _pageValueBytes += OpenPageValue(r).Length;
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

    // Encodes the open page's first `rows` rows (levels for a nullable column, values), compressed with a header, onto the
    // closed pages; the rows after them stay open.
    private void ClosePage(int rows)
    {
        if (rows == 0) return;
        var nulls = Nulls.Slice(_pageStart, rows);
        ObserveStatistics(nulls);
        int end = _ends[rows - 1];
        ReadOnlySpan<byte> body = _values.Written[LevelRoom..end];
        if (Field.Nullable)
        {
            if (_levels.Length < rows) _levels = new byte[Math.Max(rows, _levels.Length * 2)];
            var levels = _levels.AsSpan(0, rows);
            for (int i = 0; i < rows; i++) levels[i] = nulls[i] ? (byte)0 : (byte)1;
            _levelBytes.Clear();
            LevelEncoder.Write(levels, 1, _levelBytes);
            var encoded = _levelBytes.Written;
            if (encoded.Length <= LevelRoom)
            {
                int from = LevelRoom - encoded.Length;
                encoded.CopyTo(_values.At(from, encoded.Length));
                body = _values.Written[from..end];
            }
            else
            {
                _body.Clear();
                _body.Append(encoded);
                _body.Append(body);
                body = _body.Written;
            }
        }
        _pages.Append(_encoder.Encode(body, rows, out long uncompressed));
        _uncompressed += uncompressed;
        _pageCount++;
        // The rows left (at most one) move to the start of the next page.
        int left = Count - _pageStart - rows;
        _values.RemoveRange(LevelRoom, end - LevelRoom);
        _pageStart += rows;
        _pageValueBytes = 0;
        for (int r = 0; r < left; r++)
        {
            _ends[r] = _ends[rows + r] - end + LevelRoom;
            if (!Nulls[_pageStart + r]) _pageValueBytes += OpenPageValue(r).Length;
        }
    }

    private void ObserveStatistics(ReadOnlySpan<bool> nulls)
    {
        if (_tooLongForStatistics) return;
        for (int r = 0; r < nulls.Length; r++)
        {
            if (nulls[r]) continue;
            var v = OpenPageValue(r);
            if (v.Length > MaxStatisticBytes) { _tooLongForStatistics = true; return; }
            if (_minLength < 0 || v.SequenceCompareTo(_min.AsSpan(0, _minLength)) < 0) { v.CopyTo(_min); _minLength = v.Length; }
            if (_maxLength < 0 || v.SequenceCompareTo(_max.AsSpan(0, _maxLength)) > 0) { v.CopyTo(_max); _maxLength = v.Length; }
        }
    }

    /// <summary>
    /// Closes the open page and gives every page of the <paramref name="rows"/> rows, back to back, for a column chunk, with
    /// their size before compression and the statistics' min/max (when <paramref name="hasMinMax"/>).
    /// </summary>
    internal ReadOnlySpan<byte> FinishPages(int rows, out long uncompressed, out bool hasMinMax, out ReadOnlySpan<byte> min, out ReadOnlySpan<byte> max)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (rows != Count)
            throw new InvalidOperationException($"column '{Field.Name}' holds {Count} values for {rows} rows: a row is still open");
        BeforeRow();
        ClosePage(Count - _pageStart);
        uncompressed = _uncompressed;
        hasMinMax = !_tooLongForStatistics && _minLength >= 0;
        min = hasMinMax ? _min.AsSpan(0, _minLength) : default;
        max = hasMinMax ? _max.AsSpan(0, _maxLength) : default;
        return _pages.Written;
    }

    /// <summary>Frees the compressor and returns the page buffers to the pool.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _encoder.Dispose();
        _values.Dispose();
        _body.Dispose();
        _levelBytes.Dispose();
        _pages.Dispose();
    }
}
