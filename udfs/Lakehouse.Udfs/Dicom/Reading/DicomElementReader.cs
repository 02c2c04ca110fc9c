using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Lakehouse.Udfs.Dicom.Reading;

/// <summary>What the last <see cref="DicomElementReader.Read"/> found.</summary>
public enum DicomTokenType : byte
{
    /// <summary>Nothing read yet.</summary>
    None,
    /// <summary>An element with a value (<see cref="DicomElementReader.ValueSpan"/>).</summary>
    Element,
    /// <summary>A sequence starts; its items follow.</summary>
    SequenceStart,
    /// <summary>An item starts; its elements follow.</summary>
    ItemStart,
    /// <summary>An item ends (a delimiter, or the end of a defined length).</summary>
    ItemEnd,
    /// <summary>A sequence ends (a delimiter, or the end of a defined length).</summary>
    SequenceEnd,
}

/// <summary>The encoding and nesting a <see cref="DicomElementReader"/> resumes from.</summary>
public struct DicomReaderState
{
    internal const int MaxFrames = 130;

    internal bool ExplicitVR;
    internal bool BigEndian;
    internal int Depth;
    internal int SequenceDepth;
    internal FrameStack Frames;

    /// <summary>Starts at the top level of a data set with this encoding.</summary>
    public DicomReaderState(bool explicitVR, bool bigEndian)
    {
        ExplicitVR = explicitVR;
        BigEndian = bigEndian;
    }

    /// <summary>The number of open sequences.</summary>
    public readonly int SequenceDepthValue => SequenceDepth;
}

internal struct Frame
{
    public long End; // -1: undefined length
    public bool IsSequence;
    public bool OuterExplicitVR;
    public bool OuterBigEndian;
}

[InlineArray(DicomReaderState.MaxFrames)]
internal struct FrameStack
{
    private Frame _first;
}

/// <summary>
/// A forward-only, allocation-free reader of DICOM elements over a buffer, modelled on Utf8JsonReader.
/// It reports elements, sequence and item boundaries (synthesizing ends of defined-length containers), stops
/// before the stop tag at the top level, and reports malformed input as
/// <see cref="Error"/> instead of throwing. <see cref="Read"/> returns false at the end, at the stop tag,
/// on error, or when the buffer ends mid-structure (then <see cref="Error"/> is Truncated and a caller with more
/// data can retry on a longer buffer).
/// </summary>
public ref struct DicomElementReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly long _baseOffset;
    private readonly uint _stopBefore;
    private readonly int _maxSequenceDepth;
    private readonly int _onlyGroup;
    private DicomReaderState _state;
    private int _pos;

    /// <summary>
    /// Reads <paramref name="buffer"/>, whose first byte is at <paramref name="baseOffset"/> in the file, stopping at the
    /// top level before <paramref name="stopBeforeTag"/> or (when <paramref name="onlyGroup"/> is not -1) before any other group.
    /// </summary>
    public DicomElementReader(ReadOnlySpan<byte> buffer, DicomReaderState state, long baseOffset = 0, DicomTag? stopBeforeTag = null,
        int maxSequenceDepth = 32, int onlyGroup = -1)
    {
        _onlyGroup = onlyGroup;
        _buffer = buffer;
        _state = state;
        _baseOffset = baseOffset;
        _stopBefore = stopBeforeTag?.Value ?? uint.MaxValue;
        _maxSequenceDepth = Math.Min(maxSequenceDepth, DicomReaderState.MaxFrames / 2 - 1);
    }

    /// <summary>The kind of the last token.</summary>
    public DicomTokenType TokenType { get; private set; }
    /// <summary>The tag of the last element or sequence.</summary>
    public DicomTag Tag { get; private set; }
    /// <summary>The VR of the last element (from the data for explicit VR, from the dictionary for implicit VR).</summary>
    public DicomVR VR { get; private set; }
    /// <summary>The value length as encoded; 0xFFFFFFFF for undefined length.</summary>
    public uint ValueLength { get; private set; }
    /// <summary>Where the last element's value starts in the buffer.</summary>
    public int ValueStart { get; private set; }
    /// <summary>The value bytes of the last element (for encapsulated data, all its items including delimiter).</summary>
    public readonly ReadOnlySpan<byte> ValueSpan => TokenType == DicomTokenType.Element ? _buffer.Slice(ValueStart, ValueSpanLength) : default;
    private int ValueSpanLength { get; set; }
    /// <summary>File offset of the last token's first byte.</summary>
    public long ElementStartOffset { get; private set; }
    /// <summary>Bytes of the buffer consumed so far.</summary>
    public readonly int BytesConsumed => _pos;
    /// <summary>True when reading ended at the stop tag.</summary>
    public bool Stopped { get; private set; }
    /// <summary>The failure that ended reading, if any.</summary>
    public DicomReadErrorReason? Error { get; private set; }
    /// <summary>File offset of the failure.</summary>
    public long ErrorOffset { get; private set; }
    /// <summary>The current encoding and nesting.</summary>
    public readonly DicomReaderState CurrentState => _state;
    /// <summary>Whether values are explicit VR at the current position (false inside a UN sequence).</summary>
    public readonly bool IsExplicitVR => _state.ExplicitVR;
    /// <summary>Whether the current element is big endian (false inside a UN sequence of a big-endian file).</summary>
    public readonly bool IsBigEndian => _state.BigEndian;
    /// <summary>Number of open sequences and items.</summary>
    public readonly int Depth => _state.Depth;

    /// <summary>Advances to the next token; false at the end, at the stop tag, or on error.</summary>
    public bool Read()
    {
        if (Error is not null || Stopped) return false;
        ref var st = ref _state;
        if (st.Depth > 0)
        {
            ref var top = ref st.Frames[st.Depth - 1];
            if (top.End >= 0 && _pos >= top.End)
            {
                if (_pos > top.End) return Fail(DicomReadErrorReason.InvalidLength, _pos);
                ElementStartOffset = _baseOffset + _pos;
                return Pop(top.IsSequence ? DicomTokenType.SequenceEnd : DicomTokenType.ItemEnd);
            }
        }
        int remaining = _buffer.Length - _pos;
        if (remaining == 0)
        {
            if (st.Depth > 0) return Fail(DicomReadErrorReason.Truncated, _pos);
            TokenType = DicomTokenType.None;
            return false;
        }
        if (remaining < 8) return Fail(DicomReadErrorReason.Truncated, _pos);
        var head = _buffer.Slice(_pos);
        ushort group = U16(head);
        ushort element = U16(head[2..]);
        var tag = new DicomTag(group, element);
        Tag = tag;
        ElementStartOffset = _baseOffset + _pos;
        bool inSequence = st.Depth > 0 && st.Frames[st.Depth - 1].IsSequence;

        if (group == 0xFFFE)
        {
            uint len = U32(head[4..]);
            switch (element)
            {
                case 0xE000:
                    if (!inSequence) return Fail(DicomReadErrorReason.InvalidStructure, _pos);
                    _pos += 8;
                    return Push(isSequence: false, len, DicomTokenType.ItemStart, st.ExplicitVR);
                case 0xE00D:
                    if (st.Depth == 0 || inSequence || st.Frames[st.Depth - 1].End >= 0) return Fail(DicomReadErrorReason.InvalidStructure, _pos);
                    _pos += 8;
                    return Pop(DicomTokenType.ItemEnd);
                case 0xE0DD:
                    if (!inSequence || st.Frames[st.Depth - 1].End >= 0) return Fail(DicomReadErrorReason.InvalidStructure, _pos);
                    _pos += 8;
                    return Pop(DicomTokenType.SequenceEnd);
                default:
                    return Fail(DicomReadErrorReason.InvalidStructure, _pos);
            }
        }
        if (inSequence) return Fail(DicomReadErrorReason.InvalidStructure, _pos);
        if (st.Depth == 0 && (tag.Value >= _stopBefore || (_onlyGroup >= 0 && group != _onlyGroup)))
        {
            Stopped = true;
            TokenType = DicomTokenType.None;
            return false;
        }

        DicomVR vr;
        uint length;
        int headerSize;
        if (st.ExplicitVR)
        {
            vr = DicomVRInfo.FromBytes(head[4], head[5]);
            if (vr == DicomVR.None) return Fail(DicomReadErrorReason.InvalidVR, _pos);
            if (DicomVRInfo.HasLongLength(vr))
            {
                if (remaining < 12) return Fail(DicomReadErrorReason.Truncated, _pos);
                length = U32(head[8..]);
                headerSize = 12;
            }
            else
            {
                length = U16(head[6..]);
                headerSize = 8;
            }
        }
        else
        {
            vr = DicomDictionary.ImplicitVR(tag);
            length = U32(head[4..]);
            headerSize = 8;
        }
        VR = vr;
        ValueLength = length;
        int valueStart = _pos + headerSize;

        if (length == 0xFFFFFFFF)
        {
            if (vr == DicomVR.SQ || vr == DicomVR.UN || !st.ExplicitVR)
            {
                if (tag == DicomTags.PixelData) return ReadEncapsulated(valueStart);
                // PS3.5 6.2.2: a UN of undefined length is a sequence encoded as Implicit VR Little Endian.
                bool innerExplicit = vr == DicomVR.SQ && st.ExplicitVR;
                VR = DicomVR.SQ;
                _pos = valueStart;
                bool outer = st.ExplicitVR, outerBigEndian = st.BigEndian;
                st.ExplicitVR = innerExplicit;
                if (!innerExplicit) st.BigEndian = false; // implicit VR is always little endian
                return Push(isSequence: true, length, DicomTokenType.SequenceStart, outer, outerBigEndian);
            }
            if (vr is DicomVR.OB or DicomVR.OW) return ReadEncapsulated(valueStart);
            return Fail(DicomReadErrorReason.InvalidLength, _pos);
        }
        if (vr == DicomVR.SQ)
        {
            _pos = valueStart;
            return Push(isSequence: true, length, DicomTokenType.SequenceStart, st.ExplicitVR);
        }
        if (length > (uint)(_buffer.Length - valueStart)) return Fail(DicomReadErrorReason.Truncated, _pos);
        if (st.Depth > 0 && st.Frames[st.Depth - 1].End >= 0 && valueStart + (long)length > st.Frames[st.Depth - 1].End)
            return Fail(DicomReadErrorReason.InvalidLength, _pos);
        ValueStart = valueStart;
        ValueSpanLength = (int)length;
        _pos = valueStart + (int)length;
        TokenType = DicomTokenType.Element;
        return true;
    }

    // Encapsulated pixel data: items of fragments up to a sequence delimiter; returned whole, never decoded.
    private bool ReadEncapsulated(int valueStart)
    {
        int p = valueStart;
        while (true)
        {
            if (_buffer.Length - p < 8) return Fail(DicomReadErrorReason.Truncated, p);
            var h = _buffer.Slice(p);
            ushort g = U16(h), e = U16(h[2..]);
            uint len = U32(h[4..]);
            if (g != 0xFFFE) return Fail(DicomReadErrorReason.InvalidStructure, p);
            p += 8;
            if (e == 0xE0DD) break;
            if (e != 0xE000 || len == 0xFFFFFFFF) return Fail(DicomReadErrorReason.InvalidStructure, p - 8);
            if (len > (uint)(_buffer.Length - p)) return Fail(DicomReadErrorReason.Truncated, p - 8);
            p += (int)len;
        }
        ValueStart = valueStart;
        ValueSpanLength = p - valueStart;
        _pos = p;
        TokenType = DicomTokenType.Element;
        return true;
    }

    private bool Push(bool isSequence, uint length, DicomTokenType token, bool outerExplicit, bool? outerBigEndian = null)
    {
        ref var st = ref _state;
        if (isSequence && ++st.SequenceDepth > _maxSequenceDepth) return Fail(DicomReadErrorReason.TooDeep, (int)(ElementStartOffset - _baseOffset));
        if (st.Depth >= DicomReaderState.MaxFrames) return Fail(DicomReadErrorReason.TooDeep, (int)(ElementStartOffset - _baseOffset));
        long end = -1;
        if (length != 0xFFFFFFFF)
        {
            end = _pos + (long)length;
            if (end > _buffer.Length) return Fail(DicomReadErrorReason.Truncated, (int)(ElementStartOffset - _baseOffset));
            if (st.Depth > 0 && st.Frames[st.Depth - 1].End >= 0 && end > st.Frames[st.Depth - 1].End)
                return Fail(DicomReadErrorReason.InvalidLength, (int)(ElementStartOffset - _baseOffset));
        }
        st.Frames[st.Depth++] = new Frame { End = end, IsSequence = isSequence, OuterExplicitVR = outerExplicit, OuterBigEndian = outerBigEndian ?? st.BigEndian };
        ValueLength = length;
        TokenType = token;
        return true;
    }

    private bool Pop(DicomTokenType token)
    {
        ref var st = ref _state;
        ref var top = ref st.Frames[--st.Depth];
        if (top.IsSequence) st.SequenceDepth--;
        st.ExplicitVR = top.OuterExplicitVR;
        st.BigEndian = top.OuterBigEndian;
        TokenType = token;
        return true;
    }

    private bool Fail(DicomReadErrorReason reason, int position)
    {
        Error = reason;
        ErrorOffset = _baseOffset + position;
        TokenType = DicomTokenType.None;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly ushort U16(ReadOnlySpan<byte> s) =>
        _state.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly uint U32(ReadOnlySpan<byte> s) =>
        _state.BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
}
