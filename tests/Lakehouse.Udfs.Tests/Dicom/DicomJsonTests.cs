using System.Buffers.Binary;
using System.Text;
using Lakehouse.Udfs.Dicom;
using Lakehouse.Udfs.Dicom.Json;
using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Udfs.Tests.Dicom;

/// <summary>PS3.18 F.2 encodings of each VR, as the de-identification step consumes them.</summary>
public class DicomJsonTests
{
    private static DicomElement Text(ushort g, ushort e, DicomVR vr, string value) => new(new DicomTag(g, e), vr, Encoding.ASCII.GetBytes(value));

    private static DicomElement Binary(ushort g, ushort e, DicomVR vr, Action<byte[]> fill, int length)
    {
        byte[] b = new byte[length];
        fill(b);
        return new DicomElement(new DicomTag(g, e), vr, b);
    }

    [Fact]
    public void Every_value_representation_is_encoded_as_PS3_18_F2_says()
    {
        var ds = new DicomDataset()
            .Set(Text(0x0008, 0x0008, DicomVR.CS, "ORIGINAL\\\\AXIAL ")) // empty middle value -> null
            .Set(Text(0x0008, 0x0020, DicomVR.DA, "20240131"))
            .Set(Text(0x0008, 0x0050, DicomVR.SH, "")) // empty -> no Value
            .Set(Text(0x0008, 0x1030, DicomVR.LO, "  lead kept? no ")) // LO trims both ends
            .Set(Text(0x0008, 0x2111, DicomVR.ST, "  keeps leading\\backslash  "))
            .Set(Text(0x0010, 0x0010, DicomVR.PN, "Doe^Jane^^Dr=^^=" /* empty trailing groups dropped */))
            .Set(Text(0x0018, 0x0050, DicomVR.DS, "1.50\\.5\\-2E3 "))
            .Set(Text(0x0020, 0x0013, DicomVR.IS, "+7 "))
            .Set(Binary(0x0028, 0x0010, DicomVR.US, b => { BinaryPrimitives.WriteUInt16LittleEndian(b, 512); BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), 65535); }, 4))
            .Set(Binary(0x0028, 0x0106, DicomVR.SS, b => BinaryPrimitives.WriteInt16LittleEndian(b, -1024), 2))
            .Set(Binary(0x0018, 0x9087, DicomVR.FD, b => BinaryPrimitives.WriteDoubleLittleEndian(b, double.NaN), 8))
            .Set(Binary(0x0018, 0x1310, DicomVR.FL, b => BinaryPrimitives.WriteSingleLittleEndian(b, 0.25f), 4))
            .Set(Binary(0x0020, 0x9165, DicomVR.AT, b => { BinaryPrimitives.WriteUInt16LittleEndian(b, 0x0018); BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), 0x9087); }, 4))
            .Set(Binary(0x0009, 0x1001, DicomVR.OB, b => { b[0] = 1; b[1] = 2; b[2] = 3; }, 3))
            .Set(new DicomElement(new DicomTag(0x0008, 0x1140), [new DicomDataset().Set(Text(0x0008, 0x1150, DicomVR.UI, "1.2.3\0")), new DicomDataset()]))
            .Set(new DicomElement(new DicomTag(0x0008, 0x1250), []))
            .Set(Text(0x0008, 0x0000, DicomVR.UL, "xxxx")) // group length: left out
            .Set(Binary(0x7FE0, 0x0010, DicomVR.OW, _ => { }, 8));
        DicomJson.Serialize(ds).Should().Be(
            "{\"00080008\":{\"vr\":\"CS\",\"Value\":[\"ORIGINAL\",null,\"AXIAL\"]}," +
            "\"00080020\":{\"vr\":\"DA\",\"Value\":[\"20240131\"]}," +
            "\"00080050\":{\"vr\":\"SH\"}," +
            "\"00081030\":{\"vr\":\"LO\",\"Value\":[\"lead kept? no\"]}," +
            "\"00081140\":{\"vr\":\"SQ\",\"Value\":[{\"00081150\":{\"vr\":\"UI\",\"Value\":[\"1.2.3\"]}},{}]}," +
            "\"00081250\":{\"vr\":\"SQ\"}," +
            "\"00082111\":{\"vr\":\"ST\",\"Value\":[\"  keeps leading\\\\backslash\"]}," +
            "\"00091001\":{\"vr\":\"OB\",\"InlineBinary\":\"AQID\"}," +
            "\"00100010\":{\"vr\":\"PN\",\"Value\":[{\"Alphabetic\":\"Doe^Jane^^Dr\"}]}," +
            "\"00180050\":{\"vr\":\"DS\",\"Value\":[1.50,0.5,-2E3]}," +
            "\"00181310\":{\"vr\":\"FL\",\"Value\":[0.25]}," +
            "\"00189087\":{\"vr\":\"FD\",\"Value\":[\"NaN\"]}," +
            "\"00200013\":{\"vr\":\"IS\",\"Value\":[7]}," +
            "\"00209165\":{\"vr\":\"AT\",\"Value\":[\"00189087\"]}," +
            "\"00280010\":{\"vr\":\"US\",\"Value\":[512,65535]}," +
            "\"00280106\":{\"vr\":\"SS\",\"Value\":[-1024]}}");
        DicomJson.Serialize(ds, excludePixelData: false).Should().Contain("\"7FE00010\":{\"vr\":\"OW\",\"InlineBinary\":\"AAAAAAAAAAA=\"}");
    }

    [Fact]
    public void Bronze_columns_are_snake_case_keywords_of_their_tags()
    {
        DicomKeyAttributes.BronzeColumns.Select(c => c.ColumnName).Should().OnlyHaveUniqueItems();
        foreach (var column in DicomKeyAttributes.BronzeColumns)
        {
            DicomDictionary.TryGet(column.Tag, out var entry).Should().BeTrue();
            string snake = string.Concat(entry.Keyword.Select((ch, i) => i > 0 && char.IsUpper(ch) && !char.IsUpper(entry.Keyword[i - 1]) ? "_" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));
            column.ColumnName.Should().BeOneOf(snake, snake.Replace("i_ds", "_ids", StringComparison.Ordinal), snake.Replace("sopi", "sop_i", StringComparison.Ordinal).Replace("sopc", "sop_c", StringComparison.Ordinal).Replace("uid", "_uid", StringComparison.Ordinal).Replace("__", "_", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_ascii_byte_path_writes_exactly_the_json_of_the_string_path()
    {
        // pydicom's charset files (Shift-JIS IR 13, ISO 2022 escapes, UTF-8, GB18030, ...) and the synthetic PHI corpus.
        var files = DicomOracles.PydicomCorpus().Concat(DicomOracles.SynthPhiCorpus()).ToList();
        int compared = 0;
        foreach (string file in files)
        {
            var read = Lakehouse.Udfs.Dicom.Reading.DicomFileReader.ReadHeader(File.ReadAllBytes(file), Path.GetFileName(file));
            if (!read.IsSuccess) continue;
            string fast = Lakehouse.Udfs.Dicom.Json.DicomJson.Serialize(read.Dataset!);
            Lakehouse.Udfs.Dicom.Json.DicomJson.StringPathOnly = true;
            try { Lakehouse.Udfs.Dicom.Json.DicomJson.Serialize(read.Dataset!).Should().Be(fast, Path.GetFileName(file)); }
            finally { Lakehouse.Udfs.Dicom.Json.DicomJson.StringPathOnly = false; }
            compared++;
        }
        compared.Should().BeGreaterThan(100);
    }

    [Theory]
    [InlineData(DicomVR.LO, "  padded  \\\\x\\ \0")]
    [InlineData(DicomVR.CS, "A\\B \\ \\C\0")]
    [InlineData(DicomVR.UI, " 1.2.3\0")]
    [InlineData(DicomVR.LT, "  kept leading\r\n\ttab \"quoted\" back\\slash  ")]
    [InlineData(DicomVR.ST, "   ")]
    [InlineData(DicomVR.UT, "x\u0001y")]
    [InlineData(DicomVR.UR, " http://a/b?c=d  ")]
    [InlineData(DicomVR.SH, "\\\\")]
    [InlineData(DicomVR.DA, "20240102\\ 20240103 ")]
    [InlineData(DicomVR.AE, "<script>&'")]
    public void The_ascii_byte_path_trims_splits_and_escapes_as_the_string_path(DicomVR vr, string value)
    {
        foreach (string charset in new[] { "", "ISO_IR 100", "ISO_IR 192", "ISO 2022 IR 6\\ISO 2022 IR 87", "ISO_IR 13" })
        {
            var dataset = new DicomDataset();
            if (charset.Length > 0) dataset.Set(new DicomElement(DicomTags.SpecificCharacterSet, DicomVR.CS, System.Text.Encoding.ASCII.GetBytes(charset)));
            dataset.Set(new DicomElement(new DicomTag(0x0011, 0x1010), vr, System.Text.Encoding.ASCII.GetBytes(value)));
            string fast = Lakehouse.Udfs.Dicom.Json.DicomJson.Serialize(dataset);
            Lakehouse.Udfs.Dicom.Json.DicomJson.StringPathOnly = true;
            try { Lakehouse.Udfs.Dicom.Json.DicomJson.Serialize(dataset).Should().Be(fast, $"{vr} under '{charset}'"); }
            finally { Lakehouse.Udfs.Dicom.Json.DicomJson.StringPathOnly = false; }
        }
    }
}
