using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Lakehouse.Udfs.Dicom.Reading;

/// <summary>Decodes element values by VR (PS3.5 section 6.2): text with its character set, numbers, dates and times.</summary>
public static class DicomValues
{
    /// <summary>True for text VRs holding a single value in which a backslash is not a delimiter.</summary>
    public static bool IsSingleValuedText(DicomVR vr) => vr is DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UR;

    /// <summary>
    /// The values of a text element, split on backslash (except LT, ST, UT, UR), with trailing padding removed
    /// (leading spaces too, except for LT, ST, UT); ASCII-only VRs are never decoded with the character set.
    /// An element with no value gives an empty array.
    /// </summary>
    public static string[] GetStrings(DicomElement element, DicomCharacterSet? characterSet = null) =>
        GetStrings(element.Value.Span, element.VR, characterSet);

    // The same over an encoded value not (yet) held by an element: the one-pass header JSON writes from the file buffer.
    internal static string[] GetStrings(ReadOnlySpan<byte> span, DicomVR vr, DicomCharacterSet? characterSet)
    {
        if (span.IsEmpty) return [];
        string text = DicomVRInfo.IsAsciiText(vr) || characterSet is null
            ? Encoding.Latin1.GetString(span)
            : characterSet.Decode(span, vr == DicomVR.PN);
        if (IsSingleValuedText(vr)) return [Trim(text, vr)];
        string[] parts = text.Split('\\');
        for (int i = 0; i < parts.Length; i++) parts[i] = Trim(parts[i], vr);
        return parts;
    }

    /// <summary>The first value of a text element, or null when it has none (or only padding).</summary>
    public static string? GetString(DicomElement element, DicomCharacterSet? characterSet = null)
    {
        var values = GetStrings(element, characterSet);
        return values.Length == 0 || values[0].Length == 0 ? null : values[0];
    }

    /// <summary>Removes padding as PS3.5 6.2 allows: NUL and spaces for UI, trailing spaces for LT/ST/UT, both ends otherwise.</summary>
    public static string Trim(string value, DicomVR vr)
    {
        ArgumentNullException.ThrowIfNull(value);
        var trimmed = Trim(value.AsSpan(), vr);
        return trimmed.Length == value.Length ? value : trimmed.ToString();
    }

    internal static ReadOnlySpan<char> Trim(ReadOnlySpan<char> value, DicomVR vr) => vr switch
    {
        DicomVR.UI => value.TrimEnd("\0 ").TrimStart(' '),
        DicomVR.LT or DicomVR.ST or DicomVR.UT => value.TrimEnd(" \0"),
        _ => value.Trim(" \0"),
    };

    // The same over encoded bytes whose decoding maps each byte to the same character (ASCII, Latin-1).
    internal static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> value, DicomVR vr) => vr switch
    {
        DicomVR.UI => value.TrimEnd("\0 "u8).TrimStart((byte)' '),
        DicomVR.LT or DicomVR.ST or DicomVR.UT => value.TrimEnd(" \0"u8),
        _ => value.Trim(" \0"u8),
    };

    /// <summary>
    /// A person name without trailing empty components and component groups, which PS3.5 6.2.1 makes equivalent
    /// ("^^^^" is an empty name; "Wang^XiaoDong=王^小東=" equals "Wang^XiaoDong=王^小東").
    /// </summary>
    public static string NormalizePersonName(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0) return value;
        Span<char> buffer = value.Length <= 256 ? stackalloc char[256] : new char[value.Length];
        var normalized = NormalizePersonName(value, buffer);
        return normalized.Length == value.Length ? value : normalized.ToString();
    }

    // The same into destination (at least value's length): each group without trailing '^' and ' ', and the groups up
    // to the last non-empty one, joined by '='.
    internal static ReadOnlySpan<char> NormalizePersonName(ReadOnlySpan<char> value, Span<char> destination)
    {
        int written = 0, end = 0;
        while (true)
        {
            int eq = value.IndexOf('=');
            var group = (eq < 0 ? value : value[..eq]).TrimEnd("^ ");
            group.CopyTo(destination[written..]);
            written += group.Length;
            if (group.Length > 0) end = written;
            if (eq < 0) break;
            destination[written++] = '=';
            value = value[(eq + 1)..];
        }
        return destination[..end];
    }

    /// <summary>The number of values of a fixed-size binary element.</summary>
    public static int BinaryCount(DicomElement element) => BinaryCount(element.Value.Length, element.VR);

    internal static int BinaryCount(int valueLength, DicomVR vr)
    {
        int size = DicomVRInfo.FixedValueSize(vr);
        return size == 0 ? 0 : valueLength / size;
    }

    /// <summary>The i-th value of a US/SS/UL/SL/SV/UV element as a signed 64-bit integer (UV above long.MaxValue is clamped).</summary>
    public static long GetInteger(DicomElement element, int index) => GetInteger(element.Value.Span, element.VR, index);

    internal static long GetInteger(ReadOnlySpan<byte> s, DicomVR vr, int index) =>
        vr switch
        {
            DicomVR.US => BinaryPrimitives.ReadUInt16LittleEndian(s[(index * 2)..]),
            DicomVR.SS => BinaryPrimitives.ReadInt16LittleEndian(s[(index * 2)..]),
            DicomVR.UL => BinaryPrimitives.ReadUInt32LittleEndian(s[(index * 4)..]),
            DicomVR.SL => BinaryPrimitives.ReadInt32LittleEndian(s[(index * 4)..]),
            DicomVR.SV => BinaryPrimitives.ReadInt64LittleEndian(s[(index * 8)..]),
            DicomVR.UV => (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(s[(index * 8)..]), long.MaxValue),
            _ => throw new ArgumentException("not an integer VR", nameof(vr)),
        };

    /// <summary>The i-th value of a FL/FD element.</summary>
    public static double GetFloat(DicomElement element, int index) => GetFloat(element.Value.Span, element.VR, index);

    internal static double GetFloat(ReadOnlySpan<byte> s, DicomVR vr, int index) =>
        vr == DicomVR.FL
            ? BinaryPrimitives.ReadSingleLittleEndian(s[(index * 4)..])
            : BinaryPrimitives.ReadDoubleLittleEndian(s[(index * 8)..]);

    /// <summary>Parses a DS value (decimal string); null when empty or not a number.</summary>
    public static double? ParseDecimal(string? text) => text is null ? null : ParseDecimal(text.AsSpan());

    internal static double? ParseDecimal(ReadOnlySpan<char> text) =>
        text.Length > 0 && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;

    /// <summary>Parses an IS value (integer string); null when empty or not an integer.</summary>
    public static long? ParseInteger(string? text) => text is null ? null : ParseInteger(text.AsSpan());

    internal static long? ParseInteger(ReadOnlySpan<char> text) =>
        text.Length > 0 && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) ? v : null;

    /// <summary>Parses a DA value YYYYMMDD (also the ACR-NEMA YYYY.MM.DD form); null when invalid.</summary>
    public static DateOnly? ParseDate(string? text) => text is null ? null : ParseDate(text.AsSpan());

    internal static DateOnly? ParseDate(ReadOnlySpan<char> text)
    {
        // YYYYMMDD read digit by digit (four dates per header: the culture-aware exact parser cost more than the rest
        // of the extraction); the year, month and day are checked as DateOnly's calendar checks them.
        Span<char> digits = stackalloc char[8];
        if (text.Length == 10 && text[4] == '.' && text[7] == '.')
        {
            text[..4].CopyTo(digits);
            text.Slice(5, 2).CopyTo(digits[4..]);
            text.Slice(8, 2).CopyTo(digits[6..]);
        }
        else if (text.Length == 8) text.CopyTo(digits);
        else return null;
        int value = 0;
        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c)) return null;
            value = value * 10 + (c - '0');
        }
        int year = value / 10000, month = value / 100 % 100, day = value % 100;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return null;
        return new DateOnly(year, month, day);
    }

    /// <summary>Parses a TM value HH[MM[SS[.F{1-6}]]] (also HH:MM:SS); null when invalid.</summary>
    public static TimeOnly? ParseTime(string? text) => text is null ? null : ParseTime(text.AsSpan());

    internal static TimeOnly? ParseTime(ReadOnlySpan<char> value)
    {
        if (value.Length < 2) return null;
        Span<char> withoutColons = value.Length <= 64 ? stackalloc char[64] : new char[value.Length];
        scoped ReadOnlySpan<char> text = value;
        if (value.Contains(':'))
        {
            int n = 0;
            foreach (char ch in value) if (ch != ':') withoutColons[n++] = ch;
            text = withoutColons[..n];
        }
        int dot = text.IndexOf('.');
        var main = dot < 0 ? text : text[..dot];
        if (main.Length is not (2 or 4 or 6)) return null;
        foreach (char c in main) if (!char.IsAsciiDigit(c)) return null;
        int h = int.Parse(main[..2], CultureInfo.InvariantCulture);
        int m = main.Length >= 4 ? int.Parse(main[2..4], CultureInfo.InvariantCulture) : 0;
        int s = main.Length >= 6 ? int.Parse(main[4..6], CultureInfo.InvariantCulture) : 0;
        long ticks = 0;
        if (dot >= 0)
        {
            var frac = text[(dot + 1)..];
            if (frac.Length is 0 or > 6) return null;
            foreach (char c in frac) if (!char.IsAsciiDigit(c)) return null;
            ticks = int.Parse(frac, CultureInfo.InvariantCulture) * (long)Math.Pow(10, 7 - frac.Length);
        }
        if (h > 23 || m > 59 || s > 60) return null;
        if (s == 60) s = 59; // leap second
        return new TimeOnly(h, m, s).Add(TimeSpan.FromTicks(ticks));
    }
}
