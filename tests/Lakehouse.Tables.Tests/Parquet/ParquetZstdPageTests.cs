using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Lakehouse.Tables.Parquet;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;
using Parquet;

namespace Lakehouse.Tables.Tests.BufferWriter;

/// <summary>
/// zstd page bodies from <see cref="ZstdPageCompressor"/>: both implementations (the system's libzstd and the ZstdSharp
/// fallback, forced explicitly so both stay tested on a machine that has libzstd) write frames ZstdSharp's decoder
/// restores exactly, and files written with either read back in DuckDB, our snapshot reader and delta-check.
/// </summary>
public sealed class ParquetZstdPageTests
{
    // Test methods are public, the implementation switch internal: theories take native = true / false.
    private static ZstdImplementation Implementation(bool native) => native ? ZstdImplementation.Native : ZstdImplementation.Managed;

    public static TheoryData<bool, string> Inputs()
    {
        var data = new TheoryData<bool, string>();
        foreach (bool native in new[] { true, false })
            foreach (string input in new[] { "empty", "one-byte", "random-1k", "random-300k", "json-300k", "json-3m" })
                data.Add(native, input);
        return data;
    }

    // Random bytes (incompressible: the frame falls back to raw blocks) and DICOM-JSON-like text, some larger than
    // zstd's 128 KiB block so a frame holds several blocks.
    private static byte[] Input(string name) => name switch
    {
        "empty" => [],
        "one-byte" => [0x7B],
        "random-1k" => RandomBytes(1024, 1),
        "random-300k" => RandomBytes(300 * 1024, 2),
        "json-300k" => JsonLike(300 * 1024, 3),
        "json-3m" => JsonLike(3 << 20, 4),
        _ => throw new ArgumentException(name),
    };

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] JsonLike(int length, int seed)
    {
        var random = new Random(seed);
        string[] vrs = ["CS", "DA", "UI", "LO", "PN", "DS", "IS", "SH", "TM"];
        var sb = new StringBuilder(length + 100).Append('{');
        for (int t = 0; sb.Length < length; t++)
            sb.Append(CultureInfo.InvariantCulture, $"\"{0x00080000 + t % 400 * 0x11:X8}\":{{\"vr\":\"{vrs[t % vrs.Length]}\",\"Value\":[\"{random.Next(100000)}.{t % 7}\"]}},");
        return Encoding.UTF8.GetBytes(sb.ToString(0, length));
    }

    [Fact]
    public void Libzstd_loads_on_this_machine_and_is_the_default()
    {
        // Debian ships libzstd.so.1 (dpkg links it): if this fails, the native path below would not be tested at all.
        ZstdPageCompressor.NativeAvailable.Should().BeTrue();
        NativeZstd.Version.Should().MatchRegex(@"^1\.\d+\.\d+$");
        using var compressor = ZstdPageCompressor.Create(ParquetBufferWriter.ZstdLevel);
        compressor.Implementation.Should().Be(ZstdImplementation.Native);
        using var writer = new ParquetBufferWriter(new MemoryStream(), ParquetBufferWriterTests.Schema, CompressionMethod.Zstd);
        writer.ZstdImplementation.Should().Be(ZstdImplementation.Native, "files use libzstd where it loads");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(128 * 1024)]
    [InlineData(128 * 1024 + 1)]
    [InlineData(1 << 20)]
    [InlineData(3 << 20)]
    public void The_room_reserved_for_a_frame_is_libzstd_s_own_bound(int length)
    {
        ZstdPageCompressor.MaxCompressedLength(length).Should().Be((int)NativeZstd.CompressBound(length));
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void A_page_round_trips_through_zstdsharp_s_decoder_as_one_frame(bool native, string input)
    {
        var implementation = Implementation(native);
        var source = Input(input);
        using var compressor = ZstdPageCompressor.Create(ParquetBufferWriter.ZstdLevel, implementation);
        compressor.Implementation.Should().Be(implementation);
        var frame = new byte[ZstdPageCompressor.MaxCompressedLength(source.Length)];
        int length = compressor.Compress(source, frame);

        // One frame: the zstd magic number, and the decoder consumes exactly the bytes written.
        frame.AsSpan(0, 4).ToArray().Should().Equal(0x28, 0xB5, 0x2F, 0xFD);
        using var decompressor = new ZstdSharp.Decompressor();
        ZstdSharp.Decompressor.GetDecompressedSize(frame.AsSpan(0, length)).Should().Be((ulong)source.Length, "the frame header records the page's size");
        decompressor.Unwrap(frame.AsSpan(0, length)).ToArray().Should().Equal(source);
        if (input.StartsWith("json", StringComparison.Ordinal)) length.Should().BeLessThan(source.Length / 5, "JSON text compresses");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void One_reused_context_compresses_page_after_page_independently(bool native)
    {
        var implementation = Implementation(native);
        using var compressor = ZstdPageCompressor.Create(ParquetBufferWriter.ZstdLevel, implementation);
        using var decompressor = new ZstdSharp.Decompressor();
        // Large, small, empty, large again: no state from one page may leak into the next frame.
        foreach (var source in new[] { JsonLike(200_000, 5), Encoding.UTF8.GetBytes("PATIENT"), [], JsonLike(150_000, 6), RandomBytes(5000, 7) })
        {
            var frame = new byte[ZstdPageCompressor.MaxCompressedLength(source.Length)];
            int length = compressor.Compress(source, frame);
            decompressor.Unwrap(frame.AsSpan(0, length)).ToArray().Should().Equal(source);
        }
    }

    [Fact]
    public void Native_and_managed_frames_are_about_the_same_size_at_the_file_level()
    {
        var source = JsonLike(1 << 20, 8);
        int Size(ZstdImplementation implementation)
        {
            using var compressor = ZstdPageCompressor.Create(ParquetBufferWriter.ZstdLevel, implementation);
            return compressor.Compress(source, new byte[ZstdPageCompressor.MaxCompressedLength(source.Length)]);
        }
        // Both are zstd's level-1 algorithm (ZstdSharp is a port): a large gap would mean another level or a broken binding.
        ((double)Size(ZstdImplementation.Native) / Size(ZstdImplementation.Managed)).Should().BeInRange(0.95, 1.05);
    }

    [Fact]
    public void A_disposed_compressor_refuses_to_compress()
    {
        var compressor = ZstdPageCompressor.Create(ParquetBufferWriter.ZstdLevel, ZstdImplementation.Native);
        compressor.Dispose();
        compressor.Dispose();
        var act = () => compressor.Compress([1, 2, 3], new byte[64]);
        act.Should().Throw<ObjectDisposedException>();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_destination_too_small_is_a_clear_error_not_a_crash(bool native)
    {
        var source = RandomBytes(4096, 9);
        using var compressor = ZstdPageCompressor.Create(ParquetBufferWriter.ZstdLevel, Implementation(native));
        var act = () => compressor.Compress(source, new byte[100]);
        act.Should().Throw<InvalidOperationException>().WithMessage("zstd compression failed: *");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_file_written_with_either_implementation_reads_back_in_duckdb_our_reader_and_delta_check(bool native)
    {
        var implementation = Implementation(native);
        using var tmp = new TempDirectory("pq-zstd-" + implementation);
        var table = DeltaTable.Create(tmp.Path, ParquetBufferWriterTests.DeltaSchema);
        string file = tmp.Combine($"part-00000-{Guid.NewGuid()}-c000.zstd.parquet");
        // 256 + 1 + 300 rows: the 20 KB strings make tags_json pages of ~1 MiB (several zstd blocks each) and chunks of two pages.
        int[] groups = [256, 1, 300];
        using (var stream = new FileStream(file, FileMode.CreateNew))
        using (var writer = new ParquetBufferWriter(stream, ParquetBufferWriterTests.DeltaSchema, CompressionMethod.Zstd, ParquetBufferWriter.ZstdLevel, implementation))
        {
            writer.ZstdImplementation.Should().Be(implementation);
            var buffers = new ColumnBuffers(ParquetBufferWriterTests.DeltaSchema);
            int start = 0;
            foreach (int g in groups)
            {
                buffers.Clear();
                ParquetBufferWriterTests.Fill(buffers, start, g);
                writer.WriteRowGroup(buffers);
                start += g;
            }
            writer.Finish();
        }
        var txn = table.NewTransaction(DeltaOperation.Append);
        txn.AddFile(file);
        txn.Commit();

        var expected = ParquetBufferWriterTests.Expected(ParquetBufferWriterTests.DeltaSchema, groups.Sum());
        TestSupport.DuckDbRows([file], ParquetBufferWriterTests.DeltaColumns).Should().Equal(expected, "DuckDB (its own zstd) reads the file");
        TestSupport.Rendered(table.Snapshot().ReadRows(), ParquetBufferWriterTests.DeltaColumns).Should().Equal(expected, "our snapshot reader (Parquet.Net, ZstdSharp's decoder) reads the file");
        RoundTripTests.AssertValid(tmp.Path);

        using var conn = new DuckDBConnection("Data Source=:memory:");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT DISTINCT compression FROM parquet_metadata('{file}')";
        cmd.ExecuteScalar().Should().Be("ZSTD");
        cmd.CommandText = $"SELECT max(total_uncompressed_size) FROM parquet_metadata('{file}') WHERE path_in_schema = 'tags_json'";
        Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture).Should().BeGreaterThan(ParquetBufferWriter.PageBytes, "a chunk of more than one page");
    }
}
