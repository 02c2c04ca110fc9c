using System.Globalization;

namespace Lakehouse.Udfs.Dicom.Reading;

/// <summary>Why a file could not be read. Each reason says what was wrong, never which value.</summary>
public enum DicomReadErrorReason
{
    /// <summary>No DICM prefix and the first bytes do not look like a DICOM data set.</summary>
    NotDicom,
    /// <summary>The data ends inside an element header, value, item or sequence.</summary>
    Truncated,
    /// <summary>A value length is impossible: past its container, undefined where not allowed, or an odd item structure.</summary>
    InvalidLength,
    /// <summary>An explicit VR holds two bytes that name no VR (never silently reinterpreted).</summary>
    InvalidVR,
    /// <summary>An item or delimiter appears where the structure does not allow it.</summary>
    InvalidStructure,
    /// <summary>Sequences are nested deeper than <see cref="DicomReadOptions.MaxSequenceDepth"/>.</summary>
    TooDeep,
    /// <summary>The transfer syntax is not one the reader knows.</summary>
    UnsupportedTransferSyntax,
    /// <summary>The deflated data set could not be inflated.</summary>
    InvalidDeflateData,
    /// <summary>The header is larger than <see cref="DicomReadOptions.MaxHeaderBytes"/>.</summary>
    HeaderTooLarge,
    /// <summary>The stream could not be read.</summary>
    IoError,
}

/// <summary>
/// A read failure: the caller's file label, the byte offset in the file (for an element or structure of deflated data,
/// in the inflated data set; for InvalidDeflateData and HeaderTooLarge, where the deflated data starts in the file),
/// the tag being read when known, and the reason. It never carries a header value (PHI).
/// </summary>
/// <param name="FileLabel">The caller-supplied label (a row id, never a path with patient names).</param>
/// <param name="Offset">Byte offset of the element or structure at fault.</param>
/// <param name="Tag">The tag being read, when the failure is inside an element.</param>
/// <param name="Reason">What went wrong.</param>
public sealed record DicomReadError(string FileLabel, long Offset, DicomTag? Tag, DicomReadErrorReason Reason)
{
    /// <summary>A one-line message safe for logs: label, reason, offset and tag.</summary>
    public override string ToString() => Tag is { } t
        ? string.Create(CultureInfo.InvariantCulture, $"{FileLabel}: {Reason} at offset {Offset}, tag {t}")
        : string.Create(CultureInfo.InvariantCulture, $"{FileLabel}: {Reason} at offset {Offset}");
}
