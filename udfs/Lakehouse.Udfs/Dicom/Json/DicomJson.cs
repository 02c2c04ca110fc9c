using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Udfs.Dicom.Json;

/// <summary>
/// Writes a data set as the DICOM JSON Model (PS3.18 Annex F.2): an object keyed by "GGGGEEEE" in tag order,
/// each attribute {"vr": .., "Value": [..]} with numbers for IS, DS and the binary numeric VRs, PN as component-group
/// objects, AT as "GGGGEEEE" strings, InlineBinary base64 for OB/OD/OF/OL/OV/OW/UN, nested objects for sequence items,
/// and no "Value" key for empty attributes. Group length elements are left out (they describe an encoding, not data).
/// </summary>
public static class DicomJson
{
    // Relaxed escaping keeps non-ASCII text as UTF-8 (as dcm2json writes it); the output is data, never embedded in HTML.
    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        SkipValidation = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Serializes a data set to a JSON string.</summary>
    public static string Serialize(DicomDataset dataset, bool excludePixelData = true)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) Write(writer, dataset, excludePixelData);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Writes a data set as UTF-8 JSON into <paramref name="output"/> (e.g. a reused buffer, so a caller that also hashes
    /// the bytes encodes the text once).
    /// </summary>
    public static void SerializeUtf8(DicomDataset dataset, IBufferWriter<byte> output, bool excludePixelData = true)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        Write(writer, dataset, excludePixelData);
    }

    /// <summary>Writes a data set as one JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, DicomDataset dataset, bool excludePixelData = true) =>
        WriteDataset(new Utf8JsonWriterSink(writer), dataset, DicomKeyAttributes.CharacterSetOf(dataset), excludePixelData);

    private static void WriteDataset<TSink>(TSink writer, DicomDataset dataset, DicomCharacterSet inherited, bool excludePixelData) where TSink : IDicomJsonSink
    {
        // An item may declare its own character set (PS3.5 6.1.2.5.2); otherwise it inherits.
        var cs = dataset.Contains(DicomTags.SpecificCharacterSet) ? DicomKeyAttributes.CharacterSetOf(dataset) : inherited;
        writer.StartObject();
        foreach (var e in dataset.Elements)
        {
            if (IsLeftOut(e.Tag, excludePixelData)) continue;
            WriteAttributeStart(writer, e.Tag, e.VR);
            if (e.VR == DicomVR.SQ)
            {
                if (e.Items.Count > 0)
                {
                    writer.StartArray("Value"u8);
                    foreach (var item in e.Items) WriteDataset(writer, item, cs, excludePixelData);
                    writer.EndArray();
                }
            }
            else
            {
                WriteValue(writer, e.VR, e.Value.Span, cs);
            }
            writer.EndObject();
        }
        writer.EndObject();
    }

    /// <summary>Attributes the JSON leaves out: group lengths (an encoding, not data) and, when asked, the pixel data.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsLeftOut(DicomTag tag, bool excludePixelData) =>
        tag.IsGroupLength || (excludePixelData && tag.Group == 0x7FE0 && tag.Element is 0x0008 or 0x0009 or 0x0010);

    /// <summary>Writes <c>"GGGGEEEE":{"vr":"XX"</c>; the caller writes the value and closes the object.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WriteAttributeStart<TSink>(TSink writer, DicomTag tag, DicomVR vr) where TSink : IDicomJsonSink =>
        writer.AttributeStart(HexKey(tag.Value), vr == DicomVR.None ? DicomVR.UN : vr);

    /// <summary>
    /// Writes the "Value" (or "InlineBinary") of an attribute that is not a sequence, from its encoded little-endian bytes:
    /// the per-VR rules of PS3.18 F.2, shared by the data set serializer and the one-pass header walk.
    /// </summary>
    internal static void WriteValue<TSink>(TSink writer, DicomVR vr, ReadOnlySpan<byte> value, DicomCharacterSet cs) where TSink : IDicomJsonSink
    {
        if (value.IsEmpty) return;
        // Most attributes are text: one table test sends them on before the binary cases are looked at.
        if (DicomVRInfo.IsText(vr))
        {
            WriteText(writer, vr, value, cs);
            return;
        }
        switch (vr)
        {
            case DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.UN or DicomVR.None:
                writer.Base64("InlineBinary"u8, value);
                return;
            case DicomVR.US or DicomVR.SS or DicomVR.UL or DicomVR.SL or DicomVR.SV or DicomVR.UV:
            {
                int n = DicomValues.BinaryCount(value.Length, vr);
                if (n == 0) return;
                writer.StartArray("Value"u8);
                for (int i = 0; i < n; i++)
                {
                    if (vr == DicomVR.UV)
                    {
                        ulong u = BinaryPrimitives.ReadUInt64LittleEndian(value[(i * 8)..]);
                        if (u <= (1UL << 53)) writer.NumberValue(u); else writer.StringValue(u.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        continue;
                    }
                    long v = DicomValues.GetInteger(value, vr, i);
                    // Beyond 2^53 a JSON reader's double loses digits: a string. (Math.Abs would throw on long.MinValue.)
                    if (vr == DicomVR.SV && v is > (1L << 53) or < -(1L << 53)) writer.StringValue(v.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    else writer.NumberValue(v);
                }
                writer.EndArray();
                return;
            }
            case DicomVR.FL or DicomVR.FD:
            {
                int n = DicomValues.BinaryCount(value.Length, vr);
                if (n == 0) return;
                writer.StartArray("Value"u8);
                for (int i = 0; i < n; i++)
                {
                    double v = DicomValues.GetFloat(value, vr, i);
                    // JSON has no NaN or infinity: write them as strings rather than fail the file.
                    if (!double.IsFinite(v)) writer.StringValue(v.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    else if (vr == DicomVR.FL) writer.NumberValue((float)v);
                    else writer.NumberValue(v);
                }
                writer.EndArray();
                return;
            }
            case DicomVR.AT:
                WriteTags(writer, value);
                return;
        }
        WriteText(writer, vr, value, cs);
    }

    // AT: each tag as its "GGGGEEEE" string. Apart from WriteValue, whose stack frame then needs no buffer (a method that
    // allocates on the stack is compiled once, without the profile-guided tier).
    private static void WriteTags<TSink>(TSink writer, ReadOnlySpan<byte> value) where TSink : IDicomJsonSink
    {
        int n = value.Length / 4;
        if (n == 0) return;
        writer.StartArray("Value"u8);
        Span<byte> hex = stackalloc byte[8];
        for (int i = 0; i < n; i++)
        {
            var s = value[(i * 4)..];
            uint tag = ((uint)BinaryPrimitives.ReadUInt16LittleEndian(s) << 16) | BinaryPrimitives.ReadUInt16LittleEndian(s[2..]);
            BinaryPrimitives.WriteUInt64LittleEndian(hex, HexKey(tag));
            writer.StringValue(hex);
        }
        writer.EndArray();
    }

    // The text rules: values split, trimmed, decoded with the character set; IS and DS as numbers, PN as component groups.
    private static void WriteText<TSink>(TSink writer, DicomVR vr, ReadOnlySpan<byte> value, DicomCharacterSet cs) where TSink : IDicomJsonSink
    {
        if (!t_stringPathOnly && TryWriteAsciiValues(writer, value, vr, cs)) return;
        var values = DicomValues.GetStrings(value, vr, cs);
        if (vr == DicomVR.PN)
            for (int i = 0; i < values.Length; i++) values[i] = DicomValues.NormalizePersonName(values[i]);
        if (Array.TrueForAll(values, v => v.Length == 0)) return;
        writer.StartArray("Value"u8);
        foreach (string v in values)
        {
            if (v.Length == 0) { writer.NullValue(); continue; }
            switch (vr)
            {
                case DicomVR.PN: WritePersonName(writer, v); break;
                case DicomVR.IS:
                    if (DicomValues.ParseInteger(v) is { } l) writer.NumberValue(l);
                    else if (DicomValues.ParseDecimal(v) is { } d && double.IsFinite(d)) writer.NumberValue(d);
                    else writer.StringValue(v);
                    break;
                case DicomVR.DS:
                    if (IsJsonNumber(v)) writer.RawValue(v);
                    else if (DicomValues.ParseDecimal(v) is { } d2 && double.IsFinite(d2)) writer.NumberValue(d2);
                    else writer.StringValue(v);
                    break;
                default: writer.StringValue(v); break;
            }
        }
        writer.EndArray();
    }

    /// <summary>Test switch for the calling thread: true sends every text value through <see cref="DicomValues.GetStrings(DicomElement, DicomCharacterSet?)"/> (the reference path).</summary>
    internal static bool StringPathOnly { get => t_stringPathOnly; set => t_stringPathOnly = value; }

    [ThreadStatic] private static bool t_stringPathOnly;

    // The common case without a string per value: an ASCII value under a character set that decodes ASCII as itself is
    // split, trimmed (as DicomValues.Trim does) and written as its own bytes, the same JSON as the string path. PN is
    // normalized as DicomValues.NormalizePersonName does; IS and DS take this path only when every value is a number
    // the string path writes from its text (a long for IS, an RFC 8259 number for DS), else the string path decides.
    private static bool TryWriteAsciiValues<TSink>(TSink writer, ReadOnlySpan<byte> value, DicomVR vr, DicomCharacterSet cs) where TSink : IDicomJsonSink
    {
        if (!DicomVRInfo.IsAsciiText(vr) && !cs.DecodesAsciiAsAscii) return false;
        bool single = DicomValues.IsSingleValuedText(vr);
        // The usual value, found in one scan: printable ASCII once trimmed (padding is only spaces and NULs, so the
        // trimmed span decides), nothing to escape but the value separators. Its values are copied as they are.
        var trimmed = DicomValues.Trim(value, vr);
        if (trimmed.IndexOfAny(single ? NotPlain : NotPlainButSeparator) < 0) return TryWritePlainValues(writer, trimmed, vr, single);
        if (value.IndexOfAnyExceptInRange((byte)0, (byte)0x7F) >= 0 || value.IndexOf((byte)0x1B) >= 0) return false;
        bool numbers = vr is DicomVR.IS or DicomVR.DS;
        bool any = single && !DicomValues.Trim(value, vr).IsEmpty;
        if (!single)
            foreach (var range in SplitValues(value))
            {
                var v = DicomValues.Trim(value[range], vr);
                if (vr == DicomVR.PN ? IsEmptyPersonName(v) : v.IsEmpty) continue;
                if (numbers && !IsAsciiNumber(v, vr)) return false;
                any = true;
                if (!numbers) break;
            }
        if (!any) return true; // only padding: no "Value", as the string path
        writer.StartArray("Value"u8);
        if (single) WriteAsciiValue(writer, DicomValues.Trim(value, vr), vr);
        else
            foreach (var range in SplitValues(value)) WriteAsciiValue(writer, DicomValues.Trim(value[range], vr), vr);
        writer.EndArray();
        return true;
    }

    // Bytes that keep a value off the plain copy: non-ASCII (the character set decides), and every ASCII byte the JSON
    // encoder escapes (controls, so NUL and ESC, the quote, the backslash), asked of the encoder itself so the copy can
    // never differ from what it writes. The second set lets the backslash through, where it separates values.
    private static readonly SearchValues<byte> NotPlain = EscapedBytes(allowBackslash: false);
    private static readonly SearchValues<byte> NotPlainButSeparator = EscapedBytes(allowBackslash: true);

    private static SearchValues<byte> EscapedBytes(bool allowBackslash)
    {
        var bytes = new List<byte>();
        for (int b = 0; b < 256; b++)
        {
            if (allowBackslash && b == '\\') continue;
            if (b >= 0x80 || b == '\\' || WriterOptions.Encoder!.FindFirstCharacterToEncodeUtf8([(byte)b]) >= 0) bytes.Add((byte)b);
        }
        return SearchValues.Create(bytes.ToArray());
    }

    // Plain printable values (trimmed: the whole value trimmed, no byte of NotPlain but backslashes between values):
    // written as the general path writes them, without a second look at each byte; false (nothing written) when an IS or
    // DS value is not a number written from its text, for the string path to decide.
    private static bool TryWritePlainValues<TSink>(TSink writer, ReadOnlySpan<byte> trimmed, DicomVR vr, bool single) where TSink : IDicomJsonSink
    {
        bool numbers = vr is DicomVR.IS or DicomVR.DS;
        if (single || !trimmed.Contains((byte)'\\'))
        {
            if (IsEmptyValue(trimmed, vr)) return true; // only padding: no "Value"
            if (numbers && !IsAsciiNumber(trimmed, vr)) return false;
            writer.StartArray("Value"u8);
            WritePlainValue(writer, trimmed, vr);
            writer.EndArray();
            return true;
        }
        // Several values; a value is empty when only spaces remain (no NUL is left in a plain span), a name when only
        // spaces, '^' and '=' remain.
        if (trimmed.IndexOfAnyExcept(vr == DicomVR.PN ? " \\^="u8 : " \\"u8) < 0) return true;
        if (numbers)
            foreach (var range in SplitValues(trimmed))
            {
                var v = DicomValues.Trim(trimmed[range], vr);
                if (!v.IsEmpty && !IsAsciiNumber(v, vr)) return false;
            }
        writer.StartArray("Value"u8);
        foreach (var range in SplitValues(trimmed))
        {
            var v = DicomValues.Trim(trimmed[range], vr);
            if (IsEmptyValue(v, vr)) writer.NullValue();
            else WritePlainValue(writer, v, vr);
        }
        writer.EndArray();
        return true;
    }

    private static void WritePlainValue<TSink>(TSink writer, ReadOnlySpan<byte> v, DicomVR vr) where TSink : IDicomJsonSink
    {
        if (vr == DicomVR.IS)
        {
            // A canonical integer is its own JSON text (what formatting the parsed long writes); others are reformatted.
            if (IsCanonicalInteger(v)) writer.RawValue(v);
            else writer.NumberValue(long.Parse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        }
        else if (vr == DicomVR.DS) writer.RawValue(v);
        else if (vr == DicomVR.PN) WritePersonName(writer, v, plain: true);
        else writer.PlainStringValue(v);
    }

    private static bool IsEmptyValue(ReadOnlySpan<byte> v, DicomVR vr) => vr == DicomVR.PN ? IsEmptyPersonName(v) : v.IsEmpty;

    // -?(0|[1-9][0-9]{0,17}) but not -0: what a long parses from and formats back to unchanged (18 digits always fit).
    private static bool IsCanonicalInteger(ReadOnlySpan<byte> v)
    {
        var digits = v.Length > 0 && v[0] == (byte)'-' ? v[1..] : v;
        if (digits.IsEmpty || digits.Length > 18 || digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0) return false;
        return digits[0] != (byte)'0' || (digits.Length == 1 && digits.Length == v.Length);
    }

    private static void WriteAsciiValue<TSink>(TSink writer, ReadOnlySpan<byte> v, DicomVR vr) where TSink : IDicomJsonSink
    {
        if (vr == DicomVR.PN ? IsEmptyPersonName(v) : v.IsEmpty) writer.NullValue();
        else if (vr == DicomVR.PN) WritePersonName(writer, v, plain: false);
        else if (vr == DicomVR.IS) writer.NumberValue(long.Parse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        else if (vr == DicomVR.DS) writer.RawValue(v);
        else writer.StringValue(v);
    }

    private static bool IsAsciiNumber(ReadOnlySpan<byte> v, DicomVR vr) =>
        vr == DicomVR.IS ? long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) : IsJsonNumber(v);

    // A name whose component groups are all empty once trailing '^' and spaces go (DicomValues.NormalizePersonName).
    private static bool IsEmptyPersonName(ReadOnlySpan<byte> v) => v.IndexOfAnyExcept("^ ="u8) < 0;

    // The groups of a normalized name: trailing '^' and spaces removed, empty groups left out, at most three.
    // plain: the name holds nothing to escape (TryWritePlainValues checked), so its groups are copied as they are.
    private static void WritePersonName<TSink>(TSink writer, ReadOnlySpan<byte> value, bool plain) where TSink : IDicomJsonSink
    {
        writer.StartObject();
        int i = 0;
        foreach (var range in value.Split((byte)'='))
        {
            if (i == 3) break;
            var g = value[range].TrimEnd("^ "u8);
            if (!g.IsEmpty)
            {
                if (plain)
                {
                    writer.PropertyName(GroupNames[i]);
                    writer.PlainStringValue(g);
                }
                else writer.String(GroupNames[i], g);
            }
            i++;
        }
        writer.EndObject();
    }

    private static readonly byte[][] GroupNames = ["Alphabetic"u8.ToArray(), "Ideographic"u8.ToArray(), "Phonetic"u8.ToArray()];

    private static MemoryExtensions.SpanSplitEnumerator<byte> SplitValues(ReadOnlySpan<byte> value) => value.Split((byte)'\\');

    private static void WritePersonName<TSink>(TSink writer, string value) where TSink : IDicomJsonSink
    {
        writer.StartObject();
        string[] groups = value.Split('=');
        for (int i = 0; i < groups.Length && i < 3; i++)
        {
            string g = groups[i];
            if (g.Length > 0) writer.String(GroupNames[i], g);
        }
        writer.EndObject();
    }

    private static bool IsJsonNumber(ReadOnlySpan<char> s)
    {
        if (!System.Text.Ascii.IsValid(s)) return false;
        Span<byte> bytes = s.Length <= 256 ? stackalloc byte[s.Length] : new byte[s.Length];
        System.Text.Ascii.FromUtf16(s, bytes, out _);
        return IsJsonNumber(bytes);
    }

    // RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    private static bool IsJsonNumber(ReadOnlySpan<byte> s)
    {
        int i = 0;
        if (i < s.Length && s[i] == (byte)'-') i++;
        if (i >= s.Length) return false;
        if (s[i] == (byte)'0') i++;
        else if (s[i] is >= (byte)'1' and <= (byte)'9') { while (i < s.Length && char.IsAsciiDigit((char)s[i])) i++; }
        else return false;
        if (i < s.Length && s[i] == (byte)'.')
        {
            i++;
            int start = i;
            while (i < s.Length && char.IsAsciiDigit((char)s[i])) i++;
            if (i == start) return false;
        }
        if (i < s.Length && s[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if (i < s.Length && s[i] is (byte)'+' or (byte)'-') i++;
            int start = i;
            while (i < s.Length && char.IsAsciiDigit((char)s[i])) i++;
            if (i == start) return false;
        }
        return i == s.Length;
    }

    /// <summary>
    /// The eight upper-case hex digits of a tag, first digit in the lowest byte (so a little-endian store writes them in
    /// order): the nibbles are spread one per byte and turned into digits together, with no loop or table.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong HexKey(uint value)
    {
        ulong x = value;
        x = (x | (x << 16)) & 0x0000FFFF_0000FFFFUL;
        x = (x | (x << 8)) & 0x00FF00FF_00FF00FFUL;
        x = (x | (x << 4)) & 0x0F0F0F0F_0F0F0F0FUL; // byte k holds nibble k, least significant first
        x = BinaryPrimitives.ReverseEndianness(x);
        ulong letters = ((x + 0x06060606_06060606UL) >> 4) & 0x01010101_01010101UL; // 1 in each byte holding 10..15
        return x + 0x30303030_30303030UL + letters * 7; // '0' + n, and 'A' - '0' - 10 = 7 more for letters
    }
}
