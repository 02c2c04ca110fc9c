using System.Buffers.Binary;
using System.Text;
using Lakehouse.Udfs.Dicom.Writing;

namespace Lakehouse.Udfs.Dicom;

// Value factories: they encode typed values into the little-endian bytes the model stores.
// Odd-length values are left as they are; the writer pads them on the wire.
public sealed partial class DicomElement
{
    /// <summary>A text element (one value) with the dictionary's VR, encoded in <paramref name="characterSet"/>.</summary>
    public static DicomElement FromText(DicomTag tag, string value, DicomCharacterSet characterSet = DicomCharacterSet.Default) =>
        FromText(tag, DictionaryVR(tag), value, characterSet);

    /// <summary>A text element (one value, or several already joined with a backslash) with an explicit VR.</summary>
    public static DicomElement FromText(DicomTag tag, DicomVR vr, string value, DicomCharacterSet characterSet = DicomCharacterSet.Default)
    {
        if (!DicomVRInfo.IsText(vr)) throw new ArgumentException($"VR {DicomVRInfo.Code(vr)} of {tag} is not a text VR", nameof(vr));
        // Restricted VRs are always in the default repertoire, whatever the dataset's character set.
        var set = DicomVRInfo.IsAsciiText(vr) ? DicomCharacterSet.Default : characterSet;
        byte[] bytes;
        try
        {
            bytes = DicomCharacterSetInfo.GetEncoding(set).GetBytes(value);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException($"the value of {tag} has characters outside character set {set}", nameof(value));
        }
        return new DicomElement(tag, vr, bytes);
    }

    /// <summary>A multi-valued text element: values joined with the backslash delimiter (PS3.5 6.4).</summary>
    public static DicomElement FromTexts(DicomTag tag, DicomVR vr, IEnumerable<string> values, DicomCharacterSet characterSet = DicomCharacterSet.Default)
    {
        var list = values.ToList();
        if (list.Any(v => v.Contains('\\', StringComparison.Ordinal)))
            throw new ArgumentException($"a value of {tag} contains the backslash delimiter", nameof(values));
        return FromText(tag, vr, string.Join('\\', list), characterSet);
    }

    /// <summary>A person name (PN) from its components: family^given^middle^prefix^suffix, trailing empty ones dropped.</summary>
    public static DicomElement FromPersonName(DicomTag tag, string family, string given = "", string middle = "", string prefix = "",
        string suffix = "", DicomCharacterSet characterSet = DicomCharacterSet.Default) =>
        FromText(tag, DicomVR.PN, PersonName(family, given, middle, prefix, suffix), characterSet);

    /// <summary>The PN wire form of the components, trailing empty components removed.</summary>
    public static string PersonName(string family, string given = "", string middle = "", string prefix = "", string suffix = "")
    {
        string[] parts = [family, given, middle, prefix, suffix];
        int n = parts.Length;
        while (n > 1 && parts[n - 1].Length == 0) n--;
        return string.Join('^', parts, 0, n);
    }

    /// <summary>An unsigned short (US) element.</summary>
    public static DicomElement FromUInt16(DicomTag tag, params ushort[] values) => Binary(tag, DicomVR.US, values.Length, 2,
        (span, i) => BinaryPrimitives.WriteUInt16LittleEndian(span, values[i]));

    /// <summary>A signed short (SS) element.</summary>
    public static DicomElement FromInt16(DicomTag tag, params short[] values) => Binary(tag, DicomVR.SS, values.Length, 2,
        (span, i) => BinaryPrimitives.WriteInt16LittleEndian(span, values[i]));

    /// <summary>An unsigned long (UL) element.</summary>
    public static DicomElement FromUInt32(DicomTag tag, params uint[] values) => Binary(tag, DicomVR.UL, values.Length, 4,
        (span, i) => BinaryPrimitives.WriteUInt32LittleEndian(span, values[i]));

    /// <summary>A signed long (SL) element.</summary>
    public static DicomElement FromInt32(DicomTag tag, params int[] values) => Binary(tag, DicomVR.SL, values.Length, 4,
        (span, i) => BinaryPrimitives.WriteInt32LittleEndian(span, values[i]));

    /// <summary>A single-precision float (FL) element.</summary>
    public static DicomElement FromSingle(DicomTag tag, params float[] values) => Binary(tag, DicomVR.FL, values.Length, 4,
        (span, i) => BinaryPrimitives.WriteSingleLittleEndian(span, values[i]));

    /// <summary>A double-precision float (FD) element.</summary>
    public static DicomElement FromDouble(DicomTag tag, params double[] values) => Binary(tag, DicomVR.FD, values.Length, 8,
        (span, i) => BinaryPrimitives.WriteDoubleLittleEndian(span, values[i]));

    /// <summary>An attribute tag (AT) element: each value is group then element, little-endian.</summary>
    public static DicomElement FromTags(DicomTag tag, params DicomTag[] values) => Binary(tag, DicomVR.AT, values.Length, 4, (span, i) =>
    {
        BinaryPrimitives.WriteUInt16LittleEndian(span, values[i].Group);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], values[i].Element);
    });

    /// <summary>An OB, OW, UN (or other byte-string VR) element with bytes already in little-endian order.</summary>
    public static DicomElement FromBytes(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> value)
    {
        if (DicomVRInfo.IsText(vr) || vr == DicomVR.SQ) throw new ArgumentException($"VR {DicomVRInfo.Code(vr)} is not a byte VR", nameof(vr));
        return new DicomElement(tag, vr, value);
    }

    /// <summary>A sequence element from its items.</summary>
    public static DicomElement FromItems(DicomTag tag, params DicomDataset[] items) => new(tag, items);

    private delegate void WriteOne(Span<byte> destination, int index);

    private static DicomElement Binary(DicomTag tag, DicomVR vr, int count, int size, WriteOne write)
    {
        var bytes = new byte[count * size];
        for (int i = 0; i < count; i++) write(bytes.AsSpan(i * size, size), i);
        return new DicomElement(tag, vr, bytes);
    }

    private static DicomVR DictionaryVR(DicomTag tag)
    {
        var vr = DicomDictionary.ImplicitVR(tag);
        if (vr == DicomVR.UN) throw new ArgumentException($"{tag} is not in the dictionary; pass its VR", nameof(tag));
        return vr;
    }
}
