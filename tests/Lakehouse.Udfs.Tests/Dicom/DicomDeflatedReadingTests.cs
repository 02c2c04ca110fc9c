using System.Buffers.Binary;
using System.IO.Compression;
using FsCheck.Xunit;
using Lakehouse.Udfs.Dicom;
using Lakehouse.Udfs.Dicom.Json;
using Lakehouse.Udfs.Dicom.Reading;
using Lakehouse.Udfs.Dicom.Writing;

using Lakehouse.Testing;

namespace Lakehouse.Udfs.Tests.Dicom;

/// <summary>
/// Deflated Explicit VR Little Endian is inflated only up to the stop tag. The oracle for every result is the reading of
/// the whole inflated data set (inflated here by the framework's DeflateStream) through the non-deflated path.
/// </summary>
public class DicomDeflatedReadingTests
{
    private static readonly string[] DeflatedCorpus =
    [
        DicomOracles.PydicomFile("test_files", "image_dfl.dcm"),
        Lakehouse.Testing.RepoPaths.SharedFile("deid", "synthphi-v1", "p5_ot_deflate.dcm"),
    ];

    private static readonly byte[] PixelDataHeader = [0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'W'];

    // The synthphi CT header as a realistic 512x512 16-bit slice (12 bits of noisy disc phantom), written deflated.
    private static byte[] RealisticDeflatedCt(Action<DicomDataset>? change = null)
    {
        var source = DicomFileReader.ReadHeader(File.ReadAllBytes(Lakehouse.Testing.RepoPaths.SharedFile("deid", "synthphi-v1", "p1_ct_s1_se1_i1.dcm")), "ct");
        source.IsSuccess.Should().BeTrue(source.Error?.ToString());
        var ds = source.Dataset!;
        ds.Set(DicomElement.FromUInt16(DicomTags.Rows, 512));
        ds.Set(DicomElement.FromUInt16(DicomTags.Columns, 512));
        var pixels = new byte[512 * 512 * 2];
        var rng = new Random(11);
        for (int i = 0, y = 0; y < 512; y++)
            for (int x = 0; x < 512; x++, i += 2)
            {
                int d2 = (x - 256) * (x - 256) + (y - 256) * (y - 256);
                int v = d2 < 40_000 ? 1000 + rng.Next(256) + d2 / 100 : rng.Next(32);
                BinaryPrimitives.WriteUInt16LittleEndian(pixels.AsSpan(i), (ushort)v);
            }
        ds.Set(DicomElement.FromBytes(DicomTags.PixelData, DicomVR.OW, pixels));
        change?.Invoke(ds);
        var file = new MemoryStream();
        DicomWriter.WriteFile(file, ds, new DicomWriterOptions { TransferSyntax = Udfs.Dicom.Writing.DicomTransferSyntax.DeflatedExplicitVRLittleEndian });
        return file.ToArray();
    }

    // Where the File Meta Information (explicit VR LE group 0002 after preamble and DICM) ends: the deflated data starts.
    private static int MetaEnd(byte[] file)
    {
        int pos = 132;
        while (BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(pos)) == 0x0002)
        {
            bool longLength = DicomVRInfo.HasLongLength(DicomVRInfo.FromBytes(file[pos + 4], file[pos + 5]));
            pos += longLength ? 12 + (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos + 8)) : 8 + BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(pos + 6));
        }
        return pos;
    }

    private static byte[] InflateAll(byte[] file)
    {
        using var inflater = new DeflateStream(new MemoryStream(file, MetaEnd(file), file.Length - MetaEnd(file)), CompressionMode.Decompress);
        var inflated = new MemoryStream();
        inflater.CopyTo(inflated);
        return inflated.ToArray();
    }

    // The reading of a deflated file as it was before: inflate everything, then read the data set (detected as explicit VR LE).
    private static string OracleJson(byte[] file)
    {
        var r = DicomFileReader.ReadHeader(InflateAll(file), "oracle");
        r.IsSuccess.Should().BeTrue(r.Error?.ToString());
        r.TransferSyntax!.Uid.Should().Be("1.2.840.10008.1.2.1");
        return DicomJson.Serialize(r.Dataset!);
    }

    [Fact]
    public void A_realistic_deflated_file_is_read_from_a_fraction_of_its_bytes()
    {
        byte[] file = RealisticDeflatedCt();
        file.Length.Should().BeGreaterThan(300_000, "noisy 512x512 pixels do not deflate away");
        var stream = new CountingReadStream(new MemoryStream(file));
        var r = DicomFileReader.ReadHeader(stream, "ct");
        r.IsSuccess.Should().BeTrue(r.Error?.ToString());
        r.TransferSyntax!.Deflated.Should().BeTrue();
        stream.BytesRead.Should().BeLessThan(file.Length / 4, "pixel data after the header is neither read nor inflated");
        r.HeaderBytes.Should().BeLessThan(file.Length / 4).And.BeGreaterThan(MetaEnd(file));
        r.Keys!.Rows.Should().Be(512);
        string expected = OracleJson(file);
        DicomJson.Serialize(r.Dataset!).Should().Be(expected);
        var fromSpan = DicomFileReader.ReadHeader(file, "ct");
        DicomJson.Serialize(fromSpan.Dataset!).Should().Be(expected);
        fromSpan.HeaderBytes.Should().BeLessThan(file.Length / 4);
    }

    [Fact]
    public void Deflated_corpus_files_read_as_the_whole_inflated_data_set_from_span_and_stream()
    {
        foreach (string path in DeflatedCorpus)
        {
            byte[] file = File.ReadAllBytes(path);
            string expected = OracleJson(file);
            string name = Path.GetFileName(path);
            var fromSpan = DicomFileReader.ReadHeader(file, name);
            fromSpan.IsSuccess.Should().BeTrue(fromSpan.Error?.ToString());
            fromSpan.TransferSyntax!.Deflated.Should().BeTrue(name);
            DicomJson.Serialize(fromSpan.Dataset!).Should().Be(expected, name);
            fromSpan.HeaderBytes.Should().BeLessThanOrEqualTo(file.Length);
            var fromStream = DicomFileReader.ReadHeader(new MemoryStream(file), name);
            DicomJson.Serialize(fromStream.Dataset!).Should().Be(expected, name);
        }
    }

    [Fact]
    public void An_inflated_piece_ending_between_two_elements_is_not_the_end_of_the_header()
    {
        // Pieces of 4 KiB, 8 KiB... are inflated: make a top-level element start exactly at a piece's end, before Pixel Data.
        var filler = new DicomTag(0x0029, 0x1010);
        var after = new DicomTag(0x0029, 0x1020);
        byte[] marker = [0x29, 0x00, 0x20, 0x10, (byte)'I', (byte)'S'];
        void Add(DicomDataset ds, int fillerLength)
        {
            ds.Set(DicomElement.FromBytes(filler, DicomVR.OB, new byte[fillerLength]));
            ds.Set(DicomElement.FromText(after, DicomVR.IS, "42"));
        }
        int afterAt = InflateAll(RealisticDeflatedCt(ds => Add(ds, 0))).AsSpan().IndexOf(marker);
        afterAt.Should().BeGreaterThan(0);
        int pieceEnd = DicomFileReader.FirstInflatedChunk;
        while (pieceEnd <= afterAt) pieceEnd *= 2;
        byte[] file = RealisticDeflatedCt(ds => Add(ds, pieceEnd - afterAt));
        InflateAll(file).AsSpan().IndexOf(marker).Should().Be(pieceEnd);
        foreach (var r in new[] { DicomFileReader.ReadHeader(file, "cut"), DicomFileReader.ReadHeader(new MemoryStream(file), "cut") })
        {
            r.IsSuccess.Should().BeTrue(r.Error?.ToString());
            r.Dataset!.Contains(after).Should().BeTrue("the element after the first piece belongs to the header");
            DicomJson.Serialize(r.Dataset).Should().Be(OracleJson(file));
        }
    }

    [Fact]
    public void Truncation_at_every_offset_gives_a_typed_error_or_a_shorter_data_set_never_an_exception()
    {
        byte[] file = File.ReadAllBytes(DeflatedCorpus[0]);
        int metaEnd = MetaEnd(file);
        int inflatedLength = InflateAll(file).Length;
        var reasons = new HashSet<DicomReadErrorReason>();
        for (int n = 0; n <= file.Length; n++)
        {
            byte[] cut = file.AsSpan(0, n).ToArray();
            foreach (var r in new[] { DicomFileReader.ReadHeader(cut, "cut"), DicomFileReader.ReadHeader(new MemoryStream(cut), "cut") })
            {
                if (r.IsSuccess)
                {
                    // A cut between two top-level elements (of the meta, or of the inflated data set) is a shorter file.
                    r.HeaderBytes.Should().BeLessThanOrEqualTo(n);
                    continue;
                }
                if (n > metaEnd) reasons.Add(r.Error!.Reason);
                r.Error!.FileLabel.Should().Be("cut");
                r.Error.Reason.Should().BeOneOf(DicomReadErrorReason.Truncated, DicomReadErrorReason.InvalidDeflateData, DicomReadErrorReason.NotDicom);
                // Walk errors of the deflated part are offsets in the inflated data set.
                r.Error.Offset.Should().BeInRange(0, n > metaEnd ? inflatedLength : n);
            }
        }
        reasons.Should().Contain(DicomReadErrorReason.Truncated, "most cuts of the deflate stream end inside an element");
        DicomFileReader.ReadHeader(file.AsSpan(0, metaEnd + 100), "cut").Error!.Reason.Should().Be(DicomReadErrorReason.Truncated);
    }

    [Property(MaxTest = 300)]
    public void Random_corruption_of_a_deflated_file_never_throws(int seed)
    {
        var rng = new Random(seed);
        byte[] bytes = File.ReadAllBytes(DeflatedCorpus[rng.Next(DeflatedCorpus.Length)]);
        int metaEnd = MetaEnd(bytes);
        int flips = 1 + rng.Next(8);
        for (int i = 0; i < flips; i++)
        {
            // Mostly in the deflate stream (bit errors there reach the inflater), sometimes in the meta.
            int at = rng.Next(4) == 0 ? rng.Next(metaEnd) : metaEnd + rng.Next(Math.Min(400, bytes.Length - metaEnd));
            bytes[at] = rng.Next(4) switch { 0 => 0xFF, 1 => 0x00, _ => (byte)rng.Next(256) };
        }
        foreach (var r in new[] { DicomFileReader.ReadHeader(bytes, "fuzz"), DicomFileReader.ReadHeader(new MemoryStream(bytes), "fuzz") })
        {
            if (r.IsSuccess)
            {
                r.HeaderBytes.Should().BeLessThanOrEqualTo(bytes.Length);
                DicomJson.Serialize(r.Dataset!).Should().StartWith("{");
            }
            else
            {
                r.Error!.FileLabel.Should().Be("fuzz");
                r.Error.Offset.Should().BeGreaterThanOrEqualTo(0);
            }
        }
    }

    [Fact]
    public void Invalid_deflate_data_and_a_header_over_the_limit_are_reported_at_the_start_of_the_deflated_data()
    {
        byte[] file = RealisticDeflatedCt();
        int metaEnd = MetaEnd(file);
        byte[] bad = (byte[])file.Clone();
        bad[metaEnd] = 0xFF; // BTYPE 11: a reserved block type (RFC 1951 3.2.3)
        foreach (var r in new[] { DicomFileReader.ReadHeader(bad, "bad"), DicomFileReader.ReadHeader(new MemoryStream(bad), "bad") })
            r.Error.Should().Be(new DicomReadError("bad", metaEnd, null, DicomReadErrorReason.InvalidDeflateData));

        var small = new DicomReadOptions { MaxHeaderBytes = 1000 };
        foreach (var r in new[] { DicomFileReader.ReadHeader(file, "big", small), DicomFileReader.ReadHeader(new MemoryStream(file), "big", small) })
            r.Error.Should().Be(new DicomReadError("big", metaEnd, null, DicomReadErrorReason.HeaderTooLarge));
        // The limit is inclusive: a header of exactly MaxHeaderBytes is read.
        int headerLength = InflateAll(file).AsSpan().IndexOf(PixelDataHeader);
        headerLength.Should().BeGreaterThan(1000);
        DicomFileReader.ReadHeader(file, "ok", new DicomReadOptions { MaxHeaderBytes = headerLength }).IsSuccess.Should().BeTrue();
        DicomFileReader.ReadHeader(new MemoryStream(file), "big", new DicomReadOptions { MaxHeaderBytes = headerLength - 1 }).Error!.Reason
            .Should().Be(DicomReadErrorReason.HeaderTooLarge);
    }

    [Fact]
    public void Without_a_stop_tag_the_whole_data_set_is_inflated()
    {
        byte[] file = RealisticDeflatedCt();
        var all = new DicomReadOptions { StopBeforeTag = null };
        var r = DicomFileReader.ReadHeader(new MemoryStream(file), "all", all);
        r.IsSuccess.Should().BeTrue(r.Error?.ToString());
        r.Dataset!.TryGet(DicomTags.PixelData, out var pixels).Should().BeTrue();
        // The pixel data is the data set's last element: its bytes come from some 40 pieces of 8 KiB handed to the inflater.
        byte[] inflated = InflateAll(file);
        pixels.Value.ToArray().Should().Equal(inflated[^(512 * 512 * 2)..]);
        r.HeaderBytes.Should().Be(file.Length);
        DicomJson.Serialize(DicomFileReader.ReadHeader(file, "all", all).Dataset!).Should().Be(DicomJson.Serialize(r.Dataset));
    }
}
