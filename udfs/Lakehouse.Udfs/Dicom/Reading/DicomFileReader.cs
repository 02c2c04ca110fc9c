using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Lakehouse.Udfs.Dicom.Reading;

/// <summary>
/// Reads the header of a DICOM Part 10 file (PS3.10 section 7): optional 128-byte preamble and "DICM", optional
/// File Meta Information, then the data set up to the stop tag (Pixel Data by default), which is never read.
/// Every failure is returned as a <see cref="DicomReadError"/>; no exception escapes for bad input.
/// </summary>
public static partial class DicomFileReader
{
    /// <summary>
    /// Bytes read first from a stream: most headers fit (a CT's is a few KiB), and every byte read is a byte the kernel
    /// copies; a longer header grows the buffer (doubling) and is read on.
    /// </summary>
    public const int FirstChunk = 16 * 1024;
    // Deflated data sets are inflated in pieces of 4 KiB, doubling: most headers inflate to a few KiB, and every byte of a
    // larger piece would be pixel data inflated for nothing (16 KiB made the realistic sample's deflated files 2x slower).
    internal const int FirstInflatedChunk = 4 * 1024;

    /// <summary>Reads a header from the bytes of a whole file (or a prefix of one that holds the header).</summary>
    public static DicomReadResult ReadHeader(ReadOnlySpan<byte> bytes, string fileLabel, DicomReadOptions? options = null) =>
        Read(bytes, null, fileLabel, options ?? DicomReadOptions.Default, isFinalBlock: true, out _);

    /// <summary>
    /// Reads a header from a stream, reading only as much as needed: the first 16 KiB, then more only when the
    /// header is longer (a deflated data set is inflated piece by piece from there until the header is complete).
    /// The stream is left positioned after the bytes read.
    /// </summary>
    public static DicomReadResult ReadHeader(Stream stream, string fileLabel, DicomReadOptions? options = null) =>
        ReadStream([], stream, fileLabel, options ?? DicomReadOptions.Default, json: null);

    /// <summary>
    /// As <see cref="ReadHeader(Stream, string, DicomReadOptions?)"/>, for a file whose first bytes are already in memory:
    /// <paramref name="head"/> holds them and <paramref name="rest"/> continues right after them, or is null when
    /// <paramref name="head"/> is the whole file. A header within <paramref name="head"/> is read there; only a longer one
    /// reads on from <paramref name="rest"/>, starting over from the beginning with the head's bytes.
    /// </summary>
    public static DicomReadResult ReadHeader(ReadOnlySpan<byte> head, Stream? rest, string fileLabel, DicomReadOptions? options = null) =>
        ReadHead(head, rest, fileLabel, options ?? DicomReadOptions.Default, json: null);

    // Both reads of a head: in place, and only a header longer than the head goes to the buffer loop.
    private static DicomReadResult ReadHead(ReadOnlySpan<byte> head, Stream? rest, string fileLabel, DicomReadOptions options,
        ArrayBufferWriter<byte>? json)
    {
        var result = ReadBytes(head, rest, fileLabel, options, isFinalBlock: rest is null, json, out bool needMore);
        return needMore ? ReadStream(head, rest!, fileLabel, options, json) : result;
    }

    // One read over bytes in memory: json null materializes the data set (ReadHeader), otherwise writes its JSON (ReadHeaderJson).
    private static DicomReadResult ReadBytes(ReadOnlySpan<byte> bytes, Stream? rest, string fileLabel, DicomReadOptions options,
        bool isFinalBlock, ArrayBufferWriter<byte>? json, out bool needMore) =>
        json is null
            ? Read(bytes, rest, fileLabel, options, isFinalBlock, out needMore)
            : ReadJson(bytes, rest, fileLabel, options, isFinalBlock, json, out needMore);

    // The buffer loop of both reads (see ReadBytes). head: the file's first bytes, already read (the stream continues
    // after them), which a header longer than them starts from.
    private static DicomReadResult ReadStream(ReadOnlySpan<byte> head, Stream stream, string fileLabel, DicomReadOptions options,
        ArrayBufferWriter<byte>? json)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(FirstChunk, 2 * head.Length));
        try
        {
            head.CopyTo(buffer);
            int filled = head.Length;
            bool eof = false;
            while (true)
            {
                while (!eof && filled < buffer.Length)
                {
                    int n;
                    try { n = stream.Read(buffer, filled, buffer.Length - filled); }
                    catch (IOException) { return DicomReadResult.Failure(new(fileLabel, filled, null, DicomReadErrorReason.IoError)); }
                    if (n == 0) eof = true;
                    filled += n;
                }
                var bytes = buffer.AsSpan(0, filled);
                var result = ReadBytes(bytes, eof ? null : stream, fileLabel, options, eof, json, out bool needMore);
                if (!needMore) return result;
                if (buffer.Length >= options.MaxHeaderBytes + 1024)
                    return DicomReadResult.Failure(new(fileLabel, filled, null, DicomReadErrorReason.HeaderTooLarge));
                byte[] bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                buffer.AsSpan(0, filled).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads the header of a file on disk (label: the caller's name for it, never the path when it holds PHI).</summary>
    public static DicomReadResult ReadHeader(string path, string fileLabel, DicomReadOptions? options = null)
    {
        FileStream stream;
        try { stream = OpenForHeader(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return DicomReadResult.Failure(new(fileLabel, 0, null, DicomReadErrorReason.IoError));
        }
        using (stream) return ReadHeader(stream, fileLabel, options);
    }

    /// <summary>
    /// Opens a file to read its header: unbuffered (the reader has its own buffer), shared with writers and deleters (on
    /// Unix a narrower share costs an advisory lock per file), no read-ahead hint (a header is a few KiB).
    /// </summary>
    public static FileStream OpenForHeader(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.None);

    // needMore: the buffer ended inside the header and isFinalBlock was false. rest: where the file continues after
    // bytes (null when bytes is all of it); only a deflated data set reads it, other callers grow the buffer instead.
    private static DicomReadResult Read(ReadOnlySpan<byte> bytes, Stream? rest, string label, DicomReadOptions options, bool isFinalBlock,
        out bool needMore)
    {
        var prelude = ReadPrelude(bytes, label, isFinalBlock, out needMore, out int pos, out var meta, out var syntax);
        if (prelude is not null) return prelude;
        if (syntax.Deflated) return ReadDeflated(bytes[pos..], rest, pos, label, options, meta, syntax, json: null);

        var dataset = new DicomDataset();
        // First pass finds where the header ends without copying; the second materializes over one copy of it.
        var walker = new DicomElementReader(bytes[pos..], new DicomReaderState(syntax.ExplicitVR, syntax.BigEndian), pos,
            options.StopBeforeTag, options.MaxSequenceDepth);
        while (walker.Read()) { }
        if (walker.Error is { } err)
        {
            if (err == DicomReadErrorReason.Truncated && !isFinalBlock) { needMore = true; return Truncated(label, walker.ErrorOffset); }
            return DicomReadResult.Failure(new(label, walker.ErrorOffset, walker.Tag, err));
        }
        // The buffer ended exactly between two top-level elements: the next one may still be before the stop tag.
        if (!walker.Stopped && !isFinalBlock) { needMore = true; return Truncated(label, pos + walker.BytesConsumed); }
        int headerLength = walker.BytesConsumed;
        if (headerLength > options.MaxHeaderBytes) return DicomReadResult.Failure(new(label, pos, null, DicomReadErrorReason.HeaderTooLarge));
        byte[] copy = bytes.Slice(pos, headerLength).ToArray();
        var reader = new DicomElementReader(copy, new DicomReaderState(syntax.ExplicitVR, syntax.BigEndian), pos,
            options.StopBeforeTag, options.MaxSequenceDepth);
        var failure = MaterializeOwned(ref reader, copy, dataset, label, syntax.BigEndian);
        if (failure is not null) return failure;
        if (!syntax.ExplicitVR) ResolveUsOrSs(dataset);
        return DicomReadResult.Success(meta, dataset, DicomKeyValues.From(dataset, meta.TransferSyntaxUid), pos + headerLength, syntax);
    }

    // Everything before the data set: preamble, "DICM", File Meta Information, and the transfer syntax (named, detected or
    // corrected). Returns a failure, or null with where the data set starts. The meta is walked, not materialized: only
    // its Transfer Syntax UID is read, and its bytes are kept for DicomReadResult.FileMeta.
    private static DicomReadResult? ReadPrelude(ReadOnlySpan<byte> bytes, string label, bool isFinalBlock, out bool needMore,
        out int pos, out DicomFileMetaBytes meta, out DicomTransferSyntax syntax)
    {
        needMore = false;
        pos = 0;
        syntax = DicomTransferSyntax.ImplicitVRLittleEndian;
        meta = default;
        bool hasDicm = false;
        if (bytes.Length >= 132 && bytes.Slice(128, 4).SequenceEqual("DICM"u8)) { pos = 132; hasDicm = true; }
        else if (bytes.Length >= 4 && bytes[..4].SequenceEqual("DICM"u8)) { pos = 4; hasDicm = true; }
        else if (!isFinalBlock && bytes.Length < 132) { needMore = true; return Truncated(label, bytes.Length); }

        // File Meta Information: always Explicit VR Little Endian, group 0002.
        int metaStart = pos, metaLength = 0;
        MetaElement transferSyntaxUid = default;
        if (bytes.Length - pos >= 8 && BinaryPrimitives.ReadUInt16LittleEndian(bytes[pos..]) == 0x0002)
        {
            var fail = WalkMeta(bytes[pos..], pos, label, isFinalBlock, out needMore, out metaLength, out transferSyntaxUid);
            if (fail is not null) return fail;
            pos += metaLength;
        }
        else if (hasDicm && bytes.Length - pos < 8)
        {
            needMore = !isFinalBlock;
            return Truncated(label, bytes.Length);
        }

        DicomTransferSyntax? named;
        var metaBytes = bytes.Slice(metaStart, metaLength);
        if (transferSyntaxUid.Found)
        {
            named = TransferSyntaxNamed(metaBytes.Slice(transferSyntaxUid.Start, transferSyntaxUid.Length));
            if (named is null) return DicomReadResult.Failure(new(label, metaStart, DicomTags.TransferSyntaxUID, DicomReadErrorReason.UnsupportedTransferSyntax));
        }
        else
        {
            named = Detect(bytes[pos..], hasDicm || metaLength > 0);
            if (named is null)
            {
                if (!isFinalBlock && bytes.Length - pos < 8) { needMore = true; return Truncated(label, bytes.Length); }
                return DicomReadResult.Failure(new(label, pos, null, DicomReadErrorReason.NotDicom));
            }
        }

        syntax = named.Deflated ? named : CorrectVRMismatch(bytes[pos..], named);
        string? transferSyntaxColumn = transferSyntaxUid.Found
            ? DicomKeyValues.TransferSyntaxColumn(metaBytes.Slice(transferSyntaxUid.Start, transferSyntaxUid.Length), transferSyntaxUid.VR, syntax)
            : syntax.Uid;
        meta = new DicomFileMetaBytes(metaLength == 0 ? [] : metaBytes.ToArray(), metaStart, transferSyntaxColumn);
        return null;
    }

    // A top-level element of the meta: where its value is in the meta bytes.
    private readonly record struct MetaElement(bool Found, int Start, int Length, DicomVR VR);

    // The transfer syntax a Transfer Syntax UID value names (padding and surrounding blanks ignored); null if none we know.
    private static DicomTransferSyntax? TransferSyntaxNamed(ReadOnlySpan<byte> value)
    {
        Span<char> uid = stackalloc char[64]; // a UID is at most 64 characters
        value = value.TrimEnd("\0 "u8);
        if (value.Length > uid.Length) return null;
        for (int i = 0; i < value.Length; i++) uid[i] = value[i] < 0x80 ? (char)value[i] : '?';
        return DicomTransferSyntax.FromUid(uid[..value.Length].Trim());
    }

    // Deflated Explicit VR Little Endian (PS3.5 A.5): everything after the meta is one raw deflate stream. It is inflated
    // piece by piece, walking the inflated bytes after each piece, and reading stops as soon as the walk reaches the stop
    // tag or the end of the data set: the pixel data that follows the header is neither read nor inflated.
    // head: the file bytes in memory after the meta (at fileOffset); rest: where the file continues, if anywhere.
    // Offsets of walk errors are in the inflated data set, as DicomReadError documents.
    private static DicomReadResult ReadDeflated(ReadOnlySpan<byte> head, Stream? rest, int fileOffset, string label, DicomReadOptions options,
        in DicomFileMetaBytes meta, DicomTransferSyntax syntax, ArrayBufferWriter<byte>? json)
    {
        var feed = new InflaterFeed(ArrayPool<byte>.Shared.Rent(InflaterFeed.Size));
        byte[] inflated = ArrayPool<byte>.Shared.Rent(FirstInflatedChunk);
        long fed = 0;
        int headUsed = 0;
        try
        {
            using var inflater = new DeflateStream(feed, CompressionMode.Decompress, leaveOpen: true);
            int length = 0;
            bool end = false;
            while (true)
            {
                while (length < inflated.Length && !end)
                {
                    int n = inflater.Read(inflated, length, inflated.Length - length);
                    if (n > 0) { length += n; continue; }
                    // The inflater has used all it was given: hand it the next piece of the file (none left: the data set
                    // ends). Every piece but the file's last is a whole InflaterFeed.Size, from the head, the stream or
                    // both, so the bytes fed (HeaderBytes) are the file's, not the reading's: a batch's short head and a
                    // stream's 16 KiB give the same.
                    int piece = Math.Min(InflaterFeed.Size, head.Length - headUsed);
                    head.Slice(headUsed, piece).CopyTo(feed.Buffer);
                    headUsed += piece;
                    while (piece < InflaterFeed.Size && rest is not null)
                    {
                        int got;
                        try { got = rest.Read(feed.Buffer, piece, InflaterFeed.Size - piece); }
                        catch (IOException) { return DicomReadResult.Failure(new(label, fileOffset + fed + piece, null, DicomReadErrorReason.IoError)); }
                        if (got == 0) break;
                        piece += got;
                    }
                    if (piece == 0) end = true;
                    else { feed.Refill(piece); fed += piece; }
                }

                var walker = new DicomElementReader(inflated.AsSpan(0, length), new DicomReaderState(true, false), 0,
                    options.StopBeforeTag, options.MaxSequenceDepth);
                while (walker.Read()) { }
                bool complete = walker.Error is { } err
                    ? err != DicomReadErrorReason.Truncated || end
                    : walker.Stopped || end; // ended between two elements: the next may still come before the stop tag
                if (complete)
                {
                    if (walker.Error is { } failed) return DicomReadResult.Failure(new(label, walker.ErrorOffset, walker.Tag, failed));
                    int headerLength = walker.BytesConsumed;
                    if (headerLength > options.MaxHeaderBytes) return DicomReadResult.Failure(new(label, fileOffset, null, DicomReadErrorReason.HeaderTooLarge));
                    // The walk above only finds where the inflated header ends (a piece may stop short of it, and JSON
                    // written for a short piece would be thrown away): the JSON is written once, over the whole header.
                    if (json is not null
                        && WriteJsonOnePass(inflated.AsSpan(0, headerLength), 0, label, options, meta, syntax, json, fileOffset + fed, isFinalBlock: true, out _) is { } written)
                        return written;
                    byte[] copy = inflated.AsSpan(0, headerLength).ToArray();
                    var dataset = new DicomDataset();
                    var reader = new DicomElementReader(copy, new DicomReaderState(true, false), 0, options.StopBeforeTag, options.MaxSequenceDepth);
                    var failure = MaterializeOwned(ref reader, copy, dataset, label, false);
                    if (failure is not null) return failure;
                    if (json is not null) SerializeFallback(dataset, json);
                    return DicomReadResult.Success(meta, dataset, DicomKeyValues.From(dataset, meta.TransferSyntaxUid), fileOffset + fed, syntax);
                }
                if (length > options.MaxHeaderBytes) return DicomReadResult.Failure(new(label, fileOffset, null, DicomReadErrorReason.HeaderTooLarge));
                byte[] bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)inflated.Length * 2, Array.MaxLength));
                inflated.AsSpan(0, length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(inflated);
                inflated = bigger;
            }
        }
        catch (InvalidDataException)
        {
            return DicomReadResult.Failure(new(label, fileOffset, null, DicomReadErrorReason.InvalidDeflateData));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(inflated);
            ArrayPool<byte>.Shared.Return(feed.Buffer);
        }
    }

    // The inflater's input: the piece of the file ReadDeflated last handed it. Empty means "give me more", never end of
    // file: DeflateStream then returns 0 and ReadDeflated refills it (a span cannot be captured by a stream, so the
    // caller copies each piece in, from the span or the stream alike).
    private sealed class InflaterFeed(byte[] buffer) : Stream
    {
        public const int Size = 8 * 1024; // what DeflateStream asks for at once
        private int _start, _end;

        public byte[] Buffer => buffer;

        public void Refill(int length) { _start = 0; _end = length; }

        public override int Read(byte[] destination, int offset, int count) => Read(destination.AsSpan(offset, count));

        public override int Read(Span<byte> destination)
        {
            int n = Math.Min(destination.Length, _end - _start);
            buffer.AsSpan(_start, n).CopyTo(destination);
            _start += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    // Guesses the encoding of a data set with no File Meta Information: Implicit VR Little Endian unless the first
    // element carries a valid VR; a small big-endian group number means Explicit VR Big Endian.
    private static DicomTransferSyntax? Detect(ReadOnlySpan<byte> data, bool assumeDicom)
    {
        if (data.Length < 8) return null;
        ushort groupLE = BinaryPrimitives.ReadUInt16LittleEndian(data);
        ushort groupBE = BinaryPrimitives.ReadUInt16BigEndian(data);
        bool vrValid = DicomVRInfo.FromBytes(data[4], data[5]) != DicomVR.None;
        if (groupLE is >= 0x0002 and <= 0x0010 || (assumeDicom && groupLE < 0x7FE0))
            return vrValid ? DicomTransferSyntax.ExplicitVRLittleEndian : DicomTransferSyntax.ImplicitVRLittleEndian;
        if (groupBE is >= 0x0002 and <= 0x0010 && vrValid) return DicomTransferSyntax.ExplicitVRBigEndian;
        return null;
    }

    // A well-known real-world defect: the meta names an explicit VR syntax but the data set is implicit VR (or the
    // reverse). Switch only when the first element proves it: no valid VR where one must be, and an implicit length that
    // fits the data; or a valid VR and an implicit length that cannot fit. Otherwise the reader reports the bad VR.
    private static DicomTransferSyntax CorrectVRMismatch(ReadOnlySpan<byte> data, DicomTransferSyntax syntax)
    {
        if (syntax.BigEndian || data.Length < 8) return syntax;
        bool vrValid = DicomVRInfo.FromBytes(data[4], data[5]) != DicomVR.None;
        uint implicitLength = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        bool implicitFits = implicitLength == 0xFFFFFFFF || implicitLength <= (uint)(data.Length - 8);
        if (syntax.ExplicitVR && !vrValid && implicitFits) return syntax with { ExplicitVR = false };
        if (!syntax.ExplicitVR && vrValid && !implicitFits) return syntax with { ExplicitVR = true };
        return syntax;
    }

    // Walks the meta (group 0002 at the start of span, at baseOffset in the file) to its end, finding its Transfer Syntax
    // UID (the last one, as the data set model keeps the last of a repeated tag).
    private static DicomReadResult? WalkMeta(ReadOnlySpan<byte> span, int baseOffset, string label, bool isFinalBlock, out bool needMore,
        out int length, out MetaElement transferSyntaxUid)
    {
        needMore = false;
        length = 0;
        transferSyntaxUid = default;
        var walker = new DicomElementReader(span, new DicomReaderState(true, false), baseOffset, null, onlyGroup: 0x0002);
        while (walker.Read())
        {
            if (walker.TokenType == DicomTokenType.Element && walker.Depth == 0 && walker.Tag == DicomTags.TransferSyntaxUID)
                transferSyntaxUid = new MetaElement(true, walker.ValueStart, walker.ValueSpan.Length, walker.VR);
        }
        if (walker.Error is { } err)
        {
            if (err == DicomReadErrorReason.Truncated && !isFinalBlock) { needMore = true; return Truncated(label, walker.ErrorOffset); }
            return DicomReadResult.Failure(new(label, walker.ErrorOffset, walker.Tag, err));
        }
        if (!walker.Stopped && !isFinalBlock) { needMore = true; return Truncated(label, baseOffset + walker.BytesConsumed); }
        length = walker.BytesConsumed;
        return null;
    }

    /// <summary>The File Meta Information of a read file as a data set, from the bytes the read kept (walked then without error).</summary>
    internal static DicomDataset MaterializeFileMeta(in DicomFileMetaBytes meta)
    {
        var dataset = new DicomDataset();
        var reader = new DicomElementReader(meta.Bytes, new DicomReaderState(true, false), meta.FileOffset, null, onlyGroup: 0x0002);
        _ = MaterializeOwned(ref reader, meta.Bytes, dataset, "file meta", false); // cannot fail: the read walked these bytes
        return dataset;
    }

    private static DicomReadResult? MaterializeOwned(ref DicomElementReader reader, byte[] owner, DicomDataset target, string label, bool bigEndian)
    {
        var stack = new Stack<(DicomDataset Dataset, List<DicomDataset>? Items, DicomTag Tag)>();
        var current = target;
        List<DicomDataset>? items = null;
        DicomTag seqTag = default;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case DicomTokenType.Element:
                    if (bigEndian && reader.IsBigEndian) SwapToLittleEndian(owner.AsSpan(reader.ValueStart, (int)reader.ValueSpan.Length), reader.VR);
                    current.Set(new DicomElement(reader.Tag, reader.VR, new ReadOnlyMemory<byte>(owner, reader.ValueStart, reader.ValueSpan.Length)));
                    break;
                case DicomTokenType.SequenceStart:
                    stack.Push((current, items, seqTag));
                    items = [];
                    seqTag = reader.Tag;
                    break;
                case DicomTokenType.ItemStart:
                    stack.Push((current, items, seqTag));
                    current = new DicomDataset();
                    items!.Add(current);
                    break;
                case DicomTokenType.ItemEnd:
                    (current, items, seqTag) = stack.Pop();
                    break;
                case DicomTokenType.SequenceEnd:
                    var done = items!;
                    var tag = seqTag;
                    (current, items, seqTag) = stack.Pop();
                    current.Set(new DicomElement(tag, done));
                    break;
            }
        }
        return reader.Error is { } err ? DicomReadResult.Failure(new(label, reader.ErrorOffset, reader.Tag, err)) : null;
    }

    // Implicit VR: attributes the dictionary lists as "US or SS" (pixel padding, smallest/largest values) are SS when
    // Pixel Representation (0028,0103) is 1, as PS3.5 Annex A.1 c and dcmtk resolve them. LUT descriptors stay US.
    private static void ResolveUsOrSs(DicomDataset dataset)
    {
        if (!dataset.TryGet(DicomTags.PixelRepresentation, out var pr) || pr.VR != DicomVR.US || pr.Value.Length < 2
            || BinaryPrimitives.ReadUInt16LittleEndian(pr.Value.Span) != 1) return;
        List<DicomElement>? change = null;
        foreach (var e in dataset.Elements)
        {
            if (e.VR != DicomVR.US || !IsSignedByPixelRepresentation(e.Tag)) continue;
            (change ??= []).Add(new DicomElement(e.Tag, DicomVR.SS, e.Value));
        }
        if (change is not null) foreach (var e in change) dataset.Set(e);
    }

    // A "US or SS" attribute of group 0028 that Pixel Representation decides (not a LUT descriptor).
    private static bool IsSignedByPixelRepresentation(DicomTag tag) =>
        tag.Group == 0x0028 && DicomDictionary.TryGet(tag, out var entry) && entry.AlternativeVRs.Contains("SS", StringComparison.Ordinal)
        && !entry.Keyword.Contains("Descriptor", StringComparison.Ordinal);

    // The model keeps binary values little-endian; big-endian files are swapped in our own copy.
    private static void SwapToLittleEndian(Span<byte> value, DicomVR vr)
    {
        int size = DicomVRInfo.SwappedUnit(vr);
        if (size == 0) return;
        for (int i = 0; i + size <= value.Length; i += size) value.Slice(i, size).Reverse();
    }

    private static DicomReadResult Truncated(string label, long offset) =>
        DicomReadResult.Failure(new(label, offset, null, DicomReadErrorReason.Truncated));
}
