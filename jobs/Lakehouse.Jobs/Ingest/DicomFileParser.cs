using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Lakehouse.Udfs.Dicom;
using Lakehouse.Udfs.Dicom.Json;
using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Jobs.Ingest;

/// <summary>What ingestion keeps of one file: the key attributes, the header as DICOM JSON and its SHA-256, or the error.</summary>
/// <param name="Error">Why the file is not a usable DICOM instance; null on success.</param>
/// <param name="Keys">The typed key attributes (null on error).</param>
/// <param name="TagsJson">The non-pixel header as DICOM JSON (null on error).</param>
/// <param name="HeaderSha256">Lower-case hex SHA-256 of <paramref name="TagsJson"/>'s UTF-8 bytes (null on error).</param>
/// <param name="BytesRead">Bytes of the file read.</param>
public sealed record ParsedDicomFile(DicomReadError? Error, DicomKeyAttributes? Keys, string? TagsJson, string? HeaderSha256, long BytesRead);

/// <summary>
/// The per-file work of DICOM ingestion, in one place so the ingestion benchmark measures exactly what the job does:
/// read the header (stopping before Pixel Data), write it as DICOM JSON once in UTF-8 into a per-thread buffer, hash
/// those bytes and decode them to the string stored.
/// </summary>
public static class DicomFileParser
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_json;

    /// <summary>
    /// Parses the file at <paramref name="path"/>. <paramref name="label"/> names it in errors: never the path, which
    /// carries patient names in real exports. I/O failures become an <see cref="DicomReadErrorReason.IoError"/> result.
    /// </summary>
    public static ParsedDicomFile Parse(string path, string label, long fileSize)
    {
        try
        {
            using var stream = DicomFileReader.OpenForHeader(path);
            var result = DicomFileReader.ReadHeader(stream, label);
            if (!result.IsSuccess)
                return new ParsedDicomFile(result.Error, null, null, null, result.HeaderBytes > 0 ? result.HeaderBytes : Math.Min(fileSize, DicomFileReader.FirstChunk));
            if (string.IsNullOrEmpty(result.Keys!.SopInstanceUid))
                return new ParsedDicomFile(new DicomReadError(label, 0, DicomTags.SOPInstanceUID, DicomReadErrorReason.InvalidStructure), null, null, null, result.HeaderBytes);
            var json = t_json ??= new ArrayBufferWriter<byte>(64 * 1024);
            json.ResetWrittenCount();
            DicomJson.SerializeUtf8(result.Dataset!, json);
            Span<byte> sha = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(json.WrittenSpan, sha);
            return new ParsedDicomFile(null, result.Keys, Encoding.UTF8.GetString(json.WrittenSpan), Convert.ToHexStringLower(sha), result.HeaderBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ParsedDicomFile(new DicomReadError(label, 0, null, DicomReadErrorReason.IoError), null, null, null, 0);
        }
    }

    /// <summary>The label of the file with run-local number <paramref name="sequence"/>: "file #N".</summary>
    public static string Label(long sequence) => "file #" + sequence.ToString(CultureInfo.InvariantCulture);
}
