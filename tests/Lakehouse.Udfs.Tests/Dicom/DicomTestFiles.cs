using System.Buffers;
using System.Text;
using Lakehouse.Udfs.Dicom;
using DicomWriter = Lakehouse.Udfs.Dicom.Writing.DicomWriter;
using DicomWriterOptions = Lakehouse.Udfs.Dicom.Writing.DicomWriterOptions;
using WireSyntax = Lakehouse.Udfs.Dicom.Writing.DicomTransferSyntax;

namespace Lakehouse.Udfs.Tests.Dicom;

/// <summary>Small DICOM files built in memory for the reader tests: elements given by their raw bytes, written as Part 10.</summary>
internal static class DicomTestFiles
{
    /// <summary>
    /// The data set as a Part 10 file (SOP Class and Instance UIDs added when missing: the writer takes the meta's from the
    /// data set), sequences of undefined length when asked.
    /// </summary>
    public static byte[] Part10(DicomDataset dataset, WireSyntax syntax = WireSyntax.ExplicitVRLittleEndian, bool undefinedLengthSequences = false)
    {
        if (!dataset.Contains(DicomTags.SOPClassUID)) dataset.Set(Raw(0x0008, 0x0016, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.7\0"));
        if (!dataset.Contains(DicomTags.SOPInstanceUID)) dataset.Set(Raw(0x0008, 0x0018, DicomVR.UI, "1.2.9\0"));
        var buffer = new ArrayBufferWriter<byte>();
        DicomWriter.WriteFile(buffer, dataset, new DicomWriterOptions { TransferSyntax = syntax, UndefinedLengthSequences = undefinedLengthSequences });
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>An element whose value is the Latin-1 bytes of <paramref name="latin1"/>, padding included.</summary>
    public static DicomElement Raw(ushort g, ushort e, DicomVR vr, string latin1) => new(new DicomTag(g, e), vr, Encoding.Latin1.GetBytes(latin1));

    /// <summary>An element with exactly these value bytes.</summary>
    public static DicomElement Raw(ushort g, ushort e, DicomVR vr, byte[] value) => new(new DicomTag(g, e), vr, value);
}
