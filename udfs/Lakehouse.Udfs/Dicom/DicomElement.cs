namespace Lakehouse.Udfs.Dicom;

/// <summary>
/// One data element of the in-memory model that the reader materializes and the writer serializes.
/// A value is kept as its encoded bytes in little-endian byte order (the lake's canonical order), so
/// a dataset read from any transfer syntax and written back does not change its values.
/// </summary>
public sealed partial class DicomElement
{
    /// <summary>Creates an element with an encoded little-endian value.</summary>
    public DicomElement(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> value)
    {
        Tag = tag;
        VR = vr;
        Value = value;
    }

    /// <summary>Creates a sequence element.</summary>
    public DicomElement(DicomTag tag, IReadOnlyList<DicomDataset> items)
    {
        Tag = tag;
        VR = DicomVR.SQ;
        Items = items;
    }

    /// <summary>The attribute tag.</summary>
    public DicomTag Tag { get; }

    /// <summary>The value representation.</summary>
    public DicomVR VR { get; }

    /// <summary>The encoded value (little-endian for binary VRs), without trailing padding removed.</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>The items of a sequence (VR SQ); empty for other VRs.</summary>
    public IReadOnlyList<DicomDataset> Items { get; } = [];
}
