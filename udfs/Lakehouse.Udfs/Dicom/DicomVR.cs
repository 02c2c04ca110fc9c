using System.Runtime.CompilerServices;

namespace Lakehouse.Udfs.Dicom;

/// <summary>
/// A value representation, stored as its two ASCII bytes packed big-endian (<c>'P' &lt;&lt; 8 | 'N'</c>),
/// so a reader turns the two bytes of an explicit-VR header into a VR without a lookup.
/// </summary>
public enum DicomVR : ushort
{
    /// <summary>No VR known (implicit VR with an attribute missing from the dictionary reads as UN).</summary>
    None = 0,
#pragma warning disable CS1591 // the 34 VR codes of PS3.5 Table 6.2-1 document themselves
    AE = ('A' << 8) | 'E', AS = ('A' << 8) | 'S', AT = ('A' << 8) | 'T', CS = ('C' << 8) | 'S',
    DA = ('D' << 8) | 'A', DS = ('D' << 8) | 'S', DT = ('D' << 8) | 'T', FD = ('F' << 8) | 'D',
    FL = ('F' << 8) | 'L', IS = ('I' << 8) | 'S', LO = ('L' << 8) | 'O', LT = ('L' << 8) | 'T',
    OB = ('O' << 8) | 'B', OD = ('O' << 8) | 'D', OF = ('O' << 8) | 'F', OL = ('O' << 8) | 'L',
    OV = ('O' << 8) | 'V', OW = ('O' << 8) | 'W', PN = ('P' << 8) | 'N', SH = ('S' << 8) | 'H',
    SL = ('S' << 8) | 'L', SQ = ('S' << 8) | 'Q', SS = ('S' << 8) | 'S', ST = ('S' << 8) | 'T',
    SV = ('S' << 8) | 'V', TM = ('T' << 8) | 'M', UC = ('U' << 8) | 'C', UI = ('U' << 8) | 'I',
    UL = ('U' << 8) | 'L', UN = ('U' << 8) | 'N', UR = ('U' << 8) | 'R', US = ('U' << 8) | 'S',
    UT = ('U' << 8) | 'T', UV = ('U' << 8) | 'V',
#pragma warning restore CS1591
}

/// <summary>Facts about value representations from PS3.5 section 6.2 and 7.1.2.</summary>
public static class DicomVRInfo
{
    /// <summary>Packs two ASCII bytes into a <see cref="DicomVR"/>; <see cref="DicomVR.None"/> when they name no VR.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DicomVR FromBytes(byte first, byte second)
    {
        var vr = (DicomVR)((first << 8) | second);
        return IsKnown(vr) ? vr : DicomVR.None;
    }

    /// <summary>True for the 34 VRs of PS3.5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsKnown(DicomVR vr) => (FlagsOf(vr) & Known) != 0;

    /// <summary>
    /// Explicit-VR encodings whose header has two reserved bytes and a 32-bit length (PS3.5 Table 7.1-1);
    /// all others use a 16-bit length.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool HasLongLength(DicomVR vr) => (FlagsOf(vr) & LongLength) != 0;

    /// <summary>VRs whose value is text, affected by Specific Character Set when not in <see cref="IsAsciiText"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsText(DicomVR vr) => (FlagsOf(vr) & Text) != 0;

    /// <summary>Text VRs restricted to the default repertoire, never decoded with the Specific Character Set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsAsciiText(DicomVR vr) => (FlagsOf(vr) & AsciiText) != 0;

    // These questions are asked per element on the header walk: one table load answers them instead of a switch over the
    // 34 codes. The table is indexed by the two letters, (first - 'A') * 256 + (second - 'A'), and built from the lists below.
    private const byte Known = 1, LongLength = 2, Text = 4, AsciiText = 8;
    private const int SwappedShift = 4; // SwappedUnit (0, 2, 4 or 8) in the high four bits

    private static readonly byte[] Flags = BuildFlags();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FlagsOf(DicomVR vr)
    {
        uint i = (uint)vr - (('A' << 8) | 'A');
        var flags = Flags;
        return i < (uint)flags.Length ? flags[i] : 0;
    }

    private static byte[] BuildFlags()
    {
        DicomVR[] all =
        [
            DicomVR.AE, DicomVR.AS, DicomVR.AT, DicomVR.CS, DicomVR.DA, DicomVR.DS, DicomVR.DT, DicomVR.FD, DicomVR.FL,
            DicomVR.IS, DicomVR.LO, DicomVR.LT, DicomVR.OB, DicomVR.OD, DicomVR.OF, DicomVR.OL, DicomVR.OV, DicomVR.OW,
            DicomVR.PN, DicomVR.SH, DicomVR.SL, DicomVR.SQ, DicomVR.SS, DicomVR.ST, DicomVR.SV, DicomVR.TM, DicomVR.UC,
            DicomVR.UI, DicomVR.UL, DicomVR.UN, DicomVR.UR, DicomVR.US, DicomVR.UT, DicomVR.UV,
        ];
        DicomVR[] longLength =
        [
            DicomVR.OB, DicomVR.OD, DicomVR.OF, DicomVR.OL, DicomVR.OV, DicomVR.OW, DicomVR.SQ, DicomVR.SV, DicomVR.UC,
            DicomVR.UN, DicomVR.UR, DicomVR.UT, DicomVR.UV,
        ];
        DicomVR[] text =
        [
            DicomVR.AE, DicomVR.AS, DicomVR.CS, DicomVR.DA, DicomVR.DS, DicomVR.DT, DicomVR.IS, DicomVR.LO, DicomVR.LT,
            DicomVR.PN, DicomVR.SH, DicomVR.ST, DicomVR.TM, DicomVR.UC, DicomVR.UI, DicomVR.UR, DicomVR.UT,
        ];
        DicomVR[] asciiText =
        [
            DicomVR.AE, DicomVR.AS, DicomVR.CS, DicomVR.DA, DicomVR.DS, DicomVR.DT, DicomVR.IS, DicomVR.TM, DicomVR.UI,
            DicomVR.UR,
        ];
        var flags = new byte[(('Z' - 'A') << 8) + ('Z' - 'A') + 1];
        foreach (var vr in all)
        {
            int unit = vr switch
            {
                DicomVR.US or DicomVR.SS or DicomVR.OW or DicomVR.AT => 2,
                DicomVR.UL or DicomVR.SL or DicomVR.FL or DicomVR.OF or DicomVR.OL => 4,
                DicomVR.FD or DicomVR.OD or DicomVR.SV or DicomVR.UV or DicomVR.OV => 8,
                _ => 0,
            };
            flags[(int)vr - (('A' << 8) | 'A')] = (byte)(Known | (unit << SwappedShift));
        }
        foreach (var vr in longLength) flags[(int)vr - (('A' << 8) | 'A')] |= LongLength;
        foreach (var vr in text) flags[(int)vr - (('A' << 8) | 'A')] |= Text;
        foreach (var vr in asciiText) flags[(int)vr - (('A' << 8) | 'A')] |= AsciiText;
        return flags;
    }

    /// <summary>The padding byte for an odd-length value: NUL for UI and binary VRs, space for text.</summary>
    public static byte PaddingByte(DicomVR vr) => IsText(vr) && vr != DicomVR.UI ? (byte)' ' : (byte)0;

    /// <summary>The size in bytes of one value of a fixed-size binary VR; 0 for the others.</summary>
    public static int FixedValueSize(DicomVR vr) => vr switch
    {
        DicomVR.US or DicomVR.SS => 2,
        DicomVR.UL or DicomVR.SL or DicomVR.FL or DicomVR.AT => 4,
        DicomVR.FD or DicomVR.SV or DicomVR.UV => 8,
        _ => 0,
    };

    /// <summary>The unit whose bytes a big-endian encoding reverses (2, 4 or 8); 0 for VRs stored as bytes or text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SwappedUnit(DicomVR vr) => FlagsOf(vr) >> SwappedShift;

    /// <summary>True when a big-endian encoding reverses the bytes of this VR's values (<see cref="SwappedUnit"/> above 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSwapped(DicomVR vr) => SwappedUnit(vr) > 0;

    /// <summary>The two-letter code.</summary>
    public static string Code(DicomVR vr) => vr == DicomVR.None ? "??" : string.Create(2, vr, static (s, v) =>
    {
        s[0] = (char)((ushort)v >> 8);
        s[1] = (char)((ushort)v & 0xFF);
    });
}
