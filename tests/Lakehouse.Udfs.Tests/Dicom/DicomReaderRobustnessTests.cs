using System.Buffers.Binary;
using System.Text;
using FsCheck.Xunit;
using Lakehouse.Udfs.Dicom;
using Lakehouse.Udfs.Dicom.Json;
using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Udfs.Tests.Dicom;

/// <summary>Hand-built edge cases of PS3.5 and hostile input: every failure is a typed error, never an exception.</summary>
public class DicomReaderRobustnessTests
{
    private static readonly Lazy<byte[]> CtSmall = new(() => File.ReadAllBytes(DicomOracles.PydicomFile("test_files", "CT_small.dcm")));
    private static readonly Lazy<byte[]> RtPlan = new(() => File.ReadAllBytes(DicomOracles.PydicomFile("test_files", "rtplan.dcm")));

    // A minimal Part 10 file: preamble, DICM, meta with the transfer syntax, then the given data set bytes.
    private static byte[] Part10(string transferSyntax, byte[] dataset, bool preamble = true)
    {
        var ms = new MemoryStream();
        if (preamble) ms.Write(new byte[128]);
        ms.Write("DICM"u8);
        byte[] ts = Encoding.ASCII.GetBytes(transferSyntax.Length % 2 == 1 ? transferSyntax + "\0" : transferSyntax);
        ExplicitShort(ms, 0x0002, 0x0010, "UI", ts);
        ms.Write(dataset);
        return ms.ToArray();
    }

    private static void ExplicitShort(Stream s, ushort g, ushort e, string vr, byte[] value)
    {
        Span<byte> h = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(h, g);
        BinaryPrimitives.WriteUInt16LittleEndian(h[2..], e);
        h[4] = (byte)vr[0];
        h[5] = (byte)vr[1];
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], (ushort)value.Length);
        s.Write(h);
        s.Write(value);
    }

    private static void Implicit(Stream s, ushort g, ushort e, uint length, byte[]? value = null)
    {
        Span<byte> h = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(h, g);
        BinaryPrimitives.WriteUInt16LittleEndian(h[2..], e);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], length);
        s.Write(h);
        if (value is not null) s.Write(value);
    }

    private static void ExplicitLongUndefined(Stream s, ushort g, ushort e, string vr)
    {
        Span<byte> h = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(h, g);
        BinaryPrimitives.WriteUInt16LittleEndian(h[2..], e);
        h[4] = (byte)vr[0];
        h[5] = (byte)vr[1];
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], 0xFFFFFFFF);
        s.Write(h);
    }

    [Fact]
    public void UN_of_undefined_length_is_read_as_an_implicit_VR_sequence()
    {
        var ds = new MemoryStream();
        ExplicitShort(ds, 0x0008, 0x0060, "CS", "CT"u8.ToArray());
        ExplicitShort(ds, 0x0009, 0x0010, "LO", "ACME 1.0"u8.ToArray());
        ExplicitLongUndefined(ds, 0x0009, 0x1010, "UN");
        Implicit(ds, 0xFFFE, 0xE000, 0xFFFFFFFF);
        Implicit(ds, 0x0008, 0x0100, 6, "T-0001"u8.ToArray()); // SH from the dictionary, implicit inside the UN
        Implicit(ds, 0xFFFE, 0xE00D, 0);
        Implicit(ds, 0xFFFE, 0xE0DD, 0);
        ExplicitShort(ds, 0x0010, 0x0020, "LO", "ID7 "u8.ToArray());
        var result = DicomFileReader.ReadHeader(Part10("1.2.840.10008.1.2.1", ds.ToArray()), "un-sq");
        result.IsSuccess.Should().BeTrue(result.Error?.ToString());
        result.Dataset!.TryGet(new DicomTag(0x0009, 0x1010), out var seq).Should().BeTrue();
        seq.VR.Should().Be(DicomVR.SQ);
        seq.Items.Should().ContainSingle();
        seq.Items[0].TryGet(new DicomTag(0x0008, 0x0100), out var code).Should().BeTrue();
        code.VR.Should().Be(DicomVR.SH);
        result.Keys!.PatientId.Should().Be("ID7", "explicit VR resumes after the UN sequence");
        DicomJson.Serialize(result.Dataset).Should().Contain("\"00091010\":{\"vr\":\"SQ\",\"Value\":[{\"00080100\":{\"vr\":\"SH\",\"Value\":[\"T-0001\"]}}]}");
    }

    [Fact]
    public void Sequences_nested_beyond_the_guard_are_reported_not_recursed()
    {
        var ds = new MemoryStream();
        for (int i = 0; i < 10_000; i++)
        {
            ExplicitLongUndefined(ds, 0x0040, 0xA730, "SQ");
            Implicit(ds, 0xFFFE, 0xE000, 0xFFFFFFFF);
        }
        var result = DicomFileReader.ReadHeader(Part10("1.2.840.10008.1.2.1", ds.ToArray()), "bomb");
        result.Error!.Reason.Should().Be(DicomReadErrorReason.TooDeep);
        result.Error.FileLabel.Should().Be("bomb");
    }

    [Fact]
    public void Defined_length_nesting_odd_and_zero_lengths_without_group_lengths_or_preamble()
    {
        var item = new MemoryStream();
        ExplicitShort(item, 0x0008, 0x0100, "SH", "ABC"u8.ToArray()); // odd length
        ExplicitShort(item, 0x0008, 0x0104, "LO", []); // zero length
        var seq = new MemoryStream();
        Implicit(seq, 0xFFFE, 0xE000, (uint)item.Length, item.ToArray());
        var ds = new MemoryStream();
        var header = new byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(header, 0x0008);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), 0x1032);
        header[4] = (byte)'S';
        header[5] = (byte)'Q';
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)seq.Length);
        ds.Write(header);
        ds.Write(seq.ToArray());
        ExplicitShort(ds, 0x0020, 0x0013, "IS", " 42 "u8.ToArray());
        var result = DicomFileReader.ReadHeader(Part10("1.2.840.10008.1.2.1", ds.ToArray(), preamble: false), "nested");
        result.IsSuccess.Should().BeTrue(result.Error?.ToString());
        DicomJson.Serialize(result.Dataset!).Should().Be(
            "{\"00081032\":{\"vr\":\"SQ\",\"Value\":[{\"00080100\":{\"vr\":\"SH\",\"Value\":[\"ABC\"]},\"00080104\":{\"vr\":\"LO\"}}]},\"00200013\":{\"vr\":\"IS\",\"Value\":[42]}}");
    }

    [Fact]
    public void Bad_input_gets_a_typed_reason_with_label_offset_and_tag()
    {
        var ds = new MemoryStream();
        ExplicitShort(ds, 0x0008, 0x0060, "CS", "MR"u8.ToArray());
        ExplicitShort(ds, 0x0010, 0x0010, "zz", "SECRET^NAME"u8.ToArray());
        var badVr = DicomFileReader.ReadHeader(Part10("1.2.840.10008.1.2.1", ds.ToArray()), "row-17");
        badVr.Error.Should().Be(new DicomReadError("row-17", 132 + 8 + 20 + 10, new DicomTag(0x0010, 0x0010), DicomReadErrorReason.InvalidVR));
        badVr.Error!.ToString().Should().NotContain("SECRET").And.Contain("row-17").And.Contain("(0010,0010)");

        DicomFileReader.ReadHeader(Part10("1.2.3.4", ds.ToArray()), "x").Error!.Reason.Should().Be(DicomReadErrorReason.UnsupportedTransferSyntax);
        DicomFileReader.ReadHeader("%PDF-1.7 not an image at all"u8, "x").Error!.Reason.Should().Be(DicomReadErrorReason.NotDicom);
        DicomFileReader.ReadHeader(ReadOnlySpan<byte>.Empty, "x").Error!.Reason.Should().Be(DicomReadErrorReason.NotDicom);
        var truncated = DicomFileReader.ReadHeader(CtSmall.Value.AsSpan(0, 1000), "ct");
        truncated.Error!.Reason.Should().Be(DicomReadErrorReason.Truncated);
        truncated.Error.ToString().Should().NotContain("CompressedSamples", "no header value in an error");
    }

    [Fact]
    public void Truncation_at_every_offset_never_throws_and_names_an_offset_inside_the_file()
    {
        byte[] file = RtPlan.Value;
        for (int n = 0; n <= file.Length; n++)
        {
            var r = DicomFileReader.ReadHeader(file.AsSpan(0, n), "cut");
            if (r.IsSuccess) continue; // a cut between top-level elements is a valid shorter data set
            r.Error!.Offset.Should().BeInRange(0, n);
            r.Error.FileLabel.Should().Be("cut");
        }
        DicomFileReader.ReadHeader(file.AsSpan(0, file.Length - 3), "cut").Error!.Reason.Should().Be(DicomReadErrorReason.Truncated);
    }

    [Property(MaxTest = 300)]
    public void Random_corruption_never_throws_or_runs_away(int seed)
    {
        var rng = new Random(seed);
        byte[] source = (seed & 1) == 0 ? CtSmall.Value : RtPlan.Value;
        int length = Math.Min(source.Length, 132 + rng.Next(8000));
        byte[] bytes = source.AsSpan(0, length).ToArray();
        int flips = 1 + rng.Next(8);
        for (int i = 0; i < flips; i++)
        {
            int at = rng.Next(bytes.Length);
            bytes[at] = rng.Next(4) switch { 0 => 0xFF, 1 => 0x00, _ => (byte)rng.Next(256) };
        }
        var r = DicomFileReader.ReadHeader(bytes, "fuzz");
        if (r.IsSuccess)
        {
            r.HeaderBytes.Should().BeLessThanOrEqualTo(bytes.Length);
            DicomJson.Serialize(r.Dataset!).Should().StartWith("{");
        }
        else
        {
            r.Error!.Offset.Should().BeInRange(0, bytes.Length);
        }
    }

    private sealed class ChunkedStream(byte[] data, int chunk) : Stream
    {
        private int _pos;
        public long BytesRead => _pos;
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, chunk), data.Length - _pos);
            Array.Copy(data, _pos, buffer, offset, n);
            _pos += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _pos; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void Stream_reads_equal_span_reads_for_every_chunk_size()
    {
        byte[] file = RtPlan.Value;
        string expected = DicomJson.Serialize(DicomFileReader.ReadHeader(file, "span").Dataset!);
        for (int chunk = 1; chunk <= file.Length; chunk += chunk < 64 ? 1 : 97)
        {
            var r = DicomFileReader.ReadHeader(new ChunkedStream(file, chunk), "stream");
            r.IsSuccess.Should().BeTrue();
            DicomJson.Serialize(r.Dataset!).Should().Be(expected, $"chunk {chunk}");
        }
    }

    [Fact]
    public void Stream_reads_on_when_the_first_chunk_ends_exactly_between_two_elements()
    {
        // Meta (132 + 28 bytes), Modality (10), an OB filling up to the first chunk (16 KiB), then Rows and Pixel Data after it.
        var ds = new MemoryStream();
        ExplicitShort(ds, 0x0008, 0x0060, "CS", "CT"u8.ToArray());
        var ob = new byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(ob, 0x0009);
        BinaryPrimitives.WriteUInt16LittleEndian(ob.AsSpan(2), 0x1010);
        ob[4] = (byte)'O';
        ob[5] = (byte)'B';
        int fill = DicomFileReader.FirstChunk - 160 - 10 - 12;
        BinaryPrimitives.WriteUInt32LittleEndian(ob.AsSpan(8), (uint)fill);
        ds.Write(ob);
        ds.Write(new byte[fill]);
        ExplicitShort(ds, 0x0028, 0x0010, "US", [0x00, 0x02]);
        ds.Write(new byte[] { 0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'W', 0, 0, 0, 0, 1, 0 });
        ds.Write(new byte[256]);
        byte[] file = Part10("1.2.840.10008.1.2.1", ds.ToArray());
        file.AsSpan(DicomFileReader.FirstChunk, 4).SequenceEqual(new byte[] { 0x28, 0x00, 0x10, 0x00 }).Should().BeTrue("the test needs an element to start where the first chunk ends");
        var r = DicomFileReader.ReadHeader(new ChunkedStream(file, 4096), "edge");
        r.IsSuccess.Should().BeTrue(r.Error?.ToString());
        r.Keys!.Rows.Should().Be(512, "the element after the first chunk is still before Pixel Data");
        r.HeaderBytes.Should().Be(file.Length - 256 - 12);
    }

    [Fact]
    public void Stream_reads_only_the_first_chunk_unless_the_header_is_longer()
    {
        // CT_small followed by a megabyte nobody should read (pixel data stops the header before it).
        byte[] big = [.. CtSmall.Value, .. new byte[1 << 20]];
        var stream = new ChunkedStream(big, 4096);
        var r = DicomFileReader.ReadHeader(stream, "ct");
        r.IsSuccess.Should().BeTrue();
        stream.BytesRead.Should().Be(DicomFileReader.FirstChunk);

        // waveform_ecg.dcm has a 291 KB header (waveform data is not pixel data): the reader continues past the first chunk.
        byte[] ecg = File.ReadAllBytes(DicomOracles.PydicomFile("test_files", "waveform_ecg.dcm"));
        var fromStream = DicomFileReader.ReadHeader(new ChunkedStream(ecg, 65536), "ecg");
        fromStream.IsSuccess.Should().BeTrue(fromStream.Error?.ToString());
        DicomJson.Serialize(fromStream.Dataset!).Should().Be(DicomJson.Serialize(DicomFileReader.ReadHeader(ecg, "ecg").Dataset!));
    }
}
