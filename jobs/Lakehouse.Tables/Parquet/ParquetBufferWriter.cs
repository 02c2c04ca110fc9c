using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using global::Parquet;

namespace Lakehouse.Tables.Parquet;

/// <summary>
/// Writes <see cref="ColumnBuffers"/> straight to a Parquet file (format spec: parquet.thrift, Encodings.md): one row group
/// per <see cref="WriteRowGroup"/>, each column chunk as data pages v1 of about <see cref="PageBytes"/> of PLAIN values
/// with RLE/bit-packed levels, ZSTD (the system's libzstd when it loads, else ZstdSharp: <see cref="ZstdPageCompressor"/>) /
/// SNAPPY / uncompressed. Strings go from the buffers' UTF-8 bytes to the page with one copy, the codec reads the page into
/// the output buffer; no value is boxed. The schema is the one Spark writes for Delta types (see <see cref="ParquetSchemaMapper"/>);
/// arrays are 3-level LISTs. Pages stream to the output as they are built: memory is one page plus the footer.
/// Call <see cref="Finish"/> to write the footer; the output is not closed.
/// </summary>
public sealed class ParquetBufferWriter : IDisposable
{
    /// <summary>Values per data page are cut at about this many bytes (before compression).</summary>
    public const int PageBytes = 1 << 20;

    /// <summary>
    /// The zstd level. Measured on bronze-shaped row groups (parquet-buffer-writer benchmark): level 1 was both the fastest
    /// and the smallest of 1..3 (its 1 MiB pages of JSON text compress better with level 1's parameters). libzstd's negative
    /// levels are at most 1.1-1.7x faster on real tags_json pages for 45-115% bigger output: not worth it.
    /// </summary>
    public const int ZstdLevel = 1;

    private const string CreatedBy = "Lakehouse.Tables parquet writer version 1.0.0 (build lakehouse)";
    private static readonly byte[] Magic = "PAR1"u8.ToArray();

    private readonly Stream _output;
    private readonly Column[] _columns;
    private readonly DataPageEncoder _pages;
    private readonly ByteBuffer _page = new(64 * 1024);
    private readonly ThriftCompactWriter _rowGroups = new(4096);
    private byte[] _levels = new byte[1024];
    private byte[] _repetitions = new byte[1024];
    private long _position;
    private int _rowGroupCount;
    private bool _finished, _disposed;

    /// <summary>Starts a Parquet file on <paramref name="output"/> for rows of <paramref name="schema"/>.</summary>
    /// <param name="output">A new, empty stream (footer offsets count from its start); left open.</param>
    /// <param name="schema">The table's columns, in file order.</param>
    /// <param name="compression">ZSTD, SNAPPY or none.</param>
    /// <param name="zstdLevel">The zstd level (benchmarks compare levels; files use <see cref="ZstdLevel"/>).</param>
    /// <exception cref="NotSupportedException">A column type <see cref="ColumnBuffers"/> cannot hold, or a codec other than ZSTD, SNAPPY or none.</exception>
    public ParquetBufferWriter(Stream output, StructType schema, CompressionMethod compression, int zstdLevel = ZstdLevel)
        : this(output, schema, compression, zstdLevel, zstd: null)
    {
    }

    // zstd forces an implementation (tests keep the managed fallback exercised on machines that have libzstd).
    internal ParquetBufferWriter(Stream output, StructType schema, CompressionMethod compression, int zstdLevel, ZstdImplementation? zstd)
    {
        if (!Supports(compression)) throw new NotSupportedException($"compression {compression} is not written by the buffer writer");
        _output = output;
        Schema = schema;
        _columns = schema.Fields.Select(Column.For).ToArray();
        _pages = new DataPageEncoder(compression, zstdLevel, zstd);
        _output.Write(Magic);
        _position = Magic.Length;
    }

    /// <summary>Which zstd implementation compresses this writer's pages; null when the codec is not ZSTD.</summary>
    internal ZstdImplementation? ZstdImplementation => _pages.ZstdImplementation;

    /// <summary>The schema rows must follow.</summary>
    public StructType Schema { get; }

    /// <summary>Rows written so far.</summary>
    public long RowCount { get; private set; }

    /// <summary>Whether this writer writes <paramref name="compression"/>.</summary>
    public static bool Supports(CompressionMethod compression) => compression is CompressionMethod.None or CompressionMethod.Zstd or CompressionMethod.Snappy;

    /// <summary>Whether every column of <paramref name="schema"/> has a typed buffer (flat primitives, arrays of fixed-width values).</summary>
    public static bool Supports(StructType schema) => schema.Fields.All(f => Column.KindOf(f.Type is ArrayType a ? a.ElementType : f.Type) is not null
        && (f.Type is not ArrayType at || at.ElementType is PrimitiveType { Name: not ("string" or "binary") }));

    /// <summary>
    /// Where <paramref name="actual"/> differs from <paramref name="expected"/>: the first column that is missing, extra,
    /// out of order or of another type or nullability, named with the reason; null when they match.
    /// </summary>
    public static string? SchemaDifference(StructType expected, StructType actual)
    {
        if (ReferenceEquals(expected, actual)) return null;
        for (int i = 0; i < Math.Max(expected.Fields.Count, actual.Fields.Count); i++)
        {
            if (i >= actual.Fields.Count) return $"column '{expected.Fields[i].Name}' is missing from the buffers";
            if (i >= expected.Fields.Count) return $"column '{actual.Fields[i].Name}' is not in the table";
            StructField e = expected.Fields[i], a = actual.Fields[i];
            if (e.Name != a.Name) return $"column {i} is '{a.Name}' in the buffers but '{e.Name}' in the table";
            if (e.Type != a.Type) return $"column '{e.Name}' is {a.Type} in the buffers but {e.Type} in the table";
            if (e.Nullable != a.Nullable) return $"column '{e.Name}' is {(a.Nullable ? "nullable" : "not nullable")} in the buffers but not in the table";
        }
        return null;
    }

    /// <summary>Appends the rows of <paramref name="buffers"/> (same schema as the writer's) as one row group; no rows, no row group.</summary>
    public void WriteRowGroup(ColumnBuffers buffers)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (SchemaDifference(Schema, buffers.Schema) is { } difference) throw new ArgumentException(difference, nameof(buffers));
        int rows = buffers.RowCount;
        if (rows == 0) return;
        long start = _position, uncompressed = 0;
        _rowGroups.BeginStruct();
        _rowGroups.ListField(1, ThriftCompactWriter.TypeStruct, _columns.Length);
        for (int c = 0; c < _columns.Length; c++) uncompressed += WriteChunk(_columns[c], buffers.Column(c), rows);
        _rowGroups.I64(2, uncompressed);
        _rowGroups.I64(3, rows);
        _rowGroups.I64(5, start);
        _rowGroups.I64(6, _position - start);
        _rowGroups.EndStruct();
        _rowGroupCount++;
        RowCount += rows;
    }

    /// <summary>Writes the footer (FileMetaData, its length, "PAR1"). The output stays open.</summary>
    public void Finish()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _finished = true;
        var footer = new ThriftCompactWriter(_rowGroups.Length + 1024);
        footer.BeginStruct();
        footer.I32(1, 1);
        footer.ListField(2, ThriftCompactWriter.TypeStruct, 1 + _columns.Sum(c => c.SchemaElementCount));
        footer.BeginStruct();
        footer.StringField(4, "schema");
        footer.I32(5, _columns.Length);
        footer.EndStruct();
        foreach (var c in _columns) c.WriteSchema(footer);
        footer.I64(3, RowCount);
        footer.ListField(4, ThriftCompactWriter.TypeStruct, _rowGroupCount);
        footer.Raw(_rowGroups.Written);
        footer.StringField(6, CreatedBy);
        // Min/max of every column follow the type's order (signed for ints, unsigned bytes for strings).
        footer.ListField(7, ThriftCompactWriter.TypeStruct, _columns.Length);
        for (int i = 0; i < _columns.Length; i++)
        {
            footer.BeginStruct();
            footer.BeginStruct(1);
            footer.EndStruct();
            footer.EndStruct();
        }
        footer.EndStruct();
        int length = footer.Length;
        footer.Int32LittleEndian(length);
        footer.Raw(Magic);
        _output.Write(footer.Written);
        _position += footer.Length;
    }

    /// <summary>Releases the compressor and returns the page buffers to the pool (the output is the caller's).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = _finished = true;
        _pages.Dispose();
        _page.Dispose();
    }

    // One column chunk: its pages, then its ColumnChunk metadata into the row group's. Returns its uncompressed size.
    private long WriteChunk(Column column, ColumnBuffer buffer, int rows)
    {
        long chunkStart = _position, uncompressed = 0, levelCount = 0;
        int row = 0;
        ReadOnlySpan<byte> min = default, max = default;
        bool hasMinMax = false;
        if (buffer is PagedUtf8ColumnBuffer paged)
        {
            // Its pages are encoded already: they go out as they are.
            if (paged.Compression != _pages.Compression)
                throw new ArgumentException($"column '{paged.Field.Name}' holds {paged.Compression} pages, the file is {_pages.Compression}", nameof(buffer));
            var pages = paged.FinishPages(rows, out uncompressed, out hasMinMax, out min, out max);
            _output.Write(pages);
            _position += pages.Length;
            levelCount = rows;
            row = rows;
        }
        while (row < rows)
        {
            int end = column.PageEnd(buffer, row, rows);
            _page.Clear();
            int levels = column.WritePage(buffer, row, end, _page, this);
            uncompressed += WritePage(levels);
            levelCount += levels;
            row = end;
        }
        var m = _rowGroups;
        m.BeginStruct();
        m.I64(2, chunkStart);
        m.BeginStruct(3);
        m.I32(1, (int)column.Physical);
        bool hasLevels = column.MaxDefinition > 0;
        m.ListField(2, ThriftCompactWriter.TypeI32, hasLevels ? 2 : 1);
        m.I32Value(0); // PLAIN
        if (hasLevels) m.I32Value(3); // RLE
        m.ListField(3, ThriftCompactWriter.TypeBinary, column.Path.Length);
        foreach (string p in column.Path) m.StringValue(p);
        m.I32(4, _pages.Codec);
        m.I64(5, levelCount);
        m.I64(6, uncompressed);
        m.I64(7, _position - chunkStart);
        m.I64(9, chunkStart);
        if (buffer is PagedUtf8ColumnBuffer) Column.WriteStatistics(buffer.NullCount, hasMinMax, min, max, m);
        else column.WriteStatistics(buffer, rows, m);
        m.EndStruct();
        m.EndStruct();
        return uncompressed;
    }

    // Writes the page in _page (compressed when a codec is set) with its header; returns header + uncompressed body bytes.
    private long WritePage(int levelCount)
    {
        var page = _pages.Encode(_page.Written, levelCount, out long uncompressed);
        _output.Write(page);
        _position += page.Length;
        return uncompressed;
    }

    private Span<byte> Levels(int count)
    {
        if (_levels.Length < count) _levels = new byte[Math.Max(count, _levels.Length * 2)];
        return _levels.AsSpan(0, count);
    }

    private Span<byte> Repetitions(int count)
    {
        if (_repetitions.Length < count) _repetitions = new byte[Math.Max(count, _repetitions.Length * 2)];
        return _repetitions.AsSpan(0, count);
    }

    private enum PhysicalType { Boolean = 0, Int32 = 1, Int64 = 2, Float = 4, Double = 5, ByteArray = 6 }

    private enum Kind { Utf8, Int64, Int32, Int16, Int8, Float, Double, Boolean }

    // One top-level column: its Parquet schema elements, how its pages and statistics are written.
    private sealed class Column
    {
        private readonly StructField _field;
        private readonly PrimitiveType _leafType;
        private readonly Kind _kind;
        private readonly bool _list, _elementNullable;

        private Column(StructField field)
        {
            _field = field;
            _list = field.Type is ArrayType;
            _leafType = (PrimitiveType)(field.Type is ArrayType a ? a.ElementType : field.Type);
            _elementNullable = field.Type is ArrayType { ContainsNull: true };
            _kind = KindOf(_leafType) ?? throw new NotSupportedException($"column '{field.Name}' of type {field.Type} is not written by the buffer writer");
            if (_list && _kind == Kind.Utf8) throw new NotSupportedException($"column '{field.Name}': arrays of strings or binary are not written by the buffer writer");
            Physical = _kind switch
            {
                Kind.Utf8 => PhysicalType.ByteArray, Kind.Int64 => PhysicalType.Int64, Kind.Float => PhysicalType.Float,
                Kind.Double => PhysicalType.Double, Kind.Boolean => PhysicalType.Boolean, _ => PhysicalType.Int32,
            };
            MaxDefinition = (field.Nullable ? 1 : 0) + (_list ? 1 + (_elementNullable ? 1 : 0) : 0);
            Path = _list ? [field.Name, "list", "element"] : [field.Name];
        }

        public static Column For(StructField field) => new(field);

        public static Kind? KindOf(DeltaType type) => type switch
        {
            PrimitiveType { Name: "string" or "binary" } => Kind.Utf8,
            PrimitiveType { Name: "long" or "timestamp" or "timestamp_ntz" } => Kind.Int64,
            PrimitiveType { Name: "integer" or "date" } => Kind.Int32,
            PrimitiveType { Name: "short" } => Kind.Int16,
            PrimitiveType { Name: "byte" } => Kind.Int8,
            PrimitiveType { Name: "float" } => Kind.Float,
            PrimitiveType { Name: "double" } => Kind.Double,
            PrimitiveType { Name: "boolean" } => Kind.Boolean,
            _ => null,
        };

        public PhysicalType Physical { get; }
        public int MaxDefinition { get; }
        public string[] Path { get; }
        public int SchemaElementCount => _list ? 3 : 1;

        public void WriteSchema(ThriftCompactWriter w)
        {
            if (_list)
            {
                w.BeginStruct();
                w.I32(3, _field.Nullable ? 1 : 0);
                w.StringField(4, _field.Name);
                w.I32(5, 1);
                w.I32(6, 3); // converted type LIST
                w.BeginStruct(10);
                w.BeginStruct(3); // logical type LIST
                w.EndStruct();
                w.EndStruct();
                w.EndStruct();
                w.BeginStruct();
                w.I32(3, 2); // REPEATED
                w.StringField(4, "list");
                w.I32(5, 1);
                w.EndStruct();
                WriteLeafSchema(w, "element", _elementNullable);
            }
            else WriteLeafSchema(w, _field.Name, _field.Nullable);
        }

        private void WriteLeafSchema(ThriftCompactWriter w, string name, bool nullable)
        {
            w.BeginStruct();
            w.I32(1, (int)Physical);
            w.I32(3, nullable ? 1 : 0);
            w.StringField(4, name);
            switch (_leafType.Name)
            {
                case "string":
                    w.I32(6, 0); // UTF8
                    LogicalType(w, 1);
                    break;
                case "short":
                case "byte":
                    w.I32(6, _leafType.Name == "short" ? 16 : 15); // INT_16 / INT_8
                    w.BeginStruct(10);
                    w.BeginStruct(10); // INTEGER
                    w.I8Field(1, (sbyte)(_leafType.Name == "short" ? 16 : 8));
                    w.Bool(2, true);
                    w.EndStruct();
                    w.EndStruct();
                    break;
                case "date":
                    w.I32(6, 6); // DATE
                    LogicalType(w, 6);
                    break;
                case "timestamp":
                case "timestamp_ntz":
                    bool utc = _leafType.Name == "timestamp";
                    // TIMESTAMP_MICROS as a converted type means UTC-adjusted: the local-time one has none.
                    if (utc) w.I32(6, 10);
                    w.BeginStruct(10);
                    w.BeginStruct(8); // TIMESTAMP
                    w.Bool(1, utc);
                    w.BeginStruct(2);
                    w.BeginStruct(2); // MICROS
                    w.EndStruct();
                    w.EndStruct();
                    w.EndStruct();
                    w.EndStruct();
                    break;
            }
            w.EndStruct();
        }

        private static void LogicalType(ThriftCompactWriter w, short member)
        {
            w.BeginStruct(10);
            w.BeginStruct(member);
            w.EndStruct();
            w.EndStruct();
        }

        private int ValueWidth => _kind switch { Kind.Int64 or Kind.Double => 8, Kind.Boolean => 1, _ => 4 };

        // The end (exclusive) of the page starting at row `start`: about PageBytes of values, at least one row.
        public int PageEnd(ColumnBuffer buffer, int start, int rows)
        {
            if (_kind == Kind.Utf8)
            {
                var ends = ((Utf8ColumnBuffer)buffer).Ends;
                int from = start == 0 ? 0 : ends[start - 1];
                int end = start + 1;
                // Each value adds its 4-byte length too.
                while (end < rows && ends[end] - from + 4L * (end + 1 - start) <= PageBytes) end++;
                return end;
            }
            if (!_list) return Math.Min(rows, start + Math.Max(1, PageBytes / ValueWidth));
            var arrayEnds = ArrayEnds(buffer);
            int first = start == 0 ? 0 : arrayEnds[start - 1];
            int e = start + 1;
            while (e < rows && (long)(arrayEnds[e] - first) * ValueWidth <= PageBytes) e++;
            return e;
        }

        private ReadOnlySpan<int> ArrayEnds(ColumnBuffer buffer) => _kind switch
        {
            Kind.Int64 => ((FixedArrayColumnBuffer<long>)buffer).Ends,
            Kind.Int32 => ((FixedArrayColumnBuffer<int>)buffer).Ends,
            Kind.Int16 => ((FixedArrayColumnBuffer<short>)buffer).Ends,
            Kind.Int8 => ((FixedArrayColumnBuffer<sbyte>)buffer).Ends,
            Kind.Float => ((FixedArrayColumnBuffer<float>)buffer).Ends,
            Kind.Double => ((FixedArrayColumnBuffer<double>)buffer).Ends,
            _ => ((FixedArrayColumnBuffer<bool>)buffer).Ends,
        };

        // Levels and values of rows [start, end) into `page`; returns the number of levels (the page's num_values).
        public int WritePage(ColumnBuffer buffer, int start, int end, ByteBuffer page, ParquetBufferWriter writer)
        {
            var nulls = buffer.Nulls[start..end];
            if (_list) return WriteListPage(buffer, start, end, page, writer);
            if (_field.Nullable)
            {
                var levels = writer.Levels(nulls.Length);
                for (int i = 0; i < nulls.Length; i++) levels[i] = nulls[i] ? (byte)0 : (byte)1;
                LevelEncoder.Write(levels, 1, page);
            }
            bool anyNull = nulls.Contains(true);
            switch (_kind)
            {
                case Kind.Utf8: WriteByteArrays((Utf8ColumnBuffer)buffer, start, end, anyNull, page); break;
                case Kind.Int64: WriteFixed(((FixedColumnBuffer<long>)buffer).Values[start..end], nulls, anyNull, page); break;
                case Kind.Int32: WriteFixed(((FixedColumnBuffer<int>)buffer).Values[start..end], nulls, anyNull, page); break;
                case Kind.Float: WriteFixed(((FixedColumnBuffer<float>)buffer).Values[start..end], nulls, anyNull, page); break;
                case Kind.Double: WriteFixed(((FixedColumnBuffer<double>)buffer).Values[start..end], nulls, anyNull, page); break;
                case Kind.Int16: WriteWidened(((FixedColumnBuffer<short>)buffer).Values[start..end], nulls, page); break;
                case Kind.Int8: WriteWidened(((FixedColumnBuffer<sbyte>)buffer).Values[start..end], nulls, page); break;
                case Kind.Boolean: WriteBooleans(((FixedColumnBuffer<bool>)buffer).Values[start..end], nulls, page); break;
            }
            return end - start;
        }

        private int WriteListPage(ColumnBuffer buffer, int start, int end, ByteBuffer page, ParquetBufferWriter writer)
        {
            var nulls = buffer.Nulls;
            var ends = ArrayEnds(buffer);
            int first = start == 0 ? 0 : ends[start - 1], last = ends[end - 1];
            // One level per element, plus one per null or empty array.
            int count = 0;
            for (int r = start; r < end; r++) count += Math.Max(1, ends[r] - (r == 0 ? 0 : ends[r - 1]));
            var rep = writer.Repetitions(count);
            var def = writer.Levels(count);
            byte present = (byte)MaxDefinition, empty = (byte)(_field.Nullable ? 1 : 0);
            int k = 0;
            for (int r = start; r < end; r++)
            {
                int n = ends[r] - (r == 0 ? 0 : ends[r - 1]);
                if (n == 0)
                {
                    rep[k] = 0;
                    def[k++] = nulls[r] ? (byte)0 : empty;
                    continue;
                }
                rep[k] = 0;
                def[k++] = present;
                for (int j = 1; j < n; j++)
                {
                    rep[k] = 1;
                    def[k++] = present;
                }
            }
            LevelEncoder.Write(rep, 1, page);
            LevelEncoder.Write(def, LevelEncoder.BitWidth(MaxDefinition), page);
            switch (_kind)
            {
                case Kind.Int64: page.Append(MemoryMarshal.AsBytes(((FixedArrayColumnBuffer<long>)buffer).Elements[first..last])); break;
                case Kind.Int32: page.Append(MemoryMarshal.AsBytes(((FixedArrayColumnBuffer<int>)buffer).Elements[first..last])); break;
                case Kind.Float: page.Append(MemoryMarshal.AsBytes(((FixedArrayColumnBuffer<float>)buffer).Elements[first..last])); break;
                case Kind.Double: page.Append(MemoryMarshal.AsBytes(((FixedArrayColumnBuffer<double>)buffer).Elements[first..last])); break;
                case Kind.Int16: WriteWidened(((FixedArrayColumnBuffer<short>)buffer).Elements[first..last], default, page); break;
                case Kind.Int8: WriteWidened(((FixedArrayColumnBuffer<sbyte>)buffer).Elements[first..last], default, page); break;
                case Kind.Boolean: WriteBooleans(((FixedArrayColumnBuffer<bool>)buffer).Elements[first..last], default, page); break;
            }
            return count;
        }

        // PLAIN BYTE_ARRAY: each present value as its 4-byte little-endian length and its bytes, copied once.
        private static void WriteByteArrays(Utf8ColumnBuffer buffer, int start, int end, bool anyNull, ByteBuffer page)
        {
            var data = buffer.Data;
            var ends = buffer.Ends;
            var nulls = buffer.Nulls;
            int from = start == 0 ? 0 : ends[start - 1];
            int present = anyNull ? end - start - nulls[start..end].Count(true) : end - start;
            var dest = page.Reserve(ends[end - 1] - from + 4 * present);
            int at = 0;
            for (int r = start; r < end; r++)
            {
                int to = ends[r];
                if (anyNull && nulls[r]) { from = to; continue; }
                int length = to - from;
                BinaryPrimitives.WriteInt32LittleEndian(dest[at..], length);
                data[from..to].CopyTo(dest[(at + 4)..]);
                at += 4 + length;
                from = to;
            }
            page.Length += at;
        }

        // PLAIN fixed width: little-endian values of the present rows (this machine is little-endian: .NET on x64/arm64).
        private static void WriteFixed<T>(ReadOnlySpan<T> values, ReadOnlySpan<bool> nulls, bool anyNull, ByteBuffer page) where T : unmanaged
        {
            if (!anyNull)
            {
                page.Append(MemoryMarshal.AsBytes(values));
                return;
            }
            int size = Marshal.SizeOf<T>();
            var dest = MemoryMarshal.Cast<byte, T>(page.Reserve(values.Length * size));
            int n = 0;
            for (int i = 0; i < values.Length; i++)
                if (!nulls[i]) dest[n++] = values[i];
            page.Length += n * size;
        }

        // short and byte are stored as INT32.
        private static void WriteWidened<T>(ReadOnlySpan<T> values, ReadOnlySpan<bool> nulls, ByteBuffer page) where T : unmanaged, IBinaryInteger<T>
        {
            var dest = MemoryMarshal.Cast<byte, int>(page.Reserve(values.Length * 4));
            int n = 0;
            for (int i = 0; i < values.Length; i++)
                if (nulls.IsEmpty || !nulls[i]) dest[n++] = int.CreateTruncating(values[i]);
            page.Length += n * 4;
        }

        // PLAIN BOOLEAN: one bit per present value, least significant bit first.
        private static void WriteBooleans(ReadOnlySpan<bool> values, ReadOnlySpan<bool> nulls, ByteBuffer page)
        {
            var dest = page.Reserve((values.Length + 7) / 8);
            dest.Clear();
            int n = 0;
            for (int i = 0; i < values.Length; i++)
            {
                if (!nulls.IsEmpty && nulls[i]) continue;
                if (values[i]) dest[n >> 3] |= (byte)(1 << (n & 7));
                n++;
            }
            page.Length += (n + 7) / 8;
        }

        // Statistics of a flat column: null_count, and min_value/max_value where the order is certain and the values small.
        public void WriteStatistics(ColumnBuffer buffer, int rows, ThriftCompactWriter m)
        {
            if (_list) return;
            m.BeginStruct(12);
            m.I64(3, buffer.NullCount);
            Span<byte> min = stackalloc byte[8], max = stackalloc byte[8];
            int width = _kind switch
            {
                Kind.Int64 => MinMax(((FixedColumnBuffer<long>)buffer).Values, buffer.Nulls, min, max),
                Kind.Int32 => MinMax(((FixedColumnBuffer<int>)buffer).Values, buffer.Nulls, min, max),
                Kind.Int16 => MinMax(((FixedColumnBuffer<short>)buffer).Values, buffer.Nulls, min, max),
                Kind.Int8 => MinMax(((FixedColumnBuffer<sbyte>)buffer).Values, buffer.Nulls, min, max),
                Kind.Float => FloatMinMax(((FixedColumnBuffer<float>)buffer).Values, buffer.Nulls, min, max),
                Kind.Double => FloatMinMax(((FixedColumnBuffer<double>)buffer).Values, buffer.Nulls, min, max),
                _ => 0,
            };
            if (width > 0)
            {
                m.BinaryField(5, max[..width]);
                m.BinaryField(6, min[..width]);
            }
            else if (_kind == Kind.Utf8) Utf8MinMax((Utf8ColumnBuffer)buffer, rows, m);
            m.EndStruct();
        }

        // Signed integers; short and byte as their INT32. Returns the PLAIN width, 0 when every value is null.
        private static int MinMax<T>(ReadOnlySpan<T> values, ReadOnlySpan<bool> nulls, Span<byte> min, Span<byte> max) where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
        {
            T lo = T.MaxValue, hi = T.MinValue;
            bool any = false;
            for (int i = 0; i < values.Length; i++)
            {
                if (nulls[i]) continue;
                any = true;
                if (values[i] < lo) lo = values[i];
                if (values[i] > hi) hi = values[i];
            }
            if (!any) return 0;
            if (typeof(T) == typeof(long))
            {
                BinaryPrimitives.WriteInt64LittleEndian(min, long.CreateTruncating(lo));
                BinaryPrimitives.WriteInt64LittleEndian(max, long.CreateTruncating(hi));
                return 8;
            }
            BinaryPrimitives.WriteInt32LittleEndian(min, int.CreateTruncating(lo));
            BinaryPrimitives.WriteInt32LittleEndian(max, int.CreateTruncating(hi));
            return 4;
        }

        // Floats: none when a NaN is present (it has no place in the order); a zero min is written -0 and a zero max +0
        // (the spec's rule, since readers cannot tell which zero the data held).
        private static int FloatMinMax<T>(ReadOnlySpan<T> values, ReadOnlySpan<bool> nulls, Span<byte> min, Span<byte> max) where T : unmanaged, IFloatingPointIeee754<T>
        {
            T lo = T.PositiveInfinity, hi = T.NegativeInfinity;
            bool any = false;
            for (int i = 0; i < values.Length; i++)
            {
                if (nulls[i]) continue;
                if (T.IsNaN(values[i])) return 0;
                any = true;
                if (values[i] < lo) lo = values[i];
                if (values[i] > hi) hi = values[i];
            }
            if (!any) return 0;
            if (T.IsZero(lo)) lo = T.NegativeZero;
            if (T.IsZero(hi)) hi = T.Zero;
            MemoryMarshal.Write(min, in lo);
            MemoryMarshal.Write(max, in hi);
            return Marshal.SizeOf<T>();
        }

        // Strings and binary in unsigned byte order, only when both ends are short (a JSON column's 8 KB values would
        // bloat the footer; readers treat absent min/max as unknown).
        private const int MaxStatisticBytes = PagedUtf8ColumnBuffer.MaxStatisticBytes;

        // A string column's statistics from its min/max, as Utf8MinMax finds them.
        public static void WriteStatistics(long nullCount, bool hasMinMax, ReadOnlySpan<byte> min, ReadOnlySpan<byte> max, ThriftCompactWriter m)
        {
            m.BeginStruct(12);
            m.I64(3, nullCount);
            if (hasMinMax)
            {
                m.BinaryField(5, max);
                m.BinaryField(6, min);
            }
            m.EndStruct();
        }

        private static void Utf8MinMax(Utf8ColumnBuffer buffer, int rows, ThriftCompactWriter m)
        {
            var nulls = buffer.Nulls;
            var ends = buffer.Ends;
            var data = buffer.Data;
            int minAt = -1, maxAt = -1;
            ReadOnlySpan<byte> lo = default, hi = default;
            for (int r = 0; r < rows; r++)
            {
                if (nulls[r]) continue;
                int from = r == 0 ? 0 : ends[r - 1];
                var v = data[from..ends[r]];
                if (v.Length > MaxStatisticBytes) return;
                if (minAt < 0 || v.SequenceCompareTo(lo) < 0) { lo = v; minAt = r; }
                if (maxAt < 0 || v.SequenceCompareTo(hi) > 0) { hi = v; maxAt = r; }
            }
            if (minAt < 0) return;
            m.BinaryField(5, hi);
            m.BinaryField(6, lo);
        }
    }
}
