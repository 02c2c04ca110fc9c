using System.Buffers.Binary;
using System.IO.Compression;
using Lakehouse.Jobs.Sample;
using Lakehouse.Testing;
using Lakehouse.Udfs.Dicom.Json;
using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Jobs.Tests.Sample;

/// <summary>
/// The header reader on the deflated files of a realistic sample (512x512 16-bit): it reads a fraction of each file and
/// finds the same data set as reading the whole inflated data set (the reader's behaviour before it inflated incrementally).
/// </summary>
public class SampleDeflatedReadingTests
{
    // The whole data set inflated, then read through the non-deflated path (its encoding detected as explicit VR LE).
    private static string WholeInflatedJson(byte[] file)
    {
        // Our writer always writes (0002,0000): the meta ends 12 + its value bytes after it.
        BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(132)).Should().Be(0x00000002u, "group length comes first");
        int metaEnd = 132 + 12 + (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(140));
        using var inflater = new DeflateStream(new MemoryStream(file, metaEnd, file.Length - metaEnd), CompressionMode.Decompress);
        var inflated = new MemoryStream();
        inflater.CopyTo(inflated);
        var r = DicomFileReader.ReadHeader(inflated.ToArray(), "whole");
        r.IsSuccess.Should().BeTrue(r.Error?.ToString());
        r.TransferSyntax!.Uid.Should().Be("1.2.840.10008.1.2.1");
        return DicomJson.Serialize(r.Dataset!);
    }

    [Fact]
    public void Deflated_files_of_a_realistic_sample_read_the_same_data_set_from_a_quarter_of_the_bytes()
    {
        using var dir = new TempDirectory("sample-deflated");
        SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = dir.Combine("a"), Patients = 6, Seed = 5, Pixels = PixelSize.Realistic });
        int deflated = 0;
        foreach (string path in Directory.GetFiles(Path.Combine(dir.Combine("a"), SampleArchiveGenerator.DicomFolder), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            byte[] file = File.ReadAllBytes(path);
            var counting = new CountingReadStream(new MemoryStream(file));
            var r = DicomFileReader.ReadHeader(counting, "sample");
            if (!r.IsSuccess || !r.TransferSyntax!.Deflated) continue; // junk, truncated copies and other syntaxes
            deflated++;
            string whole = WholeInflatedJson(file);
            DicomJson.Serialize(r.Dataset!).Should().Be(whole);
            DicomJson.Serialize(DicomFileReader.ReadHeader(file, "sample").Dataset!).Should().Be(whole);
            r.Keys!.Rows.Should().Be(512);
            counting.BytesRead.Should().BeLessThan(file.Length / 4);
        }
        deflated.Should().BeGreaterThan(5, "about a quarter of the sample's files are deflated");
    }
}
