using System.Collections.Concurrent;

namespace Lakehouse.Udfs.Dicom.Reading;

/// <summary>How a transfer syntax encodes the data set (PS3.5 section 10 and Annex A).</summary>
/// <param name="Uid">The transfer syntax UID.</param>
/// <param name="ExplicitVR">Explicit VR encoding.</param>
/// <param name="BigEndian">Big-endian byte order (only the retired Explicit VR Big Endian).</param>
/// <param name="Deflated">The data set after the File Meta Information is raw-deflated (RFC 1951).</param>
/// <param name="Encapsulated">Pixel data is encapsulated (compressed fragments).</param>
public sealed record DicomTransferSyntax(string Uid, bool ExplicitVR, bool BigEndian, bool Deflated, bool Encapsulated)
{
    /// <summary>Implicit VR Little Endian, the default.</summary>
    public static DicomTransferSyntax ImplicitVRLittleEndian { get; } = new("1.2.840.10008.1.2", false, false, false, false);
    /// <summary>Explicit VR Little Endian.</summary>
    public static DicomTransferSyntax ExplicitVRLittleEndian { get; } = new("1.2.840.10008.1.2.1", true, false, false, false);
    /// <summary>Explicit VR Big Endian (retired, still found in archives).</summary>
    public static DicomTransferSyntax ExplicitVRBigEndian { get; } = new("1.2.840.10008.1.2.2", true, true, false, false);
    /// <summary>Deflated Explicit VR Little Endian.</summary>
    public static DicomTransferSyntax DeflatedExplicitVRLittleEndian { get; } = new("1.2.840.10008.1.2.1.99", true, false, true, false);

    /// <summary>
    /// The encoding of a transfer syntax UID; null for UIDs that name no known transfer syntax.
    /// Every encapsulated syntax (JPEG, JPEG-LS, JPEG 2000, HTJ2K, RLE, MPEG, HEVC, JPEG XL, deflated image frames,
    /// encapsulated uncompressed) is Explicit VR Little Endian for the header.
    /// </summary>
    public static DicomTransferSyntax? FromUid(ReadOnlySpan<char> uid)
    {
        switch (uid)
        {
            case "1.2.840.10008.1.2": return ImplicitVRLittleEndian;
            case "1.2.840.10008.1.2.1": return ExplicitVRLittleEndian;
            case "1.2.840.10008.1.2.2": return ExplicitVRBigEndian;
            case "1.2.840.10008.1.2.1.99": return DeflatedExplicitVRLittleEndian;
            case "1.2.840.10008.1.2.1.98": return EncapsulatedSyntax(uid);
        }
        const string Root = "1.2.840.10008.1.2.";
        if (!uid.StartsWith(Root)) return null;
        var rest = uid[Root.Length..];
        int dot = rest.IndexOf('.');
        var family = dot < 0 ? rest : rest[..dot];
        var sub = dot < 0 ? [] : rest[(dot + 1)..];
        bool encapsulated = family switch
        {
            "4" => sub.Length > 0 && IsDigits(sub), // JPEG family, JPEG-LS, JPEG 2000, MPEG, HEVC, HTJ2K, JPIP
            "5" => sub.Length == 0, // RLE Lossless
            "8" => sub.Length > 0 && IsDigits(sub), // deflated image frame compression
            _ => false,
        };
        return encapsulated ? EncapsulatedSyntax(uid) : null;
    }

    // The encapsulated syntaxes met so far, one instance each (an archive uses a handful, and its every file names one).
    // Bounded: the family rules accept any number of UIDs.
    private static readonly ConcurrentDictionary<string, DicomTransferSyntax> s_encapsulated = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, DicomTransferSyntax>.AlternateLookup<ReadOnlySpan<char>> s_encapsulatedByUid =
        s_encapsulated.GetAlternateLookup<ReadOnlySpan<char>>();

    private static DicomTransferSyntax EncapsulatedSyntax(ReadOnlySpan<char> uid)
    {
        if (s_encapsulatedByUid.TryGetValue(uid, out var known)) return known;
        var syntax = new DicomTransferSyntax(uid.ToString(), true, false, false, true);
        if (s_encapsulated.Count < 64) s_encapsulated.TryAdd(syntax.Uid, syntax);
        return syntax;
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (char c in s) if (!char.IsAsciiDigit(c)) return false;
        return true;
    }
}
