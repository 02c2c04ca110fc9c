using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Lakehouse.Udfs.Dicom;
using Lakehouse.Udfs.Dicom.Json;
using Lakehouse.Udfs.Dicom.Reading;
using DicomWriter = Lakehouse.Udfs.Dicom.Writing.DicomWriter;
using DicomWriterOptions = Lakehouse.Udfs.Dicom.Writing.DicomWriterOptions;
using WireSyntax = Lakehouse.Udfs.Dicom.Writing.DicomTransferSyntax;

namespace Lakehouse.Udfs.Tests.Dicom;

/// <summary>
/// The fast paths of the JSON writer (plain values copied after one scan, canonical integers copied as text, the attribute
/// start written in one piece, the VR flags table) against the reference: the string path (GetStrings, then Utf8JsonWriter),
/// both through the serializer and through the one-pass header walk over a written file.
/// </summary>
public class DicomJsonFastPathTests
{
    private static readonly string[] Charsets = ["", "ISO_IR 100", "ISO_IR 192", "ISO 2022 IR 6\\ISO 2022 IR 87", "ISO_IR 13"];

    private static readonly string[] BoundaryCharsets = ["", "ISO_IR 192"];

    // The reference JSON of a data set: every text value through the string path.
    private static string Reference(DicomDataset dataset)
    {
        DicomJson.StringPathOnly = true;
        try { return DicomJson.Serialize(dataset); }
        finally { DicomJson.StringPathOnly = false; }
    }

    // One element, under each character set: the serializer and the one-pass walk of the file (explicit little and big
    // endian) both write what the string path writes.
    private static void AllPathsAgree(DicomVR vr, byte[] value, string because, string[]? charsets = null)
    {
        foreach (string charset in charsets ?? Charsets)
        {
            var dataset = new DicomDataset();
            if (charset.Length > 0) dataset.Set(new DicomElement(DicomTags.SpecificCharacterSet, DicomVR.CS, Encoding.ASCII.GetBytes(charset)));
            dataset.Set(new DicomElement(new DicomTag(0x0011, 0x1010), vr, value));
            DicomJson.Serialize(dataset).Should().Be(Reference(dataset), $"{because}: serializer, {vr} under '{charset}'");

            dataset.Set(new DicomElement(DicomTags.SOPClassUID, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.7\0"u8.ToArray()));
            dataset.Set(new DicomElement(DicomTags.SOPInstanceUID, DicomVR.UI, "1.2.9\0"u8.ToArray()));
            foreach (var syntax in new[] { WireSyntax.ExplicitVRLittleEndian, WireSyntax.ExplicitVRBigEndian })
            {
                var file = new ArrayBufferWriter<byte>();
                DicomWriter.WriteFile(file, dataset, new DicomWriterOptions { TransferSyntax = syntax });
                var read = DicomFileReader.ReadHeader(file.WrittenSpan, "fast-path");
                read.IsSuccess.Should().BeTrue(because);
                var json = new ArrayBufferWriter<byte>();
                var one = DicomFileReader.ReadHeaderJson(file.WrittenSpan, "fast-path", json);
                one.IsSuccess.Should().BeTrue(because);
                one.Dataset.Should().BeNull("a file in tag order takes the one pass");
                Encoding.UTF8.GetString(json.WrittenSpan).Should().Be(Reference(read.Dataset!), $"{because}: one pass, {vr} under '{charset}', {syntax}");
            }
        }
    }

    [Theory]
    // Trailing and leading padding, empty values, only separators.
    [InlineData(DicomVR.LO, "value  ")]
    [InlineData(DicomVR.LO, "  value\0")]
    [InlineData(DicomVR.LO, "")]
    [InlineData(DicomVR.LO, "    ")]
    [InlineData(DicomVR.LO, "\\")]
    [InlineData(DicomVR.LO, " \\ \\ ")]
    [InlineData(DicomVR.LO, "a\\\\b")]
    [InlineData(DicomVR.LO, "\\a\\")]
    [InlineData(DicomVR.CS, "ORIGINAL\\PRIMARY\\AXIAL")]
    [InlineData(DicomVR.CS, " A \\ B ")]
    [InlineData(DicomVR.UI, "1.2.840.10008.1.2.1\0")]
    [InlineData(DicomVR.UI, "\01.2.3")]
    [InlineData(DicomVR.UI, "1.2\\3.4\0")]
    [InlineData(DicomVR.SH, "a\0b")]
    [InlineData(DicomVR.LT, "  keeps leading, trims trailing  ")]
    [InlineData(DicomVR.ST, "one \\ value")]
    [InlineData(DicomVR.UT, "quote \" inside")]
    [InlineData(DicomVR.UR, "http://a/b?c=d&e=<f> ")]
    [InlineData(DicomVR.LO, "tab\there")]
    [InlineData(DicomVR.LO, "del\u007Fhere")]
    [InlineData(DicomVR.LO, "<script>&'+`")]
    [InlineData(DicomVR.LO, "esc\u001B$B")]
    [InlineData(DicomVR.PN, "DOE^JOHN^^^")]
    [InlineData(DicomVR.PN, "^^^\\DOE")]
    // Decimal strings: JSON numbers copied, others parsed or left to the string path.
    [InlineData(DicomVR.DS, "-250\\-250\\-22.5")]
    [InlineData(DicomVR.DS, "1\\0\\0\\0\\1\\0 ")]
    [InlineData(DicomVR.DS, " 0.625 \\ 0.625")]
    [InlineData(DicomVR.DS, "1.\\.5\\+2\\1e3\\1E+03\\00.5")]
    [InlineData(DicomVR.DS, "1\\\\2")]
    [InlineData(DicomVR.DS, "x\\1")]
    [InlineData(DicomVR.DS, "NaN")]
    [InlineData(DicomVR.DS, "1e999")]
    // Integer strings: canonical ones copied as text, others reformatted or left to the string path.
    [InlineData(DicomVR.IS, "0")]
    [InlineData(DicomVR.IS, "-0")]
    [InlineData(DicomVR.IS, "007")]
    [InlineData(DicomVR.IS, "+5")]
    [InlineData(DicomVR.IS, "-12\\34\\ 56 ")]
    [InlineData(DicomVR.IS, "123456789012345678")]
    [InlineData(DicomVR.IS, "1234567890123456789")]
    [InlineData(DicomVR.IS, "-9223372036854775808")]
    [InlineData(DicomVR.IS, "9223372036854775808")]
    [InlineData(DicomVR.IS, "1.5")]
    [InlineData(DicomVR.IS, "-")]
    [InlineData(DicomVR.IS, "1\\x")]
    public void A_value_is_written_as_the_string_path_writes_it(DicomVR vr, string value) =>
        AllPathsAgree(vr, Encoding.Latin1.GetBytes(value), $"'{value}'");

    [Theory]
    [InlineData(DicomVR.LO)]
    [InlineData(DicomVR.LT)]
    [InlineData(DicomVR.UT)]
    [InlineData(DicomVR.CS)]
    public void A_byte_to_escape_at_or_near_a_vector_boundary_is_escaped(DicomVR vr)
    {
        // Values longer than one vector (16, 32, 64 bytes), with the one byte to escape at every position around the
        // boundaries, and as the last byte before trailing padding.
        foreach (int length in new[] { 15, 16, 17, 31, 32, 33, 63, 64, 65, 100 })
            foreach (byte special in "\"\\\u0001\u001F\u007F\u00E9"u8.ToArray().Concat(new byte[] { 0xC3 }))
                foreach (int at in new[] { 0, 14, 15, 16, 17, 30, 31, 32, 33, 62, 63, 64, length - 1 }.Where(i => i < length).Distinct())
                {
                    byte[] value = Enumerable.Range(0, length).Select(i => (byte)('a' + (i % 26))).ToArray();
                    value[at] = special;
                    AllPathsAgree(vr, value, $"byte 0x{special:X2} at {at} of {length}", BoundaryCharsets);
                    AllPathsAgree(vr, [.. value, .. "   "u8.ToArray()], $"byte 0x{special:X2} at {at} of {length}, padded", BoundaryCharsets);
                }
    }

    [Fact]
    public void Long_plain_values_and_many_separators_are_written_as_the_string_path_writes_them()
    {
        var rng = new Random(20261122);
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .-_^=\\";
        foreach (var vr in new[] { DicomVR.LO, DicomVR.SH, DicomVR.CS, DicomVR.UI, DicomVR.LT, DicomVR.UT, DicomVR.PN, DicomVR.AE, DicomVR.DA })
            for (int i = 0; i < 40; i++)
            {
                int length = rng.Next(0, 200);
                var value = new string(Enumerable.Range(0, length).Select(_ => Alphabet[rng.Next(Alphabet.Length)]).ToArray());
                AllPathsAgree(vr, Encoding.ASCII.GetBytes(value), $"'{value}'");
            }
        for (int i = 0; i < 60; i++)
        {
            var numbers = Enumerable.Range(0, rng.Next(1, 12)).Select(_ => rng.Next(4) switch
            {
                0 => rng.Next(-100000, 100000).ToString(CultureInfo.InvariantCulture),
                1 => (rng.NextDouble() * 1000 - 500).ToString("R", CultureInfo.InvariantCulture),
                2 => " " + rng.Next(0, 99).ToString(CultureInfo.InvariantCulture) + " ",
                _ => "",
            });
            string joined = string.Join('\\', numbers);
            AllPathsAgree(DicomVR.DS, Encoding.ASCII.GetBytes(joined), $"DS '{joined}'");
            AllPathsAgree(DicomVR.IS, Encoding.ASCII.GetBytes(joined), $"IS '{joined}'");
        }
    }

    [Fact]
    public void Hex_keys_are_the_eight_upper_case_digits_of_the_tag()
    {
        var rng = new Random(5);
        Span<byte> digits = stackalloc byte[8];
        foreach (uint tag in new uint[] { 0, 0xFFFFFFFF, 0x7FE00010, 0x0008103E, 0xABCDEF09, 0x9A9A9A9A, 0x10000000 }
                     .Concat(Enumerable.Range(0, 10000).Select(_ => (uint)rng.NextInt64(0, 1L << 32))))
        {
            BinaryPrimitives.WriteUInt64LittleEndian(digits, DicomJson.HexKey(tag));
            Encoding.ASCII.GetString(digits).Should().Be(tag.ToString("X8", CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void The_vr_flags_table_answers_as_the_lists_of_PS3_5()
    {
        // The lists of PS3.5 6.2 and 7.1.2, written out here as the table's oracle.
        DicomVR[] known = Enum.GetValues<DicomVR>().Where(v => v != DicomVR.None).ToArray();
        DicomVR[] longLength = [DicomVR.OB, DicomVR.OD, DicomVR.OF, DicomVR.OL, DicomVR.OV, DicomVR.OW, DicomVR.SQ, DicomVR.SV, DicomVR.UC, DicomVR.UN, DicomVR.UR, DicomVR.UT, DicomVR.UV];
        DicomVR[] text = [DicomVR.AE, DicomVR.AS, DicomVR.CS, DicomVR.DA, DicomVR.DS, DicomVR.DT, DicomVR.IS, DicomVR.LO, DicomVR.LT, DicomVR.PN, DicomVR.SH, DicomVR.ST, DicomVR.TM, DicomVR.UC, DicomVR.UI, DicomVR.UR, DicomVR.UT];
        DicomVR[] asciiText = [DicomVR.AE, DicomVR.AS, DicomVR.CS, DicomVR.DA, DicomVR.DS, DicomVR.DT, DicomVR.IS, DicomVR.TM, DicomVR.UI, DicomVR.UR];
        known.Should().HaveCount(34);
        var wrong = new List<string>();
        for (int code = 0; code <= ushort.MaxValue; code++)
        {
            var vr = (DicomVR)code;
            int unit = vr switch
            {
                DicomVR.US or DicomVR.SS or DicomVR.OW or DicomVR.AT => 2,
                DicomVR.UL or DicomVR.SL or DicomVR.FL or DicomVR.OF or DicomVR.OL => 4,
                DicomVR.FD or DicomVR.OD or DicomVR.SV or DicomVR.UV or DicomVR.OV => 8,
                _ => 0,
            };
            if (DicomVRInfo.IsKnown(vr) != known.Contains(vr)) wrong.Add($"IsKnown 0x{code:X4}");
            if (DicomVRInfo.HasLongLength(vr) != longLength.Contains(vr)) wrong.Add($"HasLongLength 0x{code:X4}");
            if (DicomVRInfo.IsText(vr) != text.Contains(vr)) wrong.Add($"IsText 0x{code:X4}");
            if (DicomVRInfo.IsAsciiText(vr) != asciiText.Contains(vr)) wrong.Add($"IsAsciiText 0x{code:X4}");
            if (DicomVRInfo.FromBytes((byte)(code >> 8), (byte)code) != (known.Contains(vr) ? vr : DicomVR.None)) wrong.Add($"FromBytes 0x{code:X4}");
            if (DicomVRInfo.SwappedUnit(vr) != unit) wrong.Add($"SwappedUnit 0x{code:X4}");
        }
        wrong.Should().BeEmpty();
    }
}

public class DicomDateParsingTests
{
    // The reference: the exact-format parse ParseDate used before it read the digits itself.
    private static DateOnly? Reference(string text)
    {
        string digits = text.Length == 10 && text[4] == '.' && text[7] == '.' ? text[..4] + text.Substring(5, 2) + text.Substring(8, 2) : text;
        if (text.Length is not (8 or 10) || digits.Length != 8) return null;
        return DateOnly.TryParseExact(digits, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
    }

    [Fact]
    public void Dates_parse_as_the_exact_format_parser_parses_them()
    {
        var rng = new Random(8);
        var texts = new List<string> { "", "2024", "20240229", "20230229", "19000229", "20000229", "00000101", "00010101", "99991231",
            "20241301", "20240001", "20240100", "20240132", "20240431", "2024.02.29", "2024.13.01", "2024-02-29", "2024022", "202402291",
            "2024.0229", " 2024022", "2024022 ", "+2024022", "-2024022", "２０２４０２２９", "2024\u0660229", "20240a29" };
        for (int i = 0; i < 20000; i++)
        {
            int year = rng.Next(0, 10000), month = rng.Next(0, 14), day = rng.Next(0, 33);
            texts.Add(string.Create(CultureInfo.InvariantCulture, $"{year:D4}{month:D2}{day:D2}"));
            texts.Add(string.Create(CultureInfo.InvariantCulture, $"{year:D4}.{month:D2}.{day:D2}"));
        }
        var wrong = texts.Where(t => DicomValues.ParseDate(t) != Reference(t)).ToList();
        wrong.Should().BeEmpty();
        DicomValues.ParseDate("20240229").Should().Be(new DateOnly(2024, 2, 29)); // and the reference is not null everywhere
    }
}
