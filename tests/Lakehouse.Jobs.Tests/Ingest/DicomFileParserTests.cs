using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Sample;
using Lakehouse.Testing;
using Lakehouse.Udfs.Dicom;
using Lakehouse.Udfs.Dicom.Json;
using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Jobs.Tests.Ingest;

/// <summary>
/// The parser's one-pass JSON against the reference path (ReadHeader, then DicomJson.SerializeUtf8 and SHA-256 of those
/// bytes) on every file of a generated sample archive: its explicit, implicit, big-endian and deflated files, and its
/// junk and truncated ones.
/// </summary>
public class DicomFileParserTests
{
    [Fact]
    public void Every_sample_file_appends_the_reference_json_hash_and_keys()
    {
        using var dir = new TempDirectory("parser");
        SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = dir.Combine("archive"), Patients = 8, Seed = 11 });
        string root = Directory.Exists(dir.Combine("archive", "dicom")) ? dir.Combine("archive", "dicom") : dir.Combine("archive");
        string[] files = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        files.Should().HaveCountGreaterThan(100);

        var chunk = new ArrayBufferWriter<byte>(); // one buffer for all files, as the job keeps one per chunk
        var expected = new ArrayBufferWriter<byte>();
        var syntaxes = new HashSet<string>(StringComparer.Ordinal);
        int parsed = 0, failed = 0;
        for (int i = 0; i < files.Length; i++)
        {
            string label = DicomFileParser.Label(i + 1);
            long size = new FileInfo(files[i]).Length;
            int start = chunk.WrittenCount;
            var result = DicomFileParser.Parse(files[i], label, chunk);
            var reference = DicomFileReader.ReadHeader(files[i], label);
            // The job's overload, which names a file only when it fails and reads a head first (short or long), gives the
            // same result and the same label.
            foreach (int headBytes in new[] { 1, HeadLength.Min, HeadLength.Max })
            {
                using var stream = File.OpenRead(files[i]);
                var bySequence = DicomFileParser.Parse(stream, headBytes, i + 1, size, new ArrayBufferWriter<byte>());
                bySequence.Error.Should().Be(result.Error, label);
                bySequence.JsonLength.Should().Be(result.JsonLength, label);
                if (result.Error is null) bySequence.BytesRead.Should().Be(result.BytesRead, label);
            }
            if (!reference.IsSuccess || string.IsNullOrEmpty(reference.Keys!.SopInstanceUid))
            {
                result.Error.Should().NotBeNull(label);
                if (!reference.IsSuccess) result.Error.Should().Be(reference.Error, label);
                result.JsonLength.Should().Be(0);
                chunk.WrittenCount.Should().Be(start, "nothing is appended for a failed file");
                failed++;
                continue;
            }
            result.Error.Should().BeNull(label);
            expected.ResetWrittenCount();
            DicomJson.SerializeUtf8(reference.Dataset!, expected);
            result.JsonLength.Should().Be(expected.WrittenCount, label);
            chunk.WrittenSpan.Slice(start, result.JsonLength).SequenceEqual(expected.WrittenSpan).Should().BeTrue(label);
            var digest = result.HeaderSha256;
            ((ReadOnlySpan<byte>)digest).SequenceEqual(SHA256.HashData(expected.WrittenSpan)).Should().BeTrue(label);
            result.Keys!.ToAttributes().Should().BeEquivalentTo(reference.Keys, label);
            result.Keys.SopInstanceUid.SequenceEqual(Encoding.UTF8.GetBytes(reference.Keys!.SopInstanceUid!)).Should().BeTrue(label);
            result.BytesRead.Should().Be(reference.HeaderBytes, label);
            syntaxes.Add(reference.TransferSyntax!.Uid);
            parsed++;
        }
        parsed.Should().BeGreaterThan(100);
        failed.Should().BeGreaterThan(0, "the sample plants junk and truncated files");
        syntaxes.Should().Contain(["1.2.840.10008.1.2", "1.2.840.10008.1.2.1"]);
    }

    [Fact]
    public void The_classifier_hashes_of_a_run_equal_those_computed_from_stored_strings()
    {
        // A run hashes the SOP Instance UID's UTF-8 bytes and the raw digest; a later run's KnownDicomFiles hashes the
        // stored strings: both must agree, or every file of the later run would look new (or conflicting).
        foreach (string uid in new[] { "1.2.840.113619.2.55.3.604688119.969.1268071029.320", "1.2", "", "1.2.3.4.5.6.7.8", "ünïcode-uid" })
            KnownDicomFiles.SopHash(uid).Should().Be(FileFingerprint.HashUtf8(Encoding.UTF8.GetBytes(uid)), uid);
        FileFingerprint.HashUtf8("1.2.3.4.5.6.7.8"u8).Should().NotBe(FileFingerprint.HashUtf8("1.2.3.4.5.6.7.9"u8));
        FileFingerprint.HashUtf8("1234567"u8).Should().NotBe(FileFingerprint.HashUtf8("1234567\0"u8), "the length counts, not only the zero-padded words");
        for (int i = 0; i < 50; i++)
        {
            byte[] sha = SHA256.HashData(BitConverter.GetBytes(i));
            KnownDicomFiles.HashPrefix(sha).Should().Be(KnownDicomFiles.HashPrefix(Convert.ToHexStringLower(sha)));
        }
    }

    [Fact]
    public void A_missing_file_is_an_io_error_that_names_the_label_only()
    {
        using var dir = new TempDirectory("parser");
        var chunk = new ArrayBufferWriter<byte>();
        var result = DicomFileParser.Parse(dir.Combine("Doe^Jane", "missing.dcm"), "file #9", chunk);
        result.Error!.Reason.Should().Be(DicomReadErrorReason.IoError);
        result.Error.ToString().Should().StartWith("file #9").And.NotContain("Doe");
        chunk.WrittenCount.Should().Be(0);
    }
}
