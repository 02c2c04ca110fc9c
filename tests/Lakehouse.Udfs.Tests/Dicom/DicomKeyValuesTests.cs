using System.Buffers;
using System.Text;
using Lakehouse.Udfs.Dicom;
using Lakehouse.Udfs.Dicom.Reading;
using static Lakehouse.Udfs.Tests.Dicom.DicomTestFiles;
using DicomWriter = Lakehouse.Udfs.Dicom.Writing.DicomWriter;
using DicomWriterOptions = Lakehouse.Udfs.Dicom.Writing.DicomWriterOptions;
using WireSyntax = Lakehouse.Udfs.Dicom.Writing.DicomTransferSyntax;

namespace Lakehouse.Udfs.Tests.Dicom;

/// <summary>
/// The key values as the one-pass reader extracts them (UTF-8 text, typed values) against a reference built from the
/// public value rules over the materialized data set: the first value of <see cref="DicomValues.GetStrings(DicomElement, DicomCharacterSet?)"/>
/// (person names normalized, multi-valued columns joined with backslashes), <see cref="DicomValues.ParseDate(string?)"/> and
/// the other parsers, a UN element read with its dictionary VR. Every text value must be the UTF-8 of that string, byte for
/// byte, on pydicom's corpus (its character-set files: ISO 2022 Japanese and Korean, GB18030, Latin-1, UTF-8, ...) and on
/// synthetic files with padding, empty values, multi-valued ids, trailing empty name components and UN-encoded keys.
/// </summary>
public class DicomKeyValuesTests
{
    static DicomKeyValuesTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    [Fact]
    public void Every_pydicom_corpus_file_gives_the_reference_values()
    {
        int checkedFiles = 0, nonAscii = 0;
        foreach (string path in DicomOracles.PydicomCorpus())
        {
            byte[] bytes = File.ReadAllBytes(path);
            if (CheckAgainstReference(bytes, Path.GetFileName(path)) is { } nonAsciiValues)
            {
                checkedFiles++;
                if (nonAsciiValues) nonAscii++;
            }
        }
        checkedFiles.Should().BeGreaterThan(50);
        nonAscii.Should().BeGreaterThan(10, "the charset files hold names in many character sets");
    }

    [Fact]
    public void Synthetic_files_with_every_trap_give_the_reference_values()
    {
        var gb18030 = Encoding.GetEncoding(54936);
        var jis = Encoding.GetEncoding(50220); // ISO-2022-JP with escapes
        var cases = new (string Label, DicomDataset Dataset)[]
        {
            ("latin1-padded", new DicomDataset()
                .Set(Raw(0x0008, 0x0005, DicomVR.CS, "ISO_IR 100"))
                .Set(new DicomElement(DicomTags.PatientName, DicomVR.PN, Encoding.Latin1.GetBytes("Müller^Jürgen^^^ ")))
                .Set(new DicomElement(DicomTags.InstitutionName, DicomVR.LO, Encoding.Latin1.GetBytes("  Hôpital Saint-Éloi ")))
                .Set(Raw(0x0010, 0x0020, DicomVR.LO, " ID42 "))
                .Set(Raw(0x0010, 0x1000, DicomVR.LO, "A1 \\ B2\\\\C3 "))
                .Set(Raw(0x0008, 0x0050, DicomVR.SH, "    "))
                .Set(Raw(0x0008, 0x0060, DicomVR.CS, ""))
                .Set(Raw(0x0008, 0x0020, DicomVR.DA, "20240229"))
                .Set(Raw(0x0008, 0x0030, DicomVR.TM, "101530.123456"))
                .Set(Raw(0x0018, 0x0050, DicomVR.DS, " 2.5 "))
                .Set(Raw(0x0028, 0x0030, DicomVR.DS, "0.5\\0.25"))
                .Set(Raw(0x0028, 0x0008, DicomVR.IS, "12 "))),
            ("utf8", new DicomDataset()
                .Set(Raw(0x0008, 0x0005, DicomVR.CS, "ISO_IR 192"))
                .Set(new DicomElement(DicomTags.PatientName, DicomVR.PN, Encoding.UTF8.GetBytes("Müller^山田==")))
                .Set(new DicomElement(DicomTags.StudyDescription, DicomVR.LO, Encoding.UTF8.GetBytes("胸部 CT ")))
                .Set(new DicomElement(DicomTags.OtherPatientIDs, DicomVR.LO, Encoding.UTF8.GetBytes("α1\\β2")))),
            ("gb18030", new DicomDataset()
                .Set(Raw(0x0008, 0x0005, DicomVR.CS, "GB18030"))
                .Set(new DicomElement(DicomTags.PatientName, DicomVR.PN, gb18030.GetBytes("Wang^XiaoDong=王^小東=")))
                .Set(new DicomElement(DicomTags.StationName, DicomVR.SH, gb18030.GetBytes("站 1")))),
            ("iso2022-ir87", new DicomDataset()
                .Set(Raw(0x0008, 0x0005, DicomVR.CS, "\\ISO 2022 IR 87"))
                .Set(new DicomElement(DicomTags.PatientName, DicomVR.PN, (byte[])[.. "Yamada^Tarou="u8, .. jis.GetBytes("山田^太郎")]))
                .Set(new DicomElement(DicomTags.SeriesDescription, DicomVR.LO, jis.GetBytes("頭部")))),
            ("un-encoded", new DicomDataset()
                .Set(Raw(0x0008, 0x0020, DicomVR.UN, "20240131"))
                .Set(Raw(0x0010, 0x0010, DicomVR.UN, "Doe^Jane^^^"))
                .Set(Raw(0x0010, 0x0020, DicomVR.UN, "PID 7 "))
                .Set(Raw(0x0010, 0x1000, DicomVR.UN, "X\\Y "))
                .Set(Raw(0x0010, 0x1010, DicomVR.UN, "042Y"))
                .Set(Raw(0x0028, 0x0010, DicomVR.UN, BitConverter.GetBytes((ushort)512)))
                .Set(Raw(0x0028, 0x0030, DicomVR.UN, "0.5\\0.25 "))),
            ("high-bytes-in-ascii-vrs", new DicomDataset()
                .Set(Raw(0x0008, 0x0060, DicomVR.CS, "M\u00c9"))
                .Set(Raw(0x0010, 0x1010, DicomVR.AS, "\u00ff42Y"))),
        };
        foreach (var (label, dataset) in cases)
            foreach (var syntax in new[] { WireSyntax.ExplicitVRLittleEndian, WireSyntax.ImplicitVRLittleEndian, WireSyntax.ExplicitVRBigEndian })
                CheckAgainstReference(Part10(dataset, syntax), $"{label} {syntax}").Should().NotBeNull(label);
    }

    [Fact]
    public void A_value_that_differs_from_the_reference_is_caught()
    {
        // The check itself: a name decoded with the wrong character set must not pass.
        var ds = new DicomDataset()
            .Set(Raw(0x0008, 0x0005, DicomVR.CS, "ISO_IR 192"))
            .Set(new DicomElement(DicomTags.PatientName, DicomVR.PN, Encoding.UTF8.GetBytes("Müller")));
        var read = DicomFileReader.ReadHeaderJson(Part10(ds), "trap", new ArrayBufferWriter<byte>());
        var column = DicomKeyAttributes.BronzeColumns.Single(c => c.ColumnName == "patient_name");
        read.KeyValues!.Text(column.Slot).SequenceEqual(Encoding.Latin1.GetBytes("Müller")).Should().BeFalse();
        read.KeyValues.Text(column.Slot).SequenceEqual(Encoding.UTF8.GetBytes("Müller")).Should().BeTrue();
    }

    [Fact]
    public void The_attributes_made_from_the_values_are_the_values()
    {
        var ds = new DicomDataset()
            .Set(Raw(0x0008, 0x0005, DicomVR.CS, "ISO_IR 100"))
            .Set(new DicomElement(DicomTags.PatientName, DicomVR.PN, Encoding.Latin1.GetBytes("Müller^Jürgen")))
            .Set(Raw(0x0008, 0x0030, DicomVR.TM, "0915"))
            .Set(Raw(0x0028, 0x0030, DicomVR.DS, "0.5\\0.25"));
        var read = DicomFileReader.ReadHeaderJson(Part10(ds), "attrs", new ArrayBufferWriter<byte>());
        var keys = read.Keys!;
        keys.PatientName.Should().Be("Müller^Jürgen");
        keys.StudyTime.Should().Be(new TimeOnly(9, 15));
        keys.PixelSpacing.Should().Equal(0.5, 0.25);
        keys.SpecificCharacterSet.Should().Be("ISO_IR 100");
        keys.SopInstanceUid.Should().Be("1.2.9");
        keys.StudyDate.Should().BeNull();
        Encoding.UTF8.GetString(read.KeyValues!.SopInstanceUid).Should().Be("1.2.9");
    }

    // Reads the file by both paths; checks the one-pass key values column by column against the reference made from the
    // materialized data set. Null when the file is not readable; else whether any text value is non-ASCII.
    private static bool? CheckAgainstReference(byte[] file, string label)
    {
        var materialized = DicomFileReader.ReadHeader(file, label);
        var onePass = DicomFileReader.ReadHeaderJson(file, label, new ArrayBufferWriter<byte>());
        if (!materialized.IsSuccess)
        {
            onePass.IsSuccess.Should().BeFalse(label);
            return null;
        }
        onePass.IsSuccess.Should().BeTrue(label);
        bool nonAscii = false;
        foreach (var values in new[] { onePass.KeyValues!, materialized.KeyValues! })
        {
            foreach (var column in DicomKeyAttributes.BronzeColumns)
            {
                object? expected = Reference(column, materialized);
                string because = $"{label} {column.ColumnName}";
                switch (column.Kind)
                {
                    case DicomKeyValueKind.Text:
                        var utf8 = values.Text(column.Slot).ToArray();
                        utf8.Should().Equal(expected is string s ? Encoding.UTF8.GetBytes(s) : [], because);
                        if (!Ascii.IsValid(utf8)) nonAscii = true;
                        break;
                    case DicomKeyValueKind.Date: values.Date(column.Slot).Should().Be((DateOnly?)expected, because); break;
                    case DicomKeyValueKind.Time: values.Time(column.Slot).Should().Be((TimeOnly?)expected, because); break;
                    case DicomKeyValueKind.Decimal: values.Decimal(column.Slot).Should().Be((double?)expected, because); break;
                    case DicomKeyValueKind.Integer: values.Integer(column.Slot).Should().Be((int?)expected, because); break;
                    case DicomKeyValueKind.PixelSpacing:
                        bool has = values.TryGetPixelSpacing(out double row, out double col);
                        (has ? new[] { row, col } : null).Should().BeEquivalentTo((double[]?)expected, because);
                        break;
                }
            }
        }
        return nonAscii;
    }

    // The value of a column by the public value rules, over the materialized data set.
    private static object? Reference(DicomKeyColumn column, DicomReadResult read)
    {
        var dataset = read.Dataset!;
        if (column.Tag == DicomTags.TransferSyntaxUID)
            return read.FileMeta!.TryGet(DicomTags.TransferSyntaxUID, out var ts)
                ? DicomValues.GetString(new DicomElement(ts.Tag, DicomVR.UI, ts.Value))
                : read.TransferSyntax!.Uid;
        if (!dataset.TryGet(column.Tag, out var e)) return null;
        var vr = e.VR == DicomVR.UN && DicomDictionary.TryGet(column.Tag, out var entry) && entry.VR is not (DicomVR.SQ or DicomVR.UN) ? entry.VR : e.VR;
        var element = new DicomElement(column.Tag, vr, e.Value);
        var cs = DicomKeyAttributes.CharacterSetOf(dataset);
        string[] values = DicomValues.GetStrings(element, cs);
        string? first = values.Length == 0 || values[0].Length == 0 ? null : values[0];
        string? latin1First = DicomValues.GetString(element); // numbers are read as Latin-1 text
        switch (column.ColumnName)
        {
            case "patient_name": return first is null ? null : DicomValues.NormalizePersonName(first) is { Length: > 0 } n ? n : null;
            case "other_patient_ids" or "specific_character_set": return string.Join('\\', values) is { Length: > 0 } joined ? joined : null;
            case "slice_thickness": return DicomValues.ParseDecimal(first);
            case "number_of_frames": return (int?)DicomValues.ParseInteger(first);
            case "rows" or "columns":
                if (vr is DicomVR.US or DicomVR.SS or DicomVR.UL or DicomVR.SL)
                    return DicomValues.BinaryCount(element) > 0 ? (int)Math.Clamp(DicomValues.GetInteger(element, 0), int.MinValue, int.MaxValue) : null;
                return vr == DicomVR.IS ? (int?)DicomValues.ParseInteger(latin1First) : null;
            case "pixel_spacing":
                if (DicomValues.IsSingleValuedText(vr) || e.Value.IsEmpty) return null;
                string[] parts = DicomValues.GetStrings(element);
                return parts.Length == 2 && DicomValues.ParseDecimal(parts[0]) is { } r && DicomValues.ParseDecimal(parts[1]) is { } c ? new[] { r, c } : null;
        }
        return column.Kind switch
        {
            DicomKeyValueKind.Date => DicomValues.ParseDate(first),
            DicomKeyValueKind.Time => DicomValues.ParseTime(first),
            _ => first,
        };
    }
}
