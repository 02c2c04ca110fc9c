using System.Text;

namespace Lakehouse.Udfs.Dicom.Writing;

/// <summary>The single-byte and UTF-8 character sets the value factories encode text with (PS3.3 C.12.1.1.2).</summary>
public enum DicomCharacterSet
{
    /// <summary>The default repertoire (ISO-IR 6, ASCII); no Specific Character Set element is needed.</summary>
    Default,
    /// <summary>ISO_IR 100: ISO 8859-1, Latin alphabet No. 1.</summary>
    IsoIr100,
    /// <summary>ISO_IR 192: Unicode in UTF-8.</summary>
    IsoIr192,
}

/// <summary>Encoding of text values in a <see cref="DicomCharacterSet"/>.</summary>
public static class DicomCharacterSetInfo
{
    private static readonly Encoding Ascii = Encoding.GetEncoding("us-ascii", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    private static readonly Encoding Latin1 = Encoding.GetEncoding("iso-8859-1", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
    private static readonly Encoding Utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    /// <summary>The defined term for (0008,0005), or null for the default repertoire.</summary>
    public static string? DefinedTerm(DicomCharacterSet set) => set switch
    {
        DicomCharacterSet.IsoIr100 => "ISO_IR 100",
        DicomCharacterSet.IsoIr192 => "ISO_IR 192",
        _ => null,
    };

    /// <summary>The .NET encoding; it throws on characters the set cannot represent.</summary>
    public static Encoding GetEncoding(DicomCharacterSet set) => set switch
    {
        DicomCharacterSet.IsoIr100 => Latin1,
        DicomCharacterSet.IsoIr192 => Utf8,
        _ => Ascii,
    };

    /// <summary>True when every character of <paramref name="text"/> is representable in the set.</summary>
    public static bool CanEncode(DicomCharacterSet set, string text) => set switch
    {
        DicomCharacterSet.IsoIr192 => true,
        DicomCharacterSet.IsoIr100 => text.All(c => c <= 0xFF),
        _ => text.All(char.IsAscii),
    };
}
