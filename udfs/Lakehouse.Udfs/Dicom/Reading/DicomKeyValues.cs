using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace Lakehouse.Udfs.Dicom.Reading;

/// <summary>
/// The key attributes of one instance as bronze column values, as the one extraction writes them: text as UTF-8 (exactly
/// the UTF-8 of the string <see cref="DicomKeyAttributes"/> holds; empty means null), dates, times and numbers typed.
/// Ingestion copies them into its columns with no string per value; <see cref="ToAttributes"/> gives the strings.
/// Read a column with the accessor of its <see cref="DicomKeyColumn.Kind"/> at its <see cref="DicomKeyColumn.Slot"/>.
/// </summary>
public sealed class DicomKeyValues
{
    /// <summary>Text columns; typed columns of one kind are at most <see cref="TypedPerKind"/>.</summary>
    internal const int TextColumns = 21, TypedPerKind = 4;

    private static readonly DicomKeyColumn[] Columns = [.. DicomKeyAttributes.BronzeColumns];
    private static readonly int SopInstanceUidSlot = ColumnOf(DicomTags.SOPInstanceUID).Slot;

    static DicomKeyValues()
    {
        // The fixed-size storage below must match the column list.
        if (Columns.Count(c => c.Kind == DicomKeyValueKind.Text) != TextColumns
            || Columns.Any(c => c.Kind != DicomKeyValueKind.Text && c.Slot >= TypedPerKind))
            throw new InvalidOperationException("DicomKeyValues storage does not match DicomKeyAttributes.BronzeColumns");
    }

    private byte[] _text = [];
    private TextEnds _ends; // per text slot: where its bytes end in _text (they start where the previous slot's end)
    private Typed _dates, _times, _decimals, _integers; // day numbers, ticks, double bits, integers
    private uint _present; // typed values present: bit (kind * TypedPerKind + slot)
    private double _pixelRow, _pixelColumn;

    private DicomKeyValues() { }

    /// <summary>The UTF-8 bytes of text column <paramref name="slot"/>; empty when the value is null.</summary>
    public ReadOnlySpan<byte> Text(int slot)
    {
        int start = slot == 0 ? 0 : _ends[slot - 1];
        return _text.AsSpan(start, _ends[slot] - start);
    }

    /// <summary>SOP Instance UID (0008,0018) as UTF-8; empty when absent.</summary>
    public ReadOnlySpan<byte> SopInstanceUid => Text(SopInstanceUidSlot);

    /// <summary>Date column <paramref name="slot"/>.</summary>
    public DateOnly? Date(int slot) => Has(DicomKeyValueKind.Date, slot) ? DateOnly.FromDayNumber((int)_dates[slot]) : null;

    /// <summary>Time column <paramref name="slot"/>.</summary>
    public TimeOnly? Time(int slot) => Has(DicomKeyValueKind.Time, slot) ? new TimeOnly(_times[slot]) : null;

    /// <summary>Decimal column <paramref name="slot"/>.</summary>
    public double? Decimal(int slot) => Has(DicomKeyValueKind.Decimal, slot) ? BitConverter.Int64BitsToDouble(_decimals[slot]) : null;

    /// <summary>Integer column <paramref name="slot"/>.</summary>
    public int? Integer(int slot) => Has(DicomKeyValueKind.Integer, slot) ? (int)_integers[slot] : null;

    /// <summary>Pixel Spacing (0028,0030): row spacing then column spacing in mm; false when it is null.</summary>
    public bool TryGetPixelSpacing(out double row, out double column)
    {
        (row, column) = (_pixelRow, _pixelColumn);
        return Has(DicomKeyValueKind.PixelSpacing, 0);
    }

    private bool Has(DicomKeyValueKind kind, int slot) => (_present & (1u << ((int)kind * TypedPerKind + slot))) != 0;

    private void Set(DicomKeyValueKind kind, int slot, long? value, ref Typed into)
    {
        if (value is not { } v) return;
        into[slot] = v;
        _present |= 1u << ((int)kind * TypedPerKind + slot);
    }

    /// <summary>The same values as strings and typed properties.</summary>
    public DicomKeyAttributes ToAttributes() => new()
    {
        PatientId = String(DicomTags.PatientID),
        PatientName = String(DicomTags.PatientName),
        IssuerOfPatientId = String(DicomTags.IssuerOfPatientID),
        OtherPatientIds = String(DicomTags.OtherPatientIDs),
        PatientBirthDate = Date(ColumnOf(DicomTags.PatientBirthDate).Slot),
        PatientSex = String(DicomTags.PatientSex),
        PatientAge = String(DicomTags.PatientAge),
        StudyInstanceUid = String(DicomTags.StudyInstanceUID),
        SeriesInstanceUid = String(DicomTags.SeriesInstanceUID),
        SopInstanceUid = String(DicomTags.SOPInstanceUID),
        SopClassUid = String(DicomTags.SOPClassUID),
        AccessionNumber = String(DicomTags.AccessionNumber),
        Modality = String(DicomTags.Modality),
        StudyDate = Date(ColumnOf(DicomTags.StudyDate).Slot),
        StudyTime = Time(ColumnOf(DicomTags.StudyTime).Slot),
        SeriesDate = Date(ColumnOf(DicomTags.SeriesDate).Slot),
        AcquisitionDate = Date(ColumnOf(DicomTags.AcquisitionDate).Slot),
        AcquisitionTime = Time(ColumnOf(DicomTags.AcquisitionTime).Slot),
        StudyDescription = String(DicomTags.StudyDescription),
        SeriesDescription = String(DicomTags.SeriesDescription),
        Manufacturer = String(DicomTags.Manufacturer),
        ManufacturerModelName = String(DicomTags.ManufacturerModelName),
        InstitutionName = String(DicomTags.InstitutionName),
        StationName = String(DicomTags.StationName),
        BodyPartExamined = String(DicomTags.BodyPartExamined),
        SliceThickness = Decimal(ColumnOf(DicomTags.SliceThickness).Slot),
        PixelSpacing = TryGetPixelSpacing(out double row, out double column) ? [row, column] : null,
        Rows = Integer(ColumnOf(DicomTags.Rows).Slot),
        Columns = Integer(ColumnOf(DicomTags.Columns).Slot),
        NumberOfFrames = Integer(ColumnOf(DicomTags.NumberOfFrames).Slot),
        TransferSyntaxUid = String(DicomTags.TransferSyntaxUID),
        SpecificCharacterSet = String(DicomTags.SpecificCharacterSet),
    };

    private string? String(DicomTag tag)
    {
        var utf8 = Text(ColumnOf(tag).Slot);
        return utf8.IsEmpty ? null : Encoding.UTF8.GetString(utf8);
    }

    private static DicomKeyColumn ColumnOf(DicomTag tag) => Array.Find(Columns, c => c.Tag == tag)!;

    /// <summary>Extracts the key values from a data set (and its File Meta Information for the transfer syntax).</summary>
    public static DicomKeyValues From(DicomDataset meta, DicomDataset dataset, DicomTransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(syntax);
        string? transferSyntaxUid = meta.TryGet(DicomTags.TransferSyntaxUID, out var ts)
            ? TransferSyntaxColumn(ts.Value.Span, ts.VR, syntax)
            : syntax.Uid;
        return From(dataset, transferSyntaxUid);
    }

    /// <summary>Extracts the key values from a data set; <paramref name="transferSyntaxUid"/> is the transfer syntax column's value.</summary>
    internal static DicomKeyValues From(DicomDataset dataset, string? transferSyntaxUid)
    {
        // Gathers the key elements' values into one pooled buffer and runs the one extraction over them.
        Span<DicomKeyElement> keys = stackalloc DicomKeyElement[DicomKeyAttributes.KeyTags.Length];
        int count = 0, total = 0;
        foreach (uint tag in DicomKeyAttributes.KeyTags)
        {
            if (!dataset.TryGet(new DicomTag(tag), out var e)) continue;
            keys[count++] = new DicomKeyElement(tag, e.VR, total, e.Value.Length);
            total += e.Value.Length;
        }
        byte[] values = ArrayPool<byte>.Shared.Rent(total);
        try
        {
            foreach (var k in keys[..count])
            {
                dataset.TryGet(new DicomTag(k.Tag), out var e);
                e!.Value.Span.CopyTo(values.AsSpan(k.Start));
            }
            return From(keys[..count], values.AsSpan(0, total), DicomKeyAttributes.CharacterSetOf(dataset), transferSyntaxUid);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(values);
        }
    }

    [ThreadStatic] private static Utf8Text? t_text;

    /// <summary>
    /// The one extraction of the key attributes: from the data set's key elements (top level, ascending tags, values
    /// little endian in <paramref name="values"/>), decoded with <paramref name="characterSet"/> (the data set's own);
    /// the transfer syntax column takes <paramref name="transferSyntaxUid"/> (see <see cref="TransferSyntaxColumn"/>).
    /// Each column takes its value by its <see cref="DicomKeyRule"/>.
    /// </summary>
    internal static DicomKeyValues From(ReadOnlySpan<DicomKeyElement> elements, ReadOnlySpan<byte> values,
        DicomCharacterSet characterSet, string? transferSyntaxUid)
    {
        var keys = new KeyElements(elements, values, characterSet);
        var text = t_text ??= new Utf8Text();
        text.Clear();
        var kv = new DicomKeyValues();
        int textSlot = 0;
        foreach (var column in Columns)
        {
            var tag = column.Tag;
            int slot = column.Slot;
            switch (column.Rule)
            {
                case DicomKeyRule.Text: keys.Text(tag, text); break;
                case DicomKeyRule.Joined: keys.Joined(tag, text); break;
                case DicomKeyRule.PersonName: keys.PersonName(tag, text); break;
                case DicomKeyRule.TransferSyntax: text.Append(transferSyntaxUid); break;
                case DicomKeyRule.Date: kv.Set(DicomKeyValueKind.Date, slot, keys.Date(tag)?.DayNumber, ref kv._dates); continue;
                case DicomKeyRule.Time: kv.Set(DicomKeyValueKind.Time, slot, keys.Time(tag)?.Ticks, ref kv._times); continue;
                case DicomKeyRule.Decimal:
                    kv.Set(DicomKeyValueKind.Decimal, slot, keys.Decimal(tag) is { } d ? BitConverter.DoubleToInt64Bits(d) : null, ref kv._decimals);
                    continue;
                case DicomKeyRule.Integer: kv.Set(DicomKeyValueKind.Integer, slot, keys.Integer(tag), ref kv._integers); continue;
                case DicomKeyRule.IntegerString: kv.Set(DicomKeyValueKind.Integer, slot, keys.IntegerString(tag), ref kv._integers); continue;
                case DicomKeyRule.PixelSpacing:
                    if (keys.PixelSpacing(out kv._pixelRow, out kv._pixelColumn)) kv._present |= 1u << ((int)DicomKeyValueKind.PixelSpacing * TypedPerKind);
                    continue;
            }
            kv._ends[textSlot++] = text.Length; // a text column: its bytes end here
        }
        if (text.Length > 0) kv._text = text.Written.ToArray();
        return kv;
    }

    /// <summary>
    /// The transfer syntax column's value for a file whose File Meta Information names one: the first value of its
    /// Transfer Syntax UID element (<paramref name="value"/>, as encoded with <paramref name="vr"/>), trimmed; the syntax
    /// read with (<paramref name="syntax"/>) names the usual value without a new string. A file without the element takes
    /// <paramref name="syntax"/>'s UID.
    /// </summary>
    internal static string? TransferSyntaxColumn(ReadOnlySpan<byte> value, DicomVR vr, DicomTransferSyntax syntax)
    {
        Span<char> buffer = stackalloc char[CharBufferLength];
        var uid = FirstValue(value, vr == DicomVR.UN ? DicomVR.UI : vr, null, buffer, out string? decoded);
        if (uid.IsEmpty) return null;
        return uid.SequenceEqual(syntax.Uid) ? syntax.Uid : AsString(uid, decoded); // the usual case: no new string
    }

    private const int CharBufferLength = 256; // key values are short (LO is 64 characters); longer ones decode to a string
    private const int ShortBufferLength = 64; // dates, times and numbers: a stack buffer is zeroed per call, so no bigger than needed

    // The key elements of one data set, looked up by tag; a known attribute encoded as UN is decoded with its dictionary VR.
    private readonly ref struct KeyElements(ReadOnlySpan<DicomKeyElement> elements, ReadOnlySpan<byte> values, DicomCharacterSet cs)
    {
        private readonly ReadOnlySpan<DicomKeyElement> _elements = elements;
        private readonly ReadOnlySpan<byte> _values = values;
        private readonly DicomCharacterSet _cs = cs;

        private bool TryGet(DicomTag tag, out DicomVR vr, out ReadOnlySpan<byte> value)
        {
            int lo = 0, hi = _elements.Length - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                var e = _elements[mid];
                if (e.Tag == tag.Value)
                {
                    vr = e.VR == DicomVR.UN && DicomDictionary.TryGet(tag, out var entry) && entry.VR is not (DicomVR.SQ or DicomVR.UN) ? entry.VR : e.VR;
                    value = _values.Slice(e.Start, e.Length);
                    return true;
                }
                if (e.Tag < tag.Value) lo = mid + 1;
                else hi = mid - 1;
            }
            vr = DicomVR.UN;
            value = default;
            return false;
        }

        /// <summary>The first value, trimmed (nothing when absent or empty).</summary>
        public void Text(DicomTag tag, Utf8Text output)
        {
            if (!TryGet(tag, out var vr, out var value)) return;
            if (TryFirstValueBytes(value, vr, _cs, out var bytes))
            {
                output.AppendLatin1(bytes);
                return;
            }
            Span<char> buffer = stackalloc char[CharBufferLength];
            output.Append(FirstValue(value, vr, _cs, buffer, out _));
        }

        /// <summary>All values, each trimmed, joined with backslashes (nothing when absent or when that is empty).</summary>
        public void Joined(DicomTag tag, Utf8Text output)
        {
            if (!TryGet(tag, out var vr, out var value)) return;
            Span<char> buffer = stackalloc char[CharBufferLength];
            var text = Decode(value, vr, _cs, buffer, out _);
            if (DicomValues.IsSingleValuedText(vr))
            {
                output.Append(DicomValues.Trim(text, vr));
                return;
            }
            // The values as GetStrings splits and trims them (it decodes the same text), joined again.
            bool first = true;
            foreach (var range in text.Split('\\'))
            {
                if (!first) output.Append("\\");
                output.Append(DicomValues.Trim(text[range], vr));
                first = false;
            }
        }

        /// <summary>The first value as a person name without trailing empty components and groups (nothing when that is empty).</summary>
        public void PersonName(DicomTag tag, Utf8Text output)
        {
            if (!TryGet(tag, out var vr, out var value)) return;
            Span<char> buffer = stackalloc char[CharBufferLength];
            var text = FirstValue(value, vr, _cs, buffer, out _);
            if (text.IsEmpty) return;
            Span<char> normalized = text.Length <= CharBufferLength ? stackalloc char[CharBufferLength] : new char[text.Length];
            output.Append(DicomValues.NormalizePersonName(text, normalized));
        }

        public DateOnly? Date(DicomTag tag)
        {
            if (!TryGet(tag, out var vr, out var value)) return null;
            Span<char> buffer = stackalloc char[ShortBufferLength];
            var text = FirstValue(value, vr, _cs, buffer, out _);
            return text.IsEmpty ? null : DicomValues.ParseDate(text);
        }

        public TimeOnly? Time(DicomTag tag)
        {
            if (!TryGet(tag, out var vr, out var value)) return null;
            Span<char> buffer = stackalloc char[ShortBufferLength];
            var text = FirstValue(value, vr, _cs, buffer, out _);
            return text.IsEmpty ? null : DicomValues.ParseTime(text);
        }

        public double? Decimal(DicomTag tag)
        {
            if (!TryGet(tag, out var vr, out var value)) return null;
            Span<char> buffer = stackalloc char[ShortBufferLength];
            return DicomValues.ParseDecimal(FirstValue(value, vr, _cs, buffer, out _));
        }

        /// <summary>An IS value (Number of Frames), as the first value of its text.</summary>
        public int? IntegerString(DicomTag tag)
        {
            if (!TryGet(tag, out var vr, out var value)) return null;
            Span<char> buffer = stackalloc char[ShortBufferLength];
            return (int?)DicomValues.ParseInteger(FirstValue(value, vr, _cs, buffer, out _));
        }

        /// <summary>A binary integer (US/SS/UL/SL, clamped to int) or an IS value; Rows is US but archives hold IS too.</summary>
        public int? Integer(DicomTag tag)
        {
            if (!TryGet(tag, out var vr, out var value)) return null;
            if (vr is DicomVR.US or DicomVR.SS or DicomVR.UL or DicomVR.SL && DicomValues.BinaryCount(value.Length, vr) > 0)
                return (int)Math.Clamp(DicomValues.GetInteger(value, vr, 0), int.MinValue, int.MaxValue);
            if (vr != DicomVR.IS) return null;
            Span<char> buffer = stackalloc char[CharBufferLength];
            return (int?)DicomValues.ParseInteger(FirstValue(value, vr, null, buffer, out _));
        }

        /// <summary>Pixel Spacing: exactly two decimal values, else false. Read as Latin-1 text whatever its VR, as DS when UN.</summary>
        public bool PixelSpacing(out double row, out double column)
        {
            (row, column) = (0, 0);
            if (!TryGet(DicomTags.PixelSpacing, out var vr, out var value)) return false;
            Span<char> buffer = stackalloc char[CharBufferLength];
            var text = Decode(value, vr, null, buffer, out _);
            if (text.IsEmpty || DicomValues.IsSingleValuedText(vr)) return false;
            int split = text.IndexOf('\\');
            if (split < 0 || text[(split + 1)..].Contains('\\')) return false;
            if (DicomValues.ParseDecimal(DicomValues.Trim(text[..split], vr)) is not { } r
                || DicomValues.ParseDecimal(DicomValues.Trim(text[(split + 1)..], vr)) is not { } c) return false;
            (row, column) = (r, c);
            return true;
        }
    }

    /// <summary>
    /// A value's text as <see cref="DicomValues.GetStrings(ReadOnlySpan{byte}, DicomVR, DicomCharacterSet?)"/> decodes it
    /// (Latin-1 for ASCII VRs or without a character set), before splitting and trimming: widened into
    /// <paramref name="buffer"/> when that gives the same characters and fits, else decoded into <paramref name="decoded"/>.
    /// </summary>
    private static ReadOnlySpan<char> Decode(ReadOnlySpan<byte> value, DicomVR vr, DicomCharacterSet? cs, Span<char> buffer, out string? decoded)
    {
        decoded = null;
        if (value.IsEmpty) return [];
        // Latin-1 maps each byte to the same code point; so does any set here but Shift-JIS for ASCII without escapes.
        bool latin1 = DicomVRInfo.IsAsciiText(vr) || cs is null;
        if (latin1 || (cs!.DecodesAsciiAsAscii && Ascii.IsValid(value) && value.IndexOf((byte)0x1B) < 0))
        {
            if (value.Length <= buffer.Length) return buffer[..Encoding.Latin1.GetChars(value, buffer)];
            return decoded = Encoding.Latin1.GetString(value);
        }
        return decoded = cs.Decode(value, vr == DicomVR.PN);
    }

    /// <summary>
    /// The first value of a text element, trimmed, as bytes, when decoding maps each byte to the same character (as
    /// <see cref="Decode"/> finds): then splitting and trimming the bytes is splitting and trimming the text, and the
    /// value becomes a string in one step. False when the value must be decoded first.
    /// </summary>
    private static bool TryFirstValueBytes(ReadOnlySpan<byte> value, DicomVR vr, DicomCharacterSet? cs, out ReadOnlySpan<byte> first)
    {
        first = default;
        bool latin1 = DicomVRInfo.IsAsciiText(vr) || cs is null;
        if (!latin1 && !(cs!.DecodesAsciiAsAscii && Ascii.IsValid(value) && value.IndexOf((byte)0x1B) < 0)) return false;
        if (!DicomValues.IsSingleValuedText(vr) && value.IndexOf((byte)'\\') is >= 0 and int end) value = value[..end];
        first = DicomValues.Trim(value, vr);
        return true;
    }

    /// <summary>The first value of a text element, trimmed, as GetStrings(...)[0] (empty when it has none).</summary>
    private static ReadOnlySpan<char> FirstValue(ReadOnlySpan<byte> value, DicomVR vr, DicomCharacterSet? cs, Span<char> buffer, out string? decoded)
    {
        var text = Decode(value, vr, cs, buffer, out decoded);
        if (!DicomValues.IsSingleValuedText(vr) && text.IndexOf('\\') is >= 0 and int end) text = text[..end];
        return DicomValues.Trim(text, vr);
    }

    // The decoded string itself when the span is all of it, else a new string.
    private static string AsString(ReadOnlySpan<char> text, string? decoded) =>
        decoded is not null && text.Length == decoded.Length ? decoded : text.ToString();

    [InlineArray(TextColumns)]
    private struct TextEnds { private int _element; }

    [InlineArray(TypedPerKind)]
    private struct Typed { private long _element; }

    /// <summary>The UTF-8 text of one instance's key values as the extraction writes it (one per thread, reused).</summary>
    internal sealed class Utf8Text
    {
        private byte[] _buffer = new byte[1024];

        public int Length { get; private set; }

        public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

        public void Clear() => Length = 0;

        /// <summary>Text whose characters are these bytes' Latin-1 code points.</summary>
        public void AppendLatin1(ReadOnlySpan<byte> latin1)
        {
            if (Ascii.IsValid(latin1))
            {
                latin1.CopyTo(Room(latin1.Length));
                Length += latin1.Length;
                return;
            }
            var to = Room(latin1.Length * 2);
            int n = 0;
            foreach (byte b in latin1)
            {
                if (b < 0x80) to[n++] = b;
                else
                {
                    to[n++] = (byte)(0xC0 | (b >> 6));
                    to[n++] = (byte)(0x80 | (b & 0x3F));
                }
            }
            Length += n;
        }

        /// <summary>Text as UTF-8 (a lone surrogate becomes U+FFFD, as in the UTF-8 of the string).</summary>
        public void Append(ReadOnlySpan<char> text) => Length += Encoding.UTF8.GetBytes(text, Room(Encoding.UTF8.GetMaxByteCount(text.Length)));

        private Span<byte> Room(int bytes)
        {
            if (_buffer.Length - Length < bytes) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + bytes));
            return _buffer.AsSpan(Length);
        }
    }
}
