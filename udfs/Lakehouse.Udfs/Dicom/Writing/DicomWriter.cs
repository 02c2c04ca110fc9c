using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;


namespace Lakehouse.Udfs.Dicom.Writing;

/// <summary>How the writer encodes a file.</summary>
public sealed record DicomWriterOptions
{
    /// <summary>The transfer syntax of the dataset after the File Meta group.</summary>
    public DicomTransferSyntax TransferSyntax { get; init; } = DicomTransferSyntax.ExplicitVRLittleEndian;

    /// <summary>Writes sequences and their items with undefined length and delimitation items instead of explicit lengths.</summary>
    public bool UndefinedLengthSequences { get; init; }

    /// <summary>(0002,0012): identifies the software that wrote the file.</summary>
    public string ImplementationClassUid { get; init; } = DicomWriter.LakehouseImplementationClassUid;

    /// <summary>(0002,0013), at most 16 characters.</summary>
    public string ImplementationVersionName { get; init; } = "LAKEHOUSE_1";
}

/// <summary>
/// Serializes a <see cref="DicomDataset"/> as a DICOM Part 10 file (PS3.10 section 7.1) or as a bare dataset (PS3.5 section 7).
/// Values in the model are little-endian; for big endian the writer swaps binary values by their value size.
/// Odd-length values are padded with the VR's padding byte.
/// </summary>
public static class DicomWriter
{
    /// <summary>The Implementation Class UID written by default (a UUID-derived 2.25 root, PS3.5 B.2).</summary>
    public const string LakehouseImplementationClassUid = "2.25.176846471389247364121853658290316510771";

    private const int PreambleLength = 128;

    /// <summary>Writes a Part 10 file: preamble, "DICM", the File Meta group, then the dataset.</summary>
    /// <remarks>Media Storage SOP Class/Instance UID come from (0008,0016)/(0008,0018) of the dataset; group 0002 elements in the dataset are ignored.</remarks>
    public static void WriteFile(Stream output, DicomDataset dataset, DicomWriterOptions? options = null)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        WriteFile(buffer, dataset, options);
        output.Write(buffer.WrittenSpan);
    }

    /// <summary>Writes a Part 10 file into a buffer writer.</summary>
    public static void WriteFile(IBufferWriter<byte> output, DicomDataset dataset, DicomWriterOptions? options = null)
    {
        options ??= new DicomWriterOptions();
        output.Write(new byte[PreambleLength]);
        output.Write("DICM"u8);
        WriteFileMeta(output, dataset, options);
        if (options.TransferSyntax == DicomTransferSyntax.DeflatedExplicitVRLittleEndian)
        {
            var plain = new ArrayBufferWriter<byte>(4096);
            WriteDataset(plain, dataset, DicomTransferSyntax.ExplicitVRLittleEndian, options.UndefinedLengthSequences);
            using var compressed = new MemoryStream();
            using (var deflate = new DeflateStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
                deflate.Write(plain.WrittenSpan);
            output.Write(compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        }
        else
        {
            WriteDataset(output, dataset, options.TransferSyntax, options.UndefinedLengthSequences);
        }
    }

    /// <summary>Writes the elements of a dataset (no preamble, no meta) in a transfer syntax; group 0002 is skipped.</summary>
    public static void WriteDataset(IBufferWriter<byte> output, DicomDataset dataset, DicomTransferSyntax syntax, bool undefinedLengthSequences = false)
    {
        if (syntax == DicomTransferSyntax.DeflatedExplicitVRLittleEndian) syntax = DicomTransferSyntax.ExplicitVRLittleEndian;
        var encoding = new WireEncoding(DicomTransferSyntaxInfo.IsExplicitVR(syntax), DicomTransferSyntaxInfo.IsBigEndian(syntax), undefinedLengthSequences);
        foreach (var element in dataset.Elements)
        {
            if (element.Tag.Group == 0x0002) continue;
            WriteElement(output, element, encoding);
        }
    }

    private readonly record struct WireEncoding(bool ExplicitVR, bool BigEndian, bool UndefinedLengthSequences);

    private static void WriteFileMeta(IBufferWriter<byte> output, DicomDataset dataset, DicomWriterOptions options)
    {
        string sopClass = RequiredUid(dataset, DicomTags.SOPClassUID, "SOPClassUID");
        string sopInstance = RequiredUid(dataset, DicomTags.SOPInstanceUID, "SOPInstanceUID");
        var meta = new DicomDataset()
            .Set(DicomElement.FromBytes(DicomTags.FileMetaInformationVersion, DicomVR.OB, new byte[] { 0x00, 0x01 }))
            .Set(DicomElement.FromText(DicomTags.MediaStorageSOPClassUID, DicomVR.UI, sopClass))
            .Set(DicomElement.FromText(DicomTags.MediaStorageSOPInstanceUID, DicomVR.UI, sopInstance))
            .Set(DicomElement.FromText(DicomTags.TransferSyntaxUID, DicomVR.UI, DicomTransferSyntaxInfo.Uid(options.TransferSyntax)))
            .Set(DicomElement.FromText(DicomTags.ImplementationClassUID, DicomVR.UI, options.ImplementationClassUid))
            .Set(DicomElement.FromText(DicomTags.ImplementationVersionName, DicomVR.SH, options.ImplementationVersionName));
        // The meta group is always explicit VR little endian (PS3.10 7.1), preceded by its length.
        var encoding = new WireEncoding(ExplicitVR: true, BigEndian: false, UndefinedLengthSequences: false);
        var body = new ArrayBufferWriter<byte>(256);
        foreach (var e in meta.Elements) WriteElement(body, e, encoding);
        WriteElement(output, DicomElement.FromUInt32(DicomTags.FileMetaInformationGroupLength, (uint)body.WrittenCount), encoding);
        output.Write(body.WrittenSpan);
    }

    private static string RequiredUid(DicomDataset dataset, DicomTag tag, string name)
    {
        if (!dataset.TryGet(tag, out var e) || e.Value.Length == 0)
            throw new ArgumentException($"the dataset has no {name} {tag}, required for the File Meta group", nameof(dataset));
        return System.Text.Encoding.ASCII.GetString(e.Value.Span).TrimEnd('\0', ' ');
    }

    private static void WriteElement(IBufferWriter<byte> output, DicomElement element, WireEncoding enc)
    {
        if (element.VR == DicomVR.SQ)
        {
            WriteSequence(output, element, enc);
            return;
        }
        ReadOnlySpan<byte> value = element.Value.Span;
        int padded = value.Length + (value.Length & 1);
        var vr = element.VR == DicomVR.None ? DicomVR.UN : element.VR;
        WriteHeader(output, element.Tag, vr, (uint)padded, enc);
        var dest = output.GetSpan(padded)[..padded];
        value.CopyTo(dest);
        if (enc.BigEndian) SwapToBigEndian(dest[..value.Length], vr);
        if (padded != value.Length) dest[^1] = DicomVRInfo.PaddingByte(vr);
        output.Advance(padded);
    }

    private static void WriteSequence(IBufferWriter<byte> output, DicomElement sequence, WireEncoding enc)
    {
        if (enc.UndefinedLengthSequences)
        {
            WriteHeader(output, sequence.Tag, DicomVR.SQ, uint.MaxValue, enc);
            foreach (var item in sequence.Items)
            {
                WriteTag(output, DicomTag.Item, uint.MaxValue, enc);
                foreach (var e in item.Elements) WriteElement(output, e, enc);
                WriteTag(output, DicomTag.ItemDelimitationItem, 0, enc);
            }
            WriteTag(output, DicomTag.SequenceDelimitationItem, 0, enc);
            return;
        }
        // Defined lengths: encode the items first to know them.
        var items = new ArrayBufferWriter<byte>(256);
        foreach (var item in sequence.Items)
        {
            var body = new ArrayBufferWriter<byte>(256);
            foreach (var e in item.Elements) WriteElement(body, e, enc);
            WriteTag(items, DicomTag.Item, (uint)body.WrittenCount, enc);
            items.Write(body.WrittenSpan);
        }
        WriteHeader(output, sequence.Tag, DicomVR.SQ, (uint)items.WrittenCount, enc);
        output.Write(items.WrittenSpan);
    }

    // Item and delimitation tags: tag plus a 32-bit length, never a VR.
    private static void WriteTag(IBufferWriter<byte> output, DicomTag tag, uint length, WireEncoding enc)
    {
        var span = output.GetSpan(8);
        WriteUInt16(span, tag.Group, enc.BigEndian);
        WriteUInt16(span[2..], tag.Element, enc.BigEndian);
        WriteUInt32(span[4..], length, enc.BigEndian);
        output.Advance(8);
    }

    private static void WriteHeader(IBufferWriter<byte> output, DicomTag tag, DicomVR vr, uint length, WireEncoding enc)
    {
        if (!enc.ExplicitVR)
        {
            WriteTag(output, tag, length, enc);
            return;
        }
        var span = output.GetSpan(12);
        WriteUInt16(span, tag.Group, enc.BigEndian);
        WriteUInt16(span[2..], tag.Element, enc.BigEndian);
        span[4] = (byte)((ushort)vr >> 8);
        span[5] = (byte)vr;
        if (DicomVRInfo.HasLongLength(vr))
        {
            span[6] = 0;
            span[7] = 0;
            WriteUInt32(span[8..], length, enc.BigEndian);
            output.Advance(12);
        }
        else
        {
            if (length > ushort.MaxValue)
                throw new ArgumentException($"the value of {tag} is {length} bytes, too long for VR {DicomVRInfo.Code(vr)} in explicit VR");
            WriteUInt16(span[6..], (ushort)length, enc.BigEndian);
            output.Advance(8);
        }
    }

    /// <summary>Byte-swaps a little-endian value in place to big endian, by the size of one value of the VR.</summary>
    private static void SwapToBigEndian(Span<byte> value, DicomVR vr)
    {
        int size = vr switch
        {
            DicomVR.AT or DicomVR.OW => 2, // AT is a pair of 16-bit numbers
            DicomVR.OF or DicomVR.OL => 4,
            DicomVR.OD or DicomVR.OV => 8,
            _ => DicomVRInfo.FixedValueSize(vr),
        };
        if (size <= 1) return;
        for (int i = 0; i + size <= value.Length; i += size) value.Slice(i, size).Reverse();
    }

    private static void WriteUInt16(Span<byte> span, ushort v, bool bigEndian)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(span, v);
        else BinaryPrimitives.WriteUInt16LittleEndian(span, v);
    }

    private static void WriteUInt32(Span<byte> span, uint v, bool bigEndian)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(span, v);
        else BinaryPrimitives.WriteUInt32LittleEndian(span, v);
    }
}
