namespace Lakehouse.Udfs.Dicom.Writing;

/// <summary>The uncompressed transfer syntaxes the writer produces (PS3.5 section 10 and Annex A).</summary>
public enum DicomTransferSyntax
{
    /// <summary>Explicit VR Little Endian, 1.2.840.10008.1.2.1: the default of the lake.</summary>
    ExplicitVRLittleEndian,
    /// <summary>Implicit VR Little Endian, 1.2.840.10008.1.2: the DICOM default, no VR on the wire.</summary>
    ImplicitVRLittleEndian,
    /// <summary>Explicit VR Big Endian, 1.2.840.10008.1.2.2 (retired, still found in old archives).</summary>
    ExplicitVRBigEndian,
    /// <summary>Deflated Explicit VR Little Endian, 1.2.840.10008.1.2.1.99: the dataset after the meta is raw deflate.</summary>
    DeflatedExplicitVRLittleEndian,
}

/// <summary>UIDs and wire properties of <see cref="DicomTransferSyntax"/>.</summary>
public static class DicomTransferSyntaxInfo
{
    /// <summary>The transfer syntax UID written in (0002,0010).</summary>
    public static string Uid(DicomTransferSyntax syntax) => syntax switch
    {
        DicomTransferSyntax.ExplicitVRLittleEndian => "1.2.840.10008.1.2.1",
        DicomTransferSyntax.ImplicitVRLittleEndian => "1.2.840.10008.1.2",
        DicomTransferSyntax.ExplicitVRBigEndian => "1.2.840.10008.1.2.2",
        DicomTransferSyntax.DeflatedExplicitVRLittleEndian => "1.2.840.10008.1.2.1.99",
        _ => throw new ArgumentOutOfRangeException(nameof(syntax)),
    };

    /// <summary>True when each element header carries its VR.</summary>
    public static bool IsExplicitVR(DicomTransferSyntax syntax) => syntax != DicomTransferSyntax.ImplicitVRLittleEndian;

    /// <summary>True when binary values and headers are big-endian.</summary>
    public static bool IsBigEndian(DicomTransferSyntax syntax) => syntax == DicomTransferSyntax.ExplicitVRBigEndian;
}
