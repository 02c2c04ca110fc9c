using System.Buffers;
using System.Buffers.Binary;
using Lakehouse.Udfs.Dicom.Json;

namespace Lakehouse.Udfs.Dicom.Reading;

// The one-pass header JSON: one walk of the header bytes writes the DICOM JSON as it goes and keeps only the key
// attributes, instead of materializing a DicomDataset (one object per element) and serializing it afterwards.
public static partial class DicomFileReader
{
    /// <summary>
    /// Reads a header from a stream, as <see cref="ReadHeader(Stream, string, DicomReadOptions?)"/> does (same bytes read,
    /// same errors, same <see cref="DicomReadResult.Keys"/> and <see cref="DicomReadResult.HeaderBytes"/>), and writes its
    /// DICOM JSON into <paramref name="json"/>, which is cleared first: on success it holds exactly the bytes
    /// <see cref="DicomJson.SerializeUtf8"/> writes for the data set ReadHeader returns; on failure it is empty.
    /// The data set is not materialized: <see cref="DicomReadResult.Dataset"/> is null, except for the rare file the one
    /// walk cannot write as the data set model would (tags out of order or repeated at a level, an item with its own
    /// Specific Character Set, a Specific Character Set after text it governs, an Implicit VR "US or SS" attribute before
    /// Pixel Representation), which takes the materializing path and returns its data set.
    /// </summary>
    public static DicomReadResult ReadHeaderJson(Stream stream, string fileLabel, ArrayBufferWriter<byte> json, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return ReadStream([], stream, fileLabel, options ?? DicomReadOptions.Default, json);
    }

    /// <summary>
    /// As <see cref="ReadHeaderJson(Stream, string, ArrayBufferWriter{byte}, DicomReadOptions?)"/>, for a file whose first
    /// bytes are already in memory (a batched read, a mapped file): <paramref name="head"/> holds them and
    /// <paramref name="rest"/> continues right after them, or is null when <paramref name="head"/> is the whole file. A
    /// header within <paramref name="head"/> is read there, without a copy; only a longer one reads on from
    /// <paramref name="rest"/>, starting over from the beginning with the head's bytes.
    /// </summary>
    public static DicomReadResult ReadHeaderJson(ReadOnlySpan<byte> head, Stream? rest, string fileLabel, ArrayBufferWriter<byte> json,
        DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return ReadHead(head, rest, fileLabel, options ?? DicomReadOptions.Default, json);
    }

    /// <summary>As <see cref="ReadHeaderJson(Stream, string, ArrayBufferWriter{byte}, DicomReadOptions?)"/>, over the bytes of a whole file.</summary>
    public static DicomReadResult ReadHeaderJson(ReadOnlySpan<byte> bytes, string fileLabel, ArrayBufferWriter<byte> json, DicomReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return ReadJson(bytes, null, fileLabel, options ?? DicomReadOptions.Default, isFinalBlock: true, json, out _);
    }

    [ThreadStatic] private static DicomJsonEmitter? t_emitter;
    [ThreadStatic] private static byte[]? t_swapped; // a big-endian binary value in little-endian order, as the model keeps it

    private static DicomReadResult ReadJson(ReadOnlySpan<byte> bytes, Stream? rest, string label, DicomReadOptions options, bool isFinalBlock,
        ArrayBufferWriter<byte> json, out bool needMore)
    {
        json.ResetWrittenCount();
        var prelude = ReadPrelude(bytes, label, isFinalBlock, out needMore, out int pos, out var meta, out var syntax);
        if (prelude is not null) return prelude;
        if (syntax.Deflated) return ReadDeflated(bytes[pos..], rest, pos, label, options, meta, syntax, json);
        if (WriteJsonOnePass(bytes[pos..], pos, label, options, meta, syntax, json, headerBytes: -1, isFinalBlock, out needMore) is { } written)
            return written;
        var result = Read(bytes, rest, label, options, isFinalBlock, out needMore);
        if (result.IsSuccess) SerializeFallback(result.Dataset!, json);
        return result;
    }

    private static void SerializeFallback(DicomDataset dataset, ArrayBufferWriter<byte> json)
    {
        json.ResetWrittenCount();
        DicomJson.SerializeUtf8(dataset, json);
    }

    /// <summary>
    /// Walks the data set in <paramref name="data"/> (at <paramref name="baseOffset"/> in the file) once, writing its JSON
    /// into <paramref name="json"/> and reporting failures exactly as the walk of <see cref="Read"/> does. Returns null
    /// (json cleared) when the file needs the materializing path to come out byte-identical. headerBytes: the header size
    /// to report, or -1 for baseOffset plus the bytes walked.
    /// </summary>
    private static DicomReadResult? WriteJsonOnePass(ReadOnlySpan<byte> data, long baseOffset, string label, DicomReadOptions options,
        in DicomFileMetaBytes meta, DicomTransferSyntax syntax, ArrayBufferWriter<byte> json, long headerBytes, bool isFinalBlock, out bool needMore)
    {
        needMore = false;
        json.ResetWrittenCount();
        var emitter = t_emitter ??= new DicomJsonEmitter();
        emitter.Reset();
        var reader = new DicomElementReader(data, new DicomReaderState(syntax.ExplicitVR, syntax.BigEndian), baseOffset,
            options.StopBeforeTag, options.MaxSequenceDepth);
        Span<DicomKeyElement> keys = stackalloc DicomKeyElement[DicomKeyAttributes.KeyTags.Length];
        // The walk's per-level state lives here: a method that allocates on the stack is compiled once, without the
        // profile-guided tier, and the walk is the loop that runs per element.
        const int Levels = DicomReaderState.MaxFrames + 1;
        Span<long> lastTag = stackalloc long[Levels];
        Span<bool> valueOpen = stackalloc bool[Levels];
        bool inOrder = WalkAndWrite(ref reader, new DicomJsonEmitterSink(emitter), syntax, keys, lastTag, valueOpen, out int keyCount, out var characterSet);
        if (reader.Error is { } err)
        {
            json.ResetWrittenCount();
            if (err == DicomReadErrorReason.Truncated && !isFinalBlock) { needMore = true; return Truncated(label, reader.ErrorOffset); }
            return DicomReadResult.Failure(new(label, reader.ErrorOffset, reader.Tag, err));
        }
        if (!inOrder)
        {
            json.ResetWrittenCount();
            return null;
        }
        if (!reader.Stopped && !isFinalBlock)
        {
            json.ResetWrittenCount();
            needMore = true;
            return Truncated(label, baseOffset + reader.BytesConsumed);
        }
        if (headerBytes < 0)
        {
            if (reader.BytesConsumed > options.MaxHeaderBytes)
            {
                json.ResetWrittenCount();
                return DicomReadResult.Failure(new(label, baseOffset, null, DicomReadErrorReason.HeaderTooLarge));
            }
            headerBytes = baseOffset + reader.BytesConsumed;
        }
        json.Write(emitter.Written);
        return DicomReadResult.Success(meta, null, KeyAttributes(data, keys[..keyCount], characterSet, meta.TransferSyntaxUid, syntax), headerBytes, syntax);
    }

    // The key attributes straight from the walked bytes (top-level key elements in tag order); only a big-endian data
    // set is copied, to swap its binary values to the little-endian order the extraction reads.
    private static DicomKeyValues KeyAttributes(ReadOnlySpan<byte> data, Span<DicomKeyElement> keys, DicomCharacterSet characterSet,
        string? transferSyntaxUid, DicomTransferSyntax syntax)
    {
        if (!syntax.BigEndian) return DicomKeyValues.From(keys, data, characterSet, transferSyntaxUid);
        int total = 0;
        foreach (var k in keys) total += k.Length;
        byte[] values = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            int at = 0;
            for (int i = 0; i < keys.Length; i++)
            {
                var k = keys[i];
                var copy = values.AsSpan(at, k.Length);
                data.Slice(k.Start, k.Length).CopyTo(copy);
                if (DicomVRInfo.IsSwapped(k.VR)) SwapToLittleEndian(copy, k.VR);
                keys[i] = k with { Start = at };
                at += k.Length;
            }
            return DicomKeyValues.From(keys, values.AsSpan(0, total), characterSet, transferSyntaxUid);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(values);
        }
    }

    /// <summary>
    /// Reads every token and writes it as DicomJson's data set writer would. Returns false as soon as the output could
    /// differ from the materialized data set's (the walk stops there; the caller falls back): a tag not above the previous
    /// one at its level (the model sorts, and keeps the last of a repeated tag), an item with its own Specific Character
    /// Set, a top-level Specific Character Set after text it governs, a left-out sequence, or, in Implicit VR, a "US or SS"
    /// attribute before Pixel Representation. A reader error ends the walk with true; the caller checks reader.Error.
    /// </summary>
    private static bool WalkAndWrite(ref DicomElementReader reader, DicomJsonEmitterSink writer, DicomTransferSyntax syntax,
        scoped Span<DicomKeyElement> keys, scoped Span<long> lastTag, scoped Span<bool> valueOpen, out int keyCount, out DicomCharacterSet cs)
    {
        // lastTag: per open data set (top level, items), the last tag seen (-1: none); valueOpen: per open sequence,
        // whether its "Value" array is started. Both MaxFrames + 1 long.
        keyCount = 0;
        lastTag[0] = -1;
        cs = DicomCharacterSet.Default;
        bool wroteCharsetText = false; // top-level text or sequence written under the default set
        bool pixelRepresentationSeen = false, signedPixels = false;
        // Top-level tags arrive ascending (anything else falls back), so the key tags are met in order: a cursor into
        // them answers "is this a key attribute?" with one comparison, not a search per element.
        var keyTags = DicomKeyAttributes.KeyTags;
        int nextKey = 0;
        writer.StartObject();
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case DicomTokenType.Element:
                {
                    int level = reader.Depth;
                    var tag = reader.Tag;
                    if (tag.Value <= lastTag[level]) return false;
                    lastTag[level] = tag.Value;
                    var vr = reader.VR;
                    var value = reader.ValueSpan;
                    bool bigEndian = reader.IsBigEndian && DicomVRInfo.IsSwapped(vr);
                    if (bigEndian) value = ToLittleEndian(value, vr);
                    if (level == 0)
                    {
                        if (tag == DicomTags.SpecificCharacterSet)
                        {
                            if (wroteCharsetText) return false;
                            cs = DicomKeyAttributes.CharacterSetOf(value, vr);
                        }
                        else if (!syntax.ExplicitVR && tag.Group == 0x0028)
                        {
                            if (tag == DicomTags.PixelRepresentation)
                            {
                                pixelRepresentationSeen = true;
                                signedPixels = vr == DicomVR.US && value.Length >= 2 && BinaryPrimitives.ReadUInt16LittleEndian(value) == 1;
                            }
                            else if (vr == DicomVR.US && IsSignedByPixelRepresentation(tag))
                            {
                                if (!pixelRepresentationSeen && tag < DicomTags.PixelRepresentation) return false;
                                if (signedPixels) vr = DicomVR.SS;
                            }
                        }
                        while (nextKey < keyTags.Length && keyTags[nextKey] < tag.Value) nextKey++;
                        if (nextKey < keyTags.Length && keyTags[nextKey] == tag.Value) keys[keyCount++] = new DicomKeyElement(tag.Value, vr, reader.ValueStart, value.Length);
                        if (DicomVRInfo.IsText(vr) && !DicomVRInfo.IsAsciiText(vr)) wroteCharsetText = true;
                    }
                    else if (tag == DicomTags.SpecificCharacterSet)
                    {
                        return false;
                    }
                    if (DicomJson.IsLeftOut(tag, excludePixelData: true)) break;
                    DicomJson.WriteAttributeStart(writer, tag, vr);
                    DicomJson.WriteValue(writer, vr, value, cs);
                    writer.EndObject();
                    break;
                }
                case DicomTokenType.SequenceStart:
                {
                    int level = reader.Depth - 1;
                    var tag = reader.Tag;
                    if (tag.Value <= lastTag[level] || DicomJson.IsLeftOut(tag, excludePixelData: true)) return false;
                    lastTag[level] = tag.Value;
                    if (level == 0) wroteCharsetText = true;
                    DicomJson.WriteAttributeStart(writer, tag, DicomVR.SQ);
                    valueOpen[reader.Depth] = false;
                    break;
                }
                case DicomTokenType.ItemStart:
                    if (!valueOpen[reader.Depth - 1])
                    {
                        writer.StartArray("Value"u8);
                        valueOpen[reader.Depth - 1] = true;
                    }
                    writer.StartObject();
                    lastTag[reader.Depth] = -1;
                    break;
                case DicomTokenType.ItemEnd:
                    writer.EndObject();
                    break;
                case DicomTokenType.SequenceEnd:
                    if (valueOpen[reader.Depth + 1]) writer.EndArray();
                    writer.EndObject();
                    break;
            }
        }
        writer.EndObject();
        return true;
    }

    private static ReadOnlySpan<byte> ToLittleEndian(ReadOnlySpan<byte> value, DicomVR vr)
    {
        var buffer = t_swapped;
        if (buffer is null || buffer.Length < value.Length) t_swapped = buffer = new byte[Math.Max(value.Length, 4096)];
        var copy = buffer.AsSpan(0, value.Length);
        value.CopyTo(copy);
        SwapToLittleEndian(copy, vr);
        return copy;
    }
}
