using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Lakehouse.Udfs.Dicom;
using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Jobs.Ingest;

/// <summary>The 32 bytes of a SHA-256 digest, held inline (no array per file).</summary>
[InlineArray(SHA256.HashSizeInBytes)]
public struct Sha256Digest
{
    private byte _first;
}

/// <summary>What ingestion keeps of one file: the key attributes, the size and SHA-256 of its header JSON, or the error.</summary>
/// <param name="Error">Why the file is not a usable DICOM instance; null on success.</param>
/// <param name="Keys">The key attributes as bronze column values (null on error).</param>
/// <param name="JsonLength">
/// The bytes of the non-pixel header as DICOM JSON (UTF-8) appended to the caller's buffer for this file; 0 on error.
/// </param>
/// <param name="HeaderSha256">SHA-256 of exactly those <paramref name="JsonLength"/> bytes (zeros on error).</param>
/// <param name="BytesRead">Bytes of the file read.</param>
public sealed record ParsedDicomFile(DicomReadError? Error, DicomKeyValues? Keys, int JsonLength, Sha256Digest HeaderSha256, long BytesRead);

/// <summary>
/// The per-file work of DICOM ingestion, in one place so the ingestion benchmark measures exactly what the job does:
/// read the header (stopping before Pixel Data) and write it as DICOM JSON in the same walk
/// (<see cref="DicomFileReader.ReadHeaderJson(Stream, string, ArrayBufferWriter{byte}, DicomReadOptions?)"/>), hash
/// those bytes and append them to the caller's buffer.
/// </summary>
public static class DicomFileParser
{
    // This file's JSON: the reader clears it (and starts over when a long header needs more of the file), so it cannot be
    // the caller's buffer, which holds the files before this one.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_json;

    // One hasher per thread: SHA256.HashData sets up (and clears) the native digest on every call.
    [ThreadStatic] private static IncrementalHash? t_sha256;

    /// <summary>
    /// Opens the file at <paramref name="path"/> as ingestion does (<see cref="SourceTree.Open(string)"/>) and parses it; see the
    /// other overload. An I/O failure becomes an <see cref="DicomReadErrorReason.IoError"/> result.
    /// </summary>
    public static ParsedDicomFile Parse(string path, string label, IBufferWriter<byte> json)
    {
        OpenedSourceFile file;
        try { file = SourceTree.Open(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return IoError(label);
        }
        using (file) return Parse(file.Stream, label, file.Size, json);
    }

    /// <summary>
    /// Parses the file open in <paramref name="stream"/> (<paramref name="fileSize"/> bytes long) and appends its header
    /// JSON to <paramref name="json"/> (nothing on error). <paramref name="label"/> names it in errors: never the path,
    /// which carries patient names in real exports. I/O failures become an <see cref="DicomReadErrorReason.IoError"/> result.
    /// </summary>
    public static ParsedDicomFile Parse(Stream stream, string label, long fileSize, IBufferWriter<byte> json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var own = t_json ??= new ArrayBufferWriter<byte>(64 * 1024);
        try { return Keep(DicomFileReader.ReadHeaderJson(stream, label, own), own, label, fileSize, json); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return IoError(label); }
    }

    /// <summary>
    /// As <see cref="Parse(Stream, int, long, long, IBufferWriter{byte})"/> for a file whose first bytes are already in memory:
    /// <paramref name="head"/> holds them and <paramref name="rest"/> continues after them (null: the head is the whole
    /// file); see <see cref="DicomFileReader.ReadHeaderJson(ReadOnlySpan{byte}, Stream?, string, ArrayBufferWriter{byte}, DicomReadOptions?)"/>.
    /// </summary>
    public static ParsedDicomFile Parse(ReadOnlySpan<byte> head, Stream? rest, long sequence, long fileSize, IBufferWriter<byte> json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var own = t_json ??= new ArrayBufferWriter<byte>(64 * 1024);
        ParsedDicomFile result;
        try { result = Keep(DicomFileReader.ReadHeaderJson(head, rest, PendingLabel, own), own, PendingLabel, fileSize, json); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { result = IoError(PendingLabel); }
        return Labelled(result, sequence);
    }

    // What ingestion keeps of a read: the error, or the keys and the JSON (hashed, and appended to the caller's buffer).
    private static ParsedDicomFile Keep(DicomReadResult result, ArrayBufferWriter<byte> own, string label, long fileSize, IBufferWriter<byte> json)
    {
        if (!result.IsSuccess)
            return new ParsedDicomFile(result.Error, null, 0, default, result.HeaderBytes > 0 ? result.HeaderBytes : Math.Min(fileSize, DicomFileReader.FirstChunk));
        if (result.KeyValues!.SopInstanceUid.IsEmpty)
            return new ParsedDicomFile(new DicomReadError(label, 0, DicomTags.SOPInstanceUID, DicomReadErrorReason.InvalidStructure), null, 0, default, result.HeaderBytes);
        var written = own.WrittenSpan;
        var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(written);
        Sha256Digest digest = default;
        sha256.GetHashAndReset(digest);
        written.CopyTo(json.GetSpan(written.Length));
        json.Advance(written.Length);
        return new ParsedDicomFile(null, result.KeyValues, written.Length, digest, result.HeaderBytes);
    }

    /// <summary>
    /// As <see cref="Parse(Stream, string, long, IBufferWriter{byte})"/> for the file with run-local number
    /// <paramref name="sequence"/> (its label, <see cref="Label"/>, is made only when the file fails, not for every file),
    /// reading its first <paramref name="headBytes"/> bytes (at most <see cref="HeadLength.Max"/>) before parsing, as
    /// ingestion's batches read a chunk's heads; see <see cref="Parse(ReadOnlySpan{byte}, Stream?, long, long, IBufferWriter{byte})"/>.
    /// </summary>
    public static ParsedDicomFile Parse(Stream stream, int headBytes, long sequence, long fileSize, IBufferWriter<byte> json)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(headBytes, HeadLength.Max);
        var head = (t_head ??= new byte[HeadLength.Max]).AsSpan(0, headBytes);
        int read;
        try { read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return IoError(Label(sequence)); }
        return Parse(head[..read], read < head.Length ? null : stream, sequence, fileSize, json);
    }

    // Where Parse(Stream, int, ...) reads a head to.
    [ThreadStatic] private static byte[]? t_head;

    private static ParsedDicomFile Labelled(ParsedDicomFile result, long sequence) =>
        result.Error is null ? result : result with { Error = result.Error with { FileLabel = Label(sequence) } };

    // Stands for the label until a file fails (the reader names a file only in its error).
    private const string PendingLabel = "file #?";

    /// <summary>The result for a file that could not be opened or read (nothing read, nothing appended).</summary>
    public static ParsedDicomFile IoError(string label) =>
        new(new DicomReadError(label, 0, null, DicomReadErrorReason.IoError), null, 0, default, 0);

    /// <summary>The label of the file with run-local number <paramref name="sequence"/>: "file #N".</summary>
    public static string Label(long sequence) => string.Create(CultureInfo.InvariantCulture, $"file #{sequence}");
}
