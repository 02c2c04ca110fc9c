using global::Parquet;

namespace Lakehouse.Tables.Parquet;

/// <summary>
/// Turns a data page body (levels and PLAIN values, as Parquet's data page v1 lays them out) into the bytes a column chunk
/// stores: the page header, then the body compressed with the chunk's codec. One place for the page format, used by
/// <see cref="ParquetBufferWriter"/> for every column and by <see cref="Transaction.PagedUtf8ColumnBuffer"/>, which encodes
/// its pages as values arrive. Reuses its compressor and buffers from page to page; not thread-safe.
/// </summary>
internal sealed class DataPageEncoder : IDisposable
{
    // A data page header (thrift compact: three i32 fields and a struct of four) takes at most ~40 bytes.
    private const int MaxPageHeaderBytes = 64;

    private readonly CompressionMethod _compression;
    private readonly ZstdPageCompressor? _zstd;
    private readonly ThriftCompactWriter _header = new();
    private readonly ByteBuffer _encoded = new(64 * 1024);

    /// <summary>An encoder for <paramref name="compression"/> (ZSTD at <paramref name="zstdLevel"/>, SNAPPY or none).</summary>
    public DataPageEncoder(CompressionMethod compression, int zstdLevel, ZstdImplementation? zstd = null)
    {
        if (compression is not (CompressionMethod.None or CompressionMethod.Zstd or CompressionMethod.Snappy))
            throw new NotSupportedException($"compression {compression} is not written by the buffer writer");
        _compression = compression;
        if (compression == CompressionMethod.Zstd) _zstd = ZstdPageCompressor.Create(zstdLevel, zstd);
    }

    /// <summary>The codec pages are compressed with.</summary>
    public CompressionMethod Compression => _compression;

    /// <summary>Which zstd implementation compresses pages; null when the codec is not ZSTD.</summary>
    public ZstdImplementation? ZstdImplementation => _zstd?.Implementation;

    /// <summary>The codec's number in the column chunk metadata (parquet.thrift CompressionCodec).</summary>
    public int Codec => _compression switch { CompressionMethod.Snappy => 1, CompressionMethod.Zstd => 6, _ => 0 };

    /// <summary>
    /// Encodes one page of <paramref name="levelCount"/> values (levels count nulls too) whose body is <paramref name="body"/>.
    /// Returns header and stored body back to back (valid until the next call) and, in <paramref name="uncompressed"/>,
    /// what the page counts towards the chunk's uncompressed size (header + body before compression).
    /// </summary>
    public ReadOnlySpan<byte> Encode(ReadOnlySpan<byte> body, int levelCount, out long uncompressed)
    {
        _encoded.Clear();
        if (_compression == CompressionMethod.None)
        {
            _encoded.Append(PageHeader(body.Length, body.Length, levelCount));
            _encoded.Append(body);
            uncompressed = _encoded.Length;
            return _encoded.Written;
        }
        // The body is compressed right after room for the header, which is then put just before it: one contiguous page.
        int bound = _zstd is not null ? ZstdPageCompressor.MaxCompressedLength(body.Length) : Snappier.Snappy.GetMaxCompressedLength(body.Length);
        var room = _encoded.Reserve(MaxPageHeaderBytes + bound);
        int stored = _zstd is not null ? _zstd.Compress(body, room[MaxPageHeaderBytes..]) : Snappier.Snappy.Compress(body, room[MaxPageHeaderBytes..]);
        var header = PageHeader(body.Length, stored, levelCount);
        int from = MaxPageHeaderBytes - header.Length;
        header.CopyTo(room[from..]);
        uncompressed = header.Length + body.Length;
        return room[from..(MaxPageHeaderBytes + stored)];
    }

    private ReadOnlySpan<byte> PageHeader(int uncompressed, int stored, int levelCount)
    {
        var h = _header;
        h.Reset();
        h.BeginStruct();
        h.I32(1, 0); // DATA_PAGE
        h.I32(2, uncompressed);
        h.I32(3, stored);
        h.BeginStruct(5);
        h.I32(1, levelCount);
        h.I32(2, 0); // PLAIN
        h.I32(3, 3); // RLE
        h.I32(4, 3);
        h.EndStruct();
        h.EndStruct();
        return h.Written;
    }

    /// <summary>Frees the compressor and returns the buffer to the pool.</summary>
    public void Dispose()
    {
        _zstd?.Dispose();
        _encoded.Dispose();
    }
}
