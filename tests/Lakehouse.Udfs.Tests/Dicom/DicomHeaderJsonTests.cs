using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using FsCheck.Xunit;
using Lakehouse.Udfs.Dicom;
using Lakehouse.Udfs.Dicom.Json;
using Lakehouse.Udfs.Dicom.Reading;
using static Lakehouse.Udfs.Tests.Dicom.DicomTestFiles;
using DicomWriter = Lakehouse.Udfs.Dicom.Writing.DicomWriter;
using DicomWriterOptions = Lakehouse.Udfs.Dicom.Writing.DicomWriterOptions;
using WireSyntax = Lakehouse.Udfs.Dicom.Writing.DicomTransferSyntax;

namespace Lakehouse.Udfs.Tests.Dicom;

/// <summary>
/// The one-pass header JSON (DicomFileReader.ReadHeaderJson) against the reference path: ReadHeader, then
/// DicomJson.SerializeUtf8 of its data set. Byte-identical JSON, equal key attributes, the same errors.
/// </summary>
public class DicomHeaderJsonTests
{
    private enum Path { OnePass, Fallback, Failed }

    // Reads the file both ways, asserts they agree, and says which path the one-pass read took.
    private static Path Same(byte[] file, string label, DicomReadOptions? options = null)
    {
        var reference = DicomFileReader.ReadHeader(file, label, options);
        var json = new ArrayBufferWriter<byte>();
        json.Write("stale bytes of another file"u8); // cleared by the reader
        var one = DicomFileReader.ReadHeaderJson(file, label, json, options);
        var fromStream = new ArrayBufferWriter<byte>();
        var streamed = DicomFileReader.ReadHeaderJson(new MemoryStream(file), label, fromStream, options);
        var referenceStreamed = DicomFileReader.ReadHeader(new MemoryStream(file), label, options);

        one.Error.Should().Be(reference.Error, label);
        streamed.Error.Should().Be(referenceStreamed.Error, label);
        if (!reference.IsSuccess)
        {
            json.WrittenCount.Should().Be(0, "no JSON for a failed file");
            HeadsReadTheSame(file, label, options, reference, []);
            return Path.Failed;
        }
        var expected = new ArrayBufferWriter<byte>();
        DicomJson.SerializeUtf8(reference.Dataset!, expected);
        Encoding.UTF8.GetString(json.WrittenSpan).Should().Be(Encoding.UTF8.GetString(expected.WrittenSpan), label);
        json.WrittenSpan.SequenceEqual(expected.WrittenSpan).Should().BeTrue(label);
        fromStream.WrittenSpan.SequenceEqual(expected.WrittenSpan).Should().BeTrue(label + " (stream)");
        one.Keys.Should().BeEquivalentTo(reference.Keys, label);
        streamed.Keys.Should().BeEquivalentTo(referenceStreamed.Keys, label);
        one.HeaderBytes.Should().Be(reference.HeaderBytes, label);
        streamed.HeaderBytes.Should().Be(referenceStreamed.HeaderBytes, label);
        one.TransferSyntax.Should().Be(reference.TransferSyntax, label);
        (streamed.Dataset is null).Should().Be(one.Dataset is null, label);
        HeadsReadTheSame(file, label, options, reference, expected.WrittenSpan);
        return one.Dataset is null ? Path.OnePass : Path.Fallback;
    }

    // The first bytes already in memory (ingestion's batched reads): whatever the cut, before, at or after the end of the
    // header, both reads give what the whole file gives, a failure included.
    private static void HeadsReadTheSame(byte[] file, string label, DicomReadOptions? options, DicomReadResult reference, ReadOnlySpan<byte> expectedJson)
    {
        long end = reference.HeaderBytes;
        foreach (long cut in new long[] { 0, 1, 132, 1000, 4096, end - 1, end, end + 12, file.Length }.Where(c => c >= 0 && c <= file.Length).Distinct())
        {
            string at = $"{label} (head of {cut} bytes)";
            var json = new ArrayBufferWriter<byte>();
            var fromHead = DicomFileReader.ReadHeaderJson(file.AsSpan(0, (int)cut), Rest(file, cut), at, json, options);
            var headRead = DicomFileReader.ReadHeader(file.AsSpan(0, (int)cut), Rest(file, cut), at, options);
            fromHead.Error.Should().Be(reference.Error is null ? null : reference.Error with { FileLabel = at }, at);
            headRead.Error.Should().Be(fromHead.Error, at);
            if (!reference.IsSuccess)
            {
                json.WrittenCount.Should().Be(0, at);
                continue;
            }
            json.WrittenSpan.SequenceEqual(expectedJson).Should().BeTrue(at);
            fromHead.Keys.Should().BeEquivalentTo(reference.Keys, at);
            fromHead.HeaderBytes.Should().Be(reference.HeaderBytes, at);
            headRead.HeaderBytes.Should().Be(reference.HeaderBytes, at);
            var datasetJson = new ArrayBufferWriter<byte>();
            DicomJson.SerializeUtf8(headRead.Dataset!, datasetJson);
            datasetJson.WrittenSpan.SequenceEqual(expectedJson).Should().BeTrue(at + ", data set");
        }
    }

    // Where a file continues after its first `cut` bytes: null when they are all of it.
    private static MemoryStream? Rest(byte[] file, long cut) => cut == file.Length ? null : new MemoryStream(file) { Position = cut };

    private static byte[] Le16(params ushort[] v) => v.SelectMany(x => BitConverter.GetBytes(x)).ToArray();

    // One element per fast-path decision of the JSON writer: a difference from the reference in any of them fails the test.
    private static DicomDataset EveryValueKind(string charset, string nonAscii)
    {
        var item = new DicomDataset()
            .Set(Raw(0x0008, 0x0100, DicomVR.SH, "T-" + nonAscii))
            .Set(Raw(0x0008, 0x0104, DicomVR.LO, nonAscii + " meaning "))
            .Set(DicomElement.FromItems(new DicomTag(0x0040, 0xA730), new DicomDataset().Set(Raw(0x0040, 0xA160, DicomVR.UT, "deep " + nonAscii + "  "))));
        var ds = new DicomDataset()
            .Set(Raw(0x0008, 0x0008, DicomVR.CS, "ORIGINAL\\\\AXIAL "))
            .Set(Raw(0x0008, 0x0016, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2\0"))
            .Set(Raw(0x0008, 0x0018, DicomVR.UI, "1.2.3.4.5.6\0"))
            .Set(Raw(0x0008, 0x0020, DicomVR.DA, "20240131"))
            .Set(Raw(0x0008, 0x0030, DicomVR.TM, "101530.25 "))
            .Set(Raw(0x0008, 0x0050, DicomVR.SH, ""))
            .Set(Raw(0x0008, 0x0060, DicomVR.CS, "CT"))
            .Set(Raw(0x0008, 0x0080, DicomVR.LO, "  " + nonAscii + " Hospital "))
            .Set(Raw(0x0008, 0x1030, DicomVR.LO, "Brain\\" + nonAscii + "\\\\"))
            .Set(DicomElement.FromItems(new DicomTag(0x0008, 0x1140), item, new DicomDataset()))
            .Set(DicomElement.FromItems(new DicomTag(0x0008, 0x1250)))
            .Set(Raw(0x0008, 0x2111, DicomVR.ST, "  keeps leading\\backslash \"quoted\"\r\n\t" + nonAscii + "  "))
            .Set(Raw(0x0009, 0x0010, DicomVR.LO, "ACME"))
            .Set(Raw(0x0009, 0x1001, DicomVR.OB, new byte[] { 1, 2, 3 }))
            .Set(Raw(0x0009, 0x1002, DicomVR.UN, "1.5\\2 ")) // a private UN stays binary
            .Set(Raw(0x0010, 0x0010, DicomVR.PN, nonAscii + "^Jane^^Dr=" + nonAscii + "^^=^^"))
            .Set(Raw(0x0010, 0x0020, DicomVR.LO, "ID-" + nonAscii))
            .Set(Raw(0x0010, 0x0030, DicomVR.DA, "19700101"))
            .Set(Raw(0x0010, 0x1000, DicomVR.LO, "A\\B\\" + nonAscii))
            .Set(Raw(0x0010, 0x1010, DicomVR.UN, "042Y")) // a known attribute read as UN: binary in JSON, AS in the keys
            .Set(Raw(0x0018, 0x0015, DicomVR.CS, "HEAD"))
            .Set(Raw(0x0018, 0x0050, DicomVR.DS, "1.50\\.5\\-2E3\\1e400\\abc\\ +3 "))
            .Set(Raw(0x0018, 0x1310, DicomVR.FL, BitConverter.GetBytes(0.1f).Concat(BitConverter.GetBytes(float.NaN)).Concat(BitConverter.GetBytes(float.PositiveInfinity)).ToArray()))
            .Set(Raw(0x0018, 0x9087, DicomVR.FD, BitConverter.GetBytes(1e-300).Concat(BitConverter.GetBytes(double.NaN)).Concat(BitConverter.GetBytes(-0.0)).ToArray()))
            .Set(Raw(0x0020, 0x000D, DicomVR.UI, "1.2.3.7"))
            .Set(Raw(0x0020, 0x0013, DicomVR.IS, "+7 \\ -12\\1.5\\x\\99999999999999999999"))
            .Set(Raw(0x0020, 0x9165, DicomVR.AT, Le16(0x0018, 0x9087, 0x7FE0, 0x0010)))
            .Set(Raw(0x0028, 0x0008, DicomVR.IS, "3 "))
            .Set(Raw(0x0028, 0x0010, DicomVR.US, Le16(512, 65535)))
            .Set(Raw(0x0028, 0x0011, DicomVR.US, Le16(256)))
            .Set(Raw(0x0028, 0x0030, DicomVR.DS, "0.5\\0.25"))
            .Set(Raw(0x0028, 0x0106, DicomVR.SS, Le16(0xFC00)))
            .Set(Raw(0x0028, 0x1050, DicomVR.DS, ""))
            .Set(Raw(0x0029, 0x0010, DicomVR.LO, "X"))
            .Set(Raw(0x0029, 0x1001, DicomVR.SL, BitConverter.GetBytes(-5).Concat(BitConverter.GetBytes(int.MaxValue)).ToArray()))
            .Set(Raw(0x0029, 0x1002, DicomVR.UL, BitConverter.GetBytes(uint.MaxValue)))
            .Set(Raw(0x0029, 0x1003, DicomVR.SV, BitConverter.GetBytes(long.MinValue).Concat(BitConverter.GetBytes(42L)).ToArray()))
            .Set(Raw(0x0029, 0x1004, DicomVR.UV, BitConverter.GetBytes(ulong.MaxValue).Concat(BitConverter.GetBytes(7UL)).ToArray()))
            .Set(Raw(0x0029, 0x1005, DicomVR.OW, Le16(1, 2)))
            .Set(Raw(0x0029, 0x1006, DicomVR.OF, BitConverter.GetBytes(1.5f)))
            .Set(Raw(0x0029, 0x1007, DicomVR.UR, " http://a/b?c=d  "))
            .Set(Raw(0x0029, 0x1008, DicomVR.UC, "x\u0001y\\" + nonAscii))
            .Set(Raw(0x0029, 0x1009, DicomVR.AE, "<script>&'"))
            .Set(Raw(0x0029, 0x100A, DicomVR.LT, "   "));
        if (charset.Length > 0) ds.Set(Raw(0x0008, 0x0005, DicomVR.CS, charset));
        return ds;
    }

    [Theory]
    [InlineData(WireSyntax.ExplicitVRLittleEndian, false)]
    [InlineData(WireSyntax.ExplicitVRLittleEndian, true)]
    [InlineData(WireSyntax.ImplicitVRLittleEndian, false)]
    [InlineData(WireSyntax.ImplicitVRLittleEndian, true)]
    [InlineData(WireSyntax.DeflatedExplicitVRLittleEndian, false)]
    [InlineData(WireSyntax.DeflatedExplicitVRLittleEndian, true)]
    [InlineData(WireSyntax.ExplicitVRBigEndian, false)]
    [InlineData(WireSyntax.ExplicitVRBigEndian, true)]
    public void Every_value_kind_is_written_as_the_reference_writes_it(WireSyntax syntax, bool undefinedLengthSequences)
    {
        string syntaxUid = syntax.ToString();
        // ISO_IR 100 Latin-1 bytes, ISO_IR 192 UTF-8 bytes, and the default repertoire with ASCII only.
        foreach (var (charset, text, encoding) in new[] { ("ISO_IR 100", "Müller Ærø", Encoding.Latin1), ("ISO_IR 192", "Müller 山田 ☃", Encoding.UTF8), ("", "Plain", Encoding.Latin1) })
        {
            string asLatin1 = Encoding.Latin1.GetString(encoding.GetBytes(text));
            byte[] file = Part10(EveryValueKind(charset, asLatin1), syntax, undefinedLengthSequences);
            var path = Same(file, $"{syntaxUid} {charset}");
            path.Should().Be(Path.OnePass);
            var json = new ArrayBufferWriter<byte>();
            DicomFileReader.ReadHeaderJson(file, "x", json);
            string s = Encoding.UTF8.GetString(json.WrittenSpan);
            s.Should().Contain(text, "non-ASCII text decoded with the declared character set").And.Contain("\"Ideographic\"").And.Contain("\"00081250\":{\"vr\":\"SQ\"}");
        }
    }

    [Fact]
    public void Every_corpus_file_gives_the_same_json_keys_and_errors()
    {
        var files = DicomDifferentialTests.Corpus();
        var counts = new Dictionary<Path, List<string>> { [Path.OnePass] = [], [Path.Fallback] = [], [Path.Failed] = [] };
        foreach (string file in files) counts[Same(File.ReadAllBytes(file), System.IO.Path.GetFileName(file))].Add(System.IO.Path.GetFileName(file));
        counts[Path.OnePass].Count.Should().BeGreaterThan(80);
        // Items with their own character set, out-of-order or repeated tags: the odd files of the corpus.
        counts[Path.Fallback].Count.Should().BeLessThan(files.Count / 8, string.Join(", ", counts[Path.Fallback]));
    }

    [Fact]
    public void Tags_out_of_order_or_repeated_take_the_fallback_and_still_match()
    {
        var high = new DicomDataset().Set(Raw(0x0008, 0x0018, DicomVR.UI, "1.2.3\0")).Set(Raw(0x0010, 0x0020, DicomVR.LO, "LATE"));
        var low = new DicomDataset().Set(Raw(0x0010, 0x0010, DicomVR.PN, "Doe^Jane")).Set(Raw(0x0010, 0x0020, DicomVR.LO, "REPEATED"));
        foreach (var syntax in new[] { WireSyntax.ExplicitVRLittleEndian, WireSyntax.ImplicitVRLittleEndian })
        {
            var buffer = new ArrayBufferWriter<byte>();
            buffer.Write(Part10(high, syntax));
            DicomWriter.WriteDataset(buffer, low, syntax);
            Same(buffer.WrittenSpan.ToArray(), "out of order").Should().Be(Path.Fallback);
        }
        // Out of order inside an item only.
        var inItem = new ArrayBufferWriter<byte>();
        var item = new ArrayBufferWriter<byte>();
        DicomWriter.WriteDataset(item, high, WireSyntax.ExplicitVRLittleEndian);
        DicomWriter.WriteDataset(item, low, WireSyntax.ExplicitVRLittleEndian);
        inItem.Write(Part10(new DicomDataset().Set(Raw(0x0008, 0x0018, DicomVR.UI, "1.2.3\0")), WireSyntax.ExplicitVRLittleEndian));
        inItem.Write(SequenceOfOneItem(0x0008, 0x1140, item.WrittenSpan));
        Same(inItem.WrittenSpan.ToArray(), "item out of order").Should().Be(Path.Fallback);
    }

    // Explicit VR little endian (0008,1140) SQ of defined length holding one item of the given bytes.
    private static byte[] SequenceOfOneItem(ushort g, ushort e, ReadOnlySpan<byte> itemBytes)
    {
        var b = new byte[12 + 8 + itemBytes.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(b, g);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), e);
        b[4] = (byte)'S';
        b[5] = (byte)'Q';
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)(8 + itemBytes.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(12), 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(14), 0xE000);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), (uint)itemBytes.Length);
        itemBytes.CopyTo(b.AsSpan(20));
        return b;
    }

    [Fact]
    public void An_item_with_its_own_character_set_takes_the_fallback()
    {
        var item = new DicomDataset().Set(Raw(0x0008, 0x0005, DicomVR.CS, "ISO_IR 100")).Set(Raw(0x0010, 0x0010, DicomVR.PN, "M\u00fcller"));
        var ds = new DicomDataset().Set(Raw(0x0008, 0x0005, DicomVR.CS, "ISO_IR 192")).Set(Raw(0x0008, 0x0018, DicomVR.UI, "1.2\0"))
            .Set(DicomElement.FromItems(new DicomTag(0x0010, 0x1002), item));
        byte[] file = Part10(ds, WireSyntax.ExplicitVRLittleEndian);
        Same(file, "item charset").Should().Be(Path.Fallback);
        var json = new ArrayBufferWriter<byte>();
        DicomFileReader.ReadHeaderJson(file, "x", json);
        Encoding.UTF8.GetString(json.WrittenSpan).Should().Contain("Müller", "the item's Latin-1 byte decodes as ü");
    }

    [Fact]
    public void A_character_set_after_text_it_governs_takes_the_fallback()
    {
        // A DICOMDIR-like group 0004 text before (0008,0005): the reference decodes it with the later set.
        var ds = new DicomDataset().Set(Raw(0x0004, 0x1130, DicomVR.LO, "Caf\u00e9")).Set(Raw(0x0008, 0x0005, DicomVR.CS, "ISO_IR 100"))
            .Set(Raw(0x0008, 0x0018, DicomVR.UI, "1.2\0"));
        Same(Part10(ds, WireSyntax.ExplicitVRLittleEndian), "late charset").Should().Be(Path.Fallback);
        ds.Remove(new DicomTag(0x0008, 0x0005));
        Same(Part10(ds, WireSyntax.ExplicitVRLittleEndian), "no charset").Should().Be(Path.OnePass);
    }

    [Theory]
    [InlineData((ushort)0, "US")]
    [InlineData((ushort)1, "SS")]
    public void Implicit_US_or_SS_follows_pixel_representation_in_one_pass(ushort pixelRepresentation, string vr)
    {
        var ds = new DicomDataset().Set(Raw(0x0008, 0x0018, DicomVR.UI, "1.2\0"))
            .Set(Raw(0x0028, 0x0103, DicomVR.US, Le16(pixelRepresentation)))
            .Set(Raw(0x0028, 0x0106, DicomVR.US, Le16(0xFC00))) // Smallest Image Pixel Value: US or SS
            .Set(Raw(0x0028, 0x1101, DicomVR.US, Le16(0xFC00, 0, 16))) // a LUT descriptor: stays US
            .Set(Raw(0x0028, 0x0120, DicomVR.US, Le16(0xFFFF))); // Pixel Padding Value
        byte[] file = Part10(ds, WireSyntax.ImplicitVRLittleEndian);
        Same(file, "pixel representation").Should().Be(Path.OnePass);
        var json = new ArrayBufferWriter<byte>();
        DicomFileReader.ReadHeaderJson(file, "x", json);
        Encoding.UTF8.GetString(json.WrittenSpan).Should().Contain($"\"00280106\":{{\"vr\":\"{vr}\"").And.Contain("\"00281101\":{\"vr\":\"US\"");
    }

    [Fact]
    public void Every_truncation_gives_the_same_error_as_the_reader()
    {
        foreach (string name in new[] { "rtplan.dcm", "CT_small.dcm", "image_dfl.dcm", "MR_small_bigendian.dcm" })
        {
            byte[] file = File.ReadAllBytes(DicomOracles.PydicomFile("test_files", name));
            int step = Math.Max(1, file.Length / 700);
            for (int n = 0; n <= file.Length; n += step) Same(file.AsSpan(0, n).ToArray(), name + " cut at " + n);
        }
    }

    [Property(MaxTest = 200)]
    public void Random_corruption_gives_the_same_result_as_the_reader(int seed)
    {
        var rng = new Random(seed);
        string[] sources = ["CT_small.dcm", "rtplan.dcm", "image_dfl.dcm", "MR_small_implicit.dcm", "nested_priv_SQ.dcm"];
        byte[] source = File.ReadAllBytes(DicomOracles.PydicomFile("test_files", sources[(seed & int.MaxValue) % sources.Length]));
        int length = Math.Min(source.Length, 132 + rng.Next(8000));
        byte[] bytes = source.AsSpan(0, length).ToArray();
        for (int i = 1 + rng.Next(8); i > 0; i--) bytes[rng.Next(bytes.Length)] = rng.Next(4) switch { 0 => 0xFF, 1 => 0x00, _ => (byte)rng.Next(256) };
        Same(bytes, "fuzz");
    }

    [Fact]
    public void A_header_longer_than_the_first_chunk_starts_the_json_over_and_matches()
    {
        // waveform_ecg.dcm's header is 291 KB: the first 16 KiB end inside it and the walk restarts on a larger buffer.
        byte[] ecg = File.ReadAllBytes(DicomOracles.PydicomFile("test_files", "waveform_ecg.dcm"));
        ecg.Length.Should().BeGreaterThan(DicomFileReader.FirstChunk * 4);
        Same(ecg, "ecg").Should().Be(Path.OnePass);
        var json = new ArrayBufferWriter<byte>();
        var r = DicomFileReader.ReadHeaderJson(new MemoryStream(ecg), "ecg", json, new DicomReadOptions { MaxHeaderBytes = 20_000 });
        r.Error!.Reason.Should().Be(DicomReadErrorReason.HeaderTooLarge);
        json.WrittenCount.Should().Be(0);
    }

    // Random data sets: random attributes of the dictionary with values of their VR, nested sequences, a character set,
    // written by DicomWriter in a random transfer syntax.
    [Property(MaxTest = 150)]
    public void Random_datasets_written_by_DicomWriter_read_the_same_both_ways(int seed)
    {
        var rng = new Random(seed);
        var syntaxes = new[] { WireSyntax.ExplicitVRLittleEndian, WireSyntax.ImplicitVRLittleEndian, WireSyntax.DeflatedExplicitVRLittleEndian, WireSyntax.ExplicitVRBigEndian };
        var syntax = syntaxes[rng.Next(syntaxes.Length)];
        var ds = RandomDataset(rng, depth: 0);
        ds.Set(Raw(0x0008, 0x0018, DicomVR.UI, "1.2." + rng.Next(1000)));
        string[] charsets = ["", "ISO_IR 100", "ISO_IR 192"];
        string cs = charsets[rng.Next(charsets.Length)];
        if (cs.Length > 0) ds.Set(Raw(0x0008, 0x0005, DicomVR.CS, cs));
        var path = Same(Part10(ds, syntax, undefinedLengthSequences: rng.Next(2) == 0), $"seed {seed}");
        // Perimeter Value (0028,0071), "US or SS", comes before the Pixel Representation that decides it in Implicit VR.
        bool undecided = syntax == WireSyntax.ImplicitVRLittleEndian && ds.Contains(new DicomTag(0x0028, 0x0071));
        if (!undecided) path.Should().Be(Path.OnePass);
    }

    private static readonly DicomDictionaryEntry[] Standard = Enumerable.Range(0, 4000)
        .Select(i => DicomDictionary.TryGet(new DicomTag((ushort)(0x0008 + 2 * (i % 20)), (ushort)(i * 7 % 0x1200)), out var e) ? e : null)
        .OfType<DicomDictionaryEntry>().Where(e => e.VR != DicomVR.None && e.Tag.Group != 0x0002 && !e.Tag.IsGroupLength && e.Tag != DicomTags.SpecificCharacterSet)
        .DistinctBy(e => e.Tag).ToArray();

    private static DicomDataset RandomDataset(Random rng, int depth)
    {
        var ds = new DicomDataset();
        int n = rng.Next(depth == 0 ? 40 : 6);
        for (int i = 0; i < n; i++)
        {
            var entry = Standard[rng.Next(Standard.Length)];
            if (entry.VR == DicomVR.SQ)
            {
                if (depth >= 3) continue;
                ds.Set(DicomElement.FromItems(entry.Tag, Enumerable.Range(0, rng.Next(3)).Select(_ => RandomDataset(rng, depth + 1)).ToArray()));
                continue;
            }
            ds.Set(new DicomElement(entry.Tag, entry.VR, RandomValue(rng, entry.VR)));
        }
        return ds;
    }

    private static byte[] RandomValue(Random rng, DicomVR vr)
    {
        int size = DicomVRInfo.FixedValueSize(vr);
        if (size > 0 || vr is DicomVR.OB or DicomVR.OW or DicomVR.OF or DicomVR.OD or DicomVR.OL or DicomVR.OV or DicomVR.UN)
        {
            int unit = size > 0 ? size : vr switch { DicomVR.OB or DicomVR.UN => 1, DicomVR.OW => 2, DicomVR.OF or DicomVR.OL => 4, _ => 8 };
            var b = new byte[unit * rng.Next(4)];
            rng.NextBytes(b);
            return b;
        }
        string[] pieces = ["1.5", "-2", "007", " 3 ", "", "ABC", "Doe^Jane", "=", "^", "x y", "1e5", "\u00e9", "\u00c6\u00f8", "\"q\"", "\\", "20240101", "12:30"];
        var sb = new StringBuilder();
        for (int k = rng.Next(5); k > 0; k--) sb.Append(pieces[rng.Next(pieces.Length)]);
        return Encoding.Latin1.GetBytes(sb.ToString());
    }
}
