namespace Lakehouse.Udfs.Dicom.Reading;

/// <summary>How much of a file to read and the guards against hostile input.</summary>
public sealed record DicomReadOptions
{
    /// <summary>The defaults: stop before Pixel Data, 32 nested sequences, 64 MiB of header.</summary>
    public static DicomReadOptions Default { get; } = new();

    /// <summary>
    /// Reading stops at the first top-level element whose tag is at or after this one; it is not read.
    /// The default, Pixel Data (7FE0,0010), keeps pixel data unread. Null reads to the end.
    /// </summary>
    public DicomTag? StopBeforeTag { get; init; } = DicomTags.PixelData;

    /// <summary>The deepest nesting of sequences accepted; deeper input is reported as <see cref="DicomReadErrorReason.TooDeep"/>.</summary>
    public int MaxSequenceDepth { get; init; } = 32;

    /// <summary>The largest header (bytes before the stop tag, after inflating) accepted.</summary>
    public int MaxHeaderBytes { get; init; } = 64 << 20;
}
