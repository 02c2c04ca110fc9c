using System.Globalization;

namespace Lakehouse.Udfs.Dicom;

/// <summary>A DICOM attribute tag (group, element), ordered as the standard orders data elements.</summary>
public readonly record struct DicomTag(ushort Group, ushort Element) : IComparable<DicomTag>
{
    /// <summary>Creates a tag from its 32-bit value <c>0xGGGGEEEE</c>.</summary>
    public DicomTag(uint value) : this((ushort)(value >> 16), (ushort)value) { }

    /// <summary>The tag as <c>0xGGGGEEEE</c>.</summary>
    public uint Value => ((uint)Group << 16) | Element;

    /// <summary>Odd groups (other than 0001, 0003, 0005, 0007, FFFF) hold private attributes.</summary>
    public bool IsPrivate => (Group & 1) == 1 && Group > 0x0007 && Group != 0xFFFF;

    /// <summary>A private creator element (gggg,0010-00FF) reserves a block of a private group.</summary>
    public bool IsPrivateCreator => IsPrivate && Element >= 0x0010 && Element <= 0x00FF;

    /// <summary>Group length elements (gggg,0000) are deprecated and carry no attribute.</summary>
    public bool IsGroupLength => Element == 0x0000;

    /// <summary>Item (FFFE,E000).</summary>
    public static readonly DicomTag Item = new(0xFFFE, 0xE000);
    /// <summary>Item Delimitation Item (FFFE,E00D).</summary>
    public static readonly DicomTag ItemDelimitationItem = new(0xFFFE, 0xE00D);
    /// <summary>Sequence Delimitation Item (FFFE,E0DD).</summary>
    public static readonly DicomTag SequenceDelimitationItem = new(0xFFFE, 0xE0DD);

    /// <inheritdoc />
    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);

    /// <summary>The DICOM JSON key form, eight upper-case hex digits (PS3.18 F.2.1.1).</summary>
    public string ToJsonKey() => Value.ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>The conventional <c>(GGGG,EEEE)</c> form.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"({Group:X4},{Element:X4})");

    /// <summary>Parses <c>GGGGEEEE</c> or <c>(GGGG,EEEE)</c>.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DicomTag tag)
    {
        tag = default;
        Span<char> digits = stackalloc char[8];
        int n = 0;
        foreach (char c in text)
        {
            if (c is '(' or ')' or ',' or ' ') continue;
            if (n == 8 || !char.IsAsciiHexDigit(c)) return false;
            digits[n++] = c;
        }
        if (n != 8 || !uint.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint v)) return false;
        tag = new DicomTag(v);
        return true;
    }

    /// <summary>Less-than by element order.</summary>
    public static bool operator <(DicomTag left, DicomTag right) => left.Value < right.Value;
    /// <summary>Greater-than by element order.</summary>
    public static bool operator >(DicomTag left, DicomTag right) => left.Value > right.Value;
    /// <summary>Less-or-equal by element order.</summary>
    public static bool operator <=(DicomTag left, DicomTag right) => left.Value <= right.Value;
    /// <summary>Greater-or-equal by element order.</summary>
    public static bool operator >=(DicomTag left, DicomTag right) => left.Value >= right.Value;
}
