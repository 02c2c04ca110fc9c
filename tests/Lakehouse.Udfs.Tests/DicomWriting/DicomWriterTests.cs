using System.Text.Json;
using Lakehouse.Testing;
using Lakehouse.Udfs.Dicom;
using Lakehouse.Udfs.Dicom.Writing;

namespace Lakehouse.Udfs.Tests.DicomWriting;

public class DicomWriterTests
{
    private const string PrivateCreatorTag = "00090010";

    private static DicomDataset Sample(DicomCharacterSet cs, string familyName, string givenName)
    {
        var item = new DicomDataset()
            .Set(DicomElement.FromText(DicomTags.AccessionNumber, "ACC12345"))
            .Set(DicomElement.FromText(DicomTags.RequestedProcedureID, "RP77"));
        var ds = new DicomDataset()
            .Set(DicomElement.FromText(DicomTags.SOPClassUID, "1.2.840.10008.5.1.4.1.1.2"))
            .Set(DicomElement.FromText(DicomTags.SOPInstanceUID, "2.25.1234567"))
            .Set(DicomElement.FromText(DicomTags.StudyInstanceUID, "2.25.99"))
            .Set(DicomElement.FromTexts(DicomTags.ImageType, DicomVR.CS, ["ORIGINAL", "PRIMARY", "AXIAL"]))
            .Set(DicomElement.FromText(DicomTags.Modality, "CT"))
            .Set(DicomElement.FromPersonName(DicomTags.PatientName, familyName, givenName, characterSet: cs))
            .Set(DicomElement.FromText(DicomTags.PatientID, "X1"))
            .Set(DicomElement.FromText(DicomTags.InstitutionName, "Klinik Süd", cs == DicomCharacterSet.Default ? DicomCharacterSet.IsoIr100 : cs))
            .Set(DicomElement.FromUInt16(DicomTags.Rows, 2))
            .Set(DicomElement.FromUInt16(DicomTags.Columns, 2))
            .Set(DicomElement.FromUInt16(DicomTags.BitsAllocated, 16))
            .Set(DicomElement.FromInt16(DicomTags.PixelPaddingValue, -2000))
            .Set(DicomElement.FromUInt32(DicomTags.SimpleFrameList, 7, 70000))
            .Set(DicomElement.FromSingle(DicomTags.RecommendedDisplayFrameRateInFloat, 1.5f))
            .Set(DicomElement.FromUInt16(DicomTags.PixelRepresentation, 1))
            .Set(DicomElement.FromDouble(DicomTags.DoubleFloatRealWorldValueFirstValueMapped, -0.25, 1e10))
            .Set(DicomElement.FromTags(DicomTags.FrameIncrementPointer, DicomTags.FrameTime))
            .Set(DicomElement.FromItems(DicomTags.RequestAttributesSequence, item))
            .Set(DicomElement.FromText(new DicomTag(0x0009, 0x0010), DicomVR.LO, "SYNTH VENDOR"))
            .Set(DicomElement.FromText(new DicomTag(0x0009, 0x1001), DicomVR.LO, familyName, cs))
            .Set(DicomElement.FromBytes(DicomTags.PixelData, DicomVR.OW, new byte[] { 1, 2, 3, 4, 5, 6, 0xFF, 0x7F }));
        if (DicomCharacterSetInfo.DefinedTerm(cs) is { } term)
            ds.Set(DicomElement.FromText(DicomTags.SpecificCharacterSet, term));
        return ds;
    }

    public static TheoryData<DicomTransferSyntax, DicomCharacterSet, bool> Cases()
    {
        var data = new TheoryData<DicomTransferSyntax, DicomCharacterSet, bool>();
        foreach (var ts in Enum.GetValues<DicomTransferSyntax>())
            foreach (var cs in new[] { DicomCharacterSet.IsoIr100, DicomCharacterSet.IsoIr192 })
                foreach (bool undefined in new[] { false, true })
                    data.Add(ts, cs, undefined);
        data.Add(DicomTransferSyntax.ExplicitVRLittleEndian, DicomCharacterSet.Default, false);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Written_file_passes_dcmdump_and_reads_back_in_pydicom(DicomTransferSyntax ts, DicomCharacterSet cs, bool undefinedLength)
    {
        (string family, string given) = cs switch
        {
            DicomCharacterSet.IsoIr100 => ("Müller", "Jürgen"),
            DicomCharacterSet.IsoIr192 => ("Ødegård", "Åse山田"),
            _ => ("SMITH", "JOHN"),
        };
        using var dir = new TempDirectory("dicom-writer");
        string path = dir.Combine("file.dcm");
        using (var fs = File.Create(path))
            DicomWriter.WriteFile(fs, Sample(cs, family, given), new DicomWriterOptions { TransferSyntax = ts, UndefinedLengthSequences = undefinedLength });

        var dump = ExternalTool.Run(ExternalTool.Require("dcmdump"), ["+E", path]);
        dump.ExitCode.Should().Be(0, dump.StdErr);
        dump.StdErr.Should().BeEmpty();
        dump.StdOut.Should().Contain(DicomTransferSyntaxInfo.Uid(ts) == "1.2.840.10008.1.2" ? "Little Endian Implicit" : "TransferSyntaxUID");

        const string script = """
import json, sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
v = ds[0x00091001].value
out = {
  "ts": str(ds.file_meta.TransferSyntaxUID),
  "name": str(ds.PatientName),
  "inst": ds.InstitutionName,
  "type": list(ds.ImageType),
  "rows": ds.Rows, "pad": ds.PixelPaddingValue,
  "frames": list(ds.SimpleFrameList),
  "fl": ds.RecommendedDisplayFrameRateInFloat,
  "at": int(ds.FrameIncrementPointer),
  "acc": ds.RequestAttributesSequence[0].AccessionNumber,
  "priv": v if isinstance(v, str) else v.decode('latin-1' if 'ISO_IR 100' in str(ds.get('SpecificCharacterSet', '')) else 'utf-8').strip(),
  "fd": list(ds.DoubleFloatRealWorldValueFirstValueMapped),
  "pixels": list(ds.PixelData),
  "sop": ds.SOPInstanceUID, "meta_sop": ds.file_meta.MediaStorageSOPInstanceUID,
}
print(json.dumps(out))
""";
        var py = Pydicom.Run(script, path);
        py.ExitCode.Should().Be(0, py.StdErr);
        using var doc = JsonDocument.Parse(py.StdOut);
        var r = doc.RootElement;
        r.GetProperty("ts").GetString().Should().Be(DicomTransferSyntaxInfo.Uid(ts));
        r.GetProperty("name").GetString().Should().Be($"{family}^{given}");
        r.GetProperty("inst").GetString().Should().Be("Klinik Süd");
        r.GetProperty("type").EnumerateArray().Select(e => e.GetString()).Should().Equal("ORIGINAL", "PRIMARY", "AXIAL");
        r.GetProperty("rows").GetInt32().Should().Be(2);
        r.GetProperty("pad").GetInt32().Should().Be(-2000);
        r.GetProperty("frames").EnumerateArray().Select(e => e.GetInt64()).Should().Equal(7, 70000);
        r.GetProperty("fl").GetDouble().Should().Be(1.5);
        r.GetProperty("fd").EnumerateArray().Select(e => e.GetDouble()).Should().Equal(-0.25, 1e10);
        r.GetProperty("at").GetInt64().Should().Be(DicomTags.FrameTime.Value);
        r.GetProperty("acc").GetString().Should().Be("ACC12345");
        r.GetProperty("priv").GetString().Should().Be(family);
        r.GetProperty("sop").GetString().Should().Be("2.25.1234567");
        r.GetProperty("meta_sop").GetString().Should().Be("2.25.1234567");
        // pydicom hands back PixelData as stored on the wire: byte-swapped OW words in big endian.
        var expectedPixels = ts == DicomTransferSyntax.ExplicitVRBigEndian ? new[] { 2, 1, 4, 3, 6, 5, 0x7F, 0xFF } : new[] { 1, 2, 3, 4, 5, 6, 0xFF, 0x7F };
        r.GetProperty("pixels").EnumerateArray().Select(e => e.GetInt32()).Should().Equal(expectedPixels);
    }

    [Fact]
    public void Odd_values_are_padded_and_group_length_is_exact()
    {
        var ds = new DicomDataset()
            .Set(DicomElement.FromText(DicomTags.SOPClassUID, "1.2.3"))
            .Set(DicomElement.FromText(DicomTags.SOPInstanceUID, "1.2.345"))
            .Set(DicomElement.FromText(DicomTags.PatientID, "ABC"));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        DicomWriter.WriteFile(buffer, ds);
        var bytes = buffer.WrittenSpan.ToArray();
        bytes.AsSpan(128, 4).ToArray().Should().Equal("DICM"u8.ToArray());
        // (0002,0000) UL 4 <length>: the meta elements that follow end exactly where the dataset begins.
        uint groupLength = BitConverter.ToUInt32(bytes, 132 + 8);
        int datasetStart = 132 + 12 + (int)groupLength;
        BitConverter.ToUInt16(bytes, datasetStart).Should().Be(0x0008, "the first dataset element follows the meta group");
        // PatientID "ABC" is padded with a space to 4 bytes.
        int pid = bytes.AsSpan().IndexOf("ABC"u8);
        bytes[pid + 3].Should().Be((byte)' ');
        BitConverter.ToUInt16(bytes, pid - 2).Should().Be(4);
        // UIDs are padded with NUL.
        int uid = bytes.AsSpan(datasetStart).IndexOf("1.2.345"u8) + datasetStart;
        bytes[uid + 7].Should().Be(0);
    }

    [Fact]
    public void Factories_reject_characters_outside_the_character_set()
    {
        var act = () => DicomElement.FromText(DicomTags.PatientName, "Ødegård", DicomCharacterSet.Default);
        act.Should().Throw<ArgumentException>().Which.Message.Should().NotContain("Ødegård", "messages never quote values");
        var cjk = () => DicomElement.FromText(DicomTags.PatientName, "山田", DicomCharacterSet.IsoIr100);
        cjk.Should().Throw<ArgumentException>();
        DicomElement.FromText(DicomTags.PatientName, "Müller", DicomCharacterSet.IsoIr100).Value.Length.Should().Be(6);
        DicomElement.FromText(DicomTags.PatientName, "Müller", DicomCharacterSet.IsoIr192).Value.Length.Should().Be(7);
    }
}
