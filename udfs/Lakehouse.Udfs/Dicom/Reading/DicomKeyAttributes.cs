using System.Buffers;
using System.Text;

namespace Lakehouse.Udfs.Dicom.Reading;

/// <summary>One bronze column built from a key attribute.</summary>
/// <param name="ColumnName">The snake_case column name (the attribute keyword in snake_case).</param>
/// <param name="Tag">The attribute it comes from.</param>
/// <param name="ClrType">The property type: string, DateOnly?, TimeOnly?, double?, int? or double[].</param>
/// <param name="Restricted">True for identifying values (names, ids, birth date, UIDs, accession) that may only land in restricted tables.</param>
/// <param name="Get">Reads the value from a record.</param>
public sealed record DicomKeyColumn(string ColumnName, DicomTag Tag, Type ClrType, bool Restricted, Func<DicomKeyAttributes, object?> Get);

/// <summary>
/// The typed key attributes of an instance that become bronze columns. Text is decoded with the Specific
/// Character Set and trimmed; dates and times that do not parse are null here and still present raw in the JSON.
/// </summary>
public sealed record DicomKeyAttributes
{
    /// <summary>Patient ID (0010,0020).</summary>
    public string? PatientId { get; init; }
    /// <summary>Patient's Name (0010,0010), all component groups as encoded ("Alphabetic=Ideographic=Phonetic"). Restricted.</summary>
    public string? PatientName { get; init; }
    /// <summary>Issuer of Patient ID (0010,0021).</summary>
    public string? IssuerOfPatientId { get; init; }
    /// <summary>Other Patient IDs (0010,1000), retired but present in archives; backslash-joined values.</summary>
    public string? OtherPatientIds { get; init; }
    /// <summary>Patient's Birth Date (0010,0030).</summary>
    public DateOnly? PatientBirthDate { get; init; }
    /// <summary>Patient's Sex (0010,0040).</summary>
    public string? PatientSex { get; init; }
    /// <summary>Patient's Age (0010,1010), as encoded (nnnD/W/M/Y).</summary>
    public string? PatientAge { get; init; }
    /// <summary>Study Instance UID (0020,000D).</summary>
    public string? StudyInstanceUid { get; init; }
    /// <summary>Series Instance UID (0020,000E).</summary>
    public string? SeriesInstanceUid { get; init; }
    /// <summary>SOP Instance UID (0008,0018).</summary>
    public string? SopInstanceUid { get; init; }
    /// <summary>SOP Class UID (0008,0016).</summary>
    public string? SopClassUid { get; init; }
    /// <summary>Accession Number (0008,0050).</summary>
    public string? AccessionNumber { get; init; }
    /// <summary>Modality (0008,0060).</summary>
    public string? Modality { get; init; }
    /// <summary>Study Date (0008,0020).</summary>
    public DateOnly? StudyDate { get; init; }
    /// <summary>Study Time (0008,0030).</summary>
    public TimeOnly? StudyTime { get; init; }
    /// <summary>Series Date (0008,0021).</summary>
    public DateOnly? SeriesDate { get; init; }
    /// <summary>Acquisition Date (0008,0022).</summary>
    public DateOnly? AcquisitionDate { get; init; }
    /// <summary>Acquisition Time (0008,0032).</summary>
    public TimeOnly? AcquisitionTime { get; init; }
    /// <summary>Study Description (0008,1030).</summary>
    public string? StudyDescription { get; init; }
    /// <summary>Series Description (0008,103E).</summary>
    public string? SeriesDescription { get; init; }
    /// <summary>Manufacturer (0008,0070).</summary>
    public string? Manufacturer { get; init; }
    /// <summary>Manufacturer's Model Name (0008,1090).</summary>
    public string? ManufacturerModelName { get; init; }
    /// <summary>Institution Name (0008,0080).</summary>
    public string? InstitutionName { get; init; }
    /// <summary>Station Name (0008,1010).</summary>
    public string? StationName { get; init; }
    /// <summary>Body Part Examined (0018,0015).</summary>
    public string? BodyPartExamined { get; init; }
    /// <summary>Slice Thickness (0018,0050) in mm.</summary>
    public double? SliceThickness { get; init; }
    /// <summary>Pixel Spacing (0028,0030): row spacing then column spacing, in mm; null unless two numbers.</summary>
    public double[]? PixelSpacing { get; init; }
    /// <summary>Rows (0028,0010).</summary>
    public int? Rows { get; init; }
    /// <summary>Columns (0028,0011).</summary>
    public int? Columns { get; init; }
    /// <summary>Number of Frames (0028,0008).</summary>
    public int? NumberOfFrames { get; init; }
    /// <summary>Transfer Syntax UID the data set was read with (from the meta, or detected when there is none).</summary>
    public string? TransferSyntaxUid { get; init; }
    /// <summary>Specific Character Set (0008,0005), backslash-joined defined terms.</summary>
    public string? SpecificCharacterSet { get; init; }

    /// <summary>Every key attribute with its bronze column name, in a stable order.</summary>
    public static IReadOnlyList<DicomKeyColumn> BronzeColumns { get; } =
    [
        new("patient_id", DicomTags.PatientID, typeof(string), true, k => k.PatientId),
        new("patient_name", DicomTags.PatientName, typeof(string), true, k => k.PatientName),
        new("issuer_of_patient_id", DicomTags.IssuerOfPatientID, typeof(string), true, k => k.IssuerOfPatientId),
        new("other_patient_ids", DicomTags.OtherPatientIDs, typeof(string), true, k => k.OtherPatientIds),
        new("patient_birth_date", DicomTags.PatientBirthDate, typeof(DateOnly?), true, k => k.PatientBirthDate),
        new("patient_sex", DicomTags.PatientSex, typeof(string), false, k => k.PatientSex),
        new("patient_age", DicomTags.PatientAge, typeof(string), false, k => k.PatientAge),
        new("study_instance_uid", DicomTags.StudyInstanceUID, typeof(string), true, k => k.StudyInstanceUid),
        new("series_instance_uid", DicomTags.SeriesInstanceUID, typeof(string), true, k => k.SeriesInstanceUid),
        new("sop_instance_uid", DicomTags.SOPInstanceUID, typeof(string), true, k => k.SopInstanceUid),
        new("sop_class_uid", DicomTags.SOPClassUID, typeof(string), false, k => k.SopClassUid),
        new("accession_number", DicomTags.AccessionNumber, typeof(string), true, k => k.AccessionNumber),
        new("modality", DicomTags.Modality, typeof(string), false, k => k.Modality),
        new("study_date", DicomTags.StudyDate, typeof(DateOnly?), true, k => k.StudyDate),
        new("study_time", DicomTags.StudyTime, typeof(TimeOnly?), false, k => k.StudyTime),
        new("series_date", DicomTags.SeriesDate, typeof(DateOnly?), true, k => k.SeriesDate),
        new("acquisition_date", DicomTags.AcquisitionDate, typeof(DateOnly?), true, k => k.AcquisitionDate),
        new("acquisition_time", DicomTags.AcquisitionTime, typeof(TimeOnly?), false, k => k.AcquisitionTime),
        new("study_description", DicomTags.StudyDescription, typeof(string), false, k => k.StudyDescription),
        new("series_description", DicomTags.SeriesDescription, typeof(string), false, k => k.SeriesDescription),
        new("manufacturer", DicomTags.Manufacturer, typeof(string), false, k => k.Manufacturer),
        new("manufacturer_model_name", DicomTags.ManufacturerModelName, typeof(string), false, k => k.ManufacturerModelName),
        new("institution_name", DicomTags.InstitutionName, typeof(string), true, k => k.InstitutionName),
        new("station_name", DicomTags.StationName, typeof(string), true, k => k.StationName),
        new("body_part_examined", DicomTags.BodyPartExamined, typeof(string), false, k => k.BodyPartExamined),
        new("slice_thickness", DicomTags.SliceThickness, typeof(double?), false, k => k.SliceThickness),
        new("pixel_spacing", DicomTags.PixelSpacing, typeof(double[]), false, k => k.PixelSpacing),
        new("rows", DicomTags.Rows, typeof(int?), false, k => k.Rows),
        new("columns", DicomTags.Columns, typeof(int?), false, k => k.Columns),
        new("number_of_frames", DicomTags.NumberOfFrames, typeof(int?), false, k => k.NumberOfFrames),
        new("transfer_syntax_uid", DicomTags.TransferSyntaxUID, typeof(string), false, k => k.TransferSyntaxUid),
        new("specific_character_set", DicomTags.SpecificCharacterSet, typeof(string), false, k => k.SpecificCharacterSet),
    ];

    /// <summary>The tags <see cref="From(DicomDataset, DicomDataset, DicomTransferSyntax)"/> reads from the data set (the transfer syntax comes from the meta), ascending.</summary>
    internal static readonly uint[] KeyTags = BronzeColumns
        .Where(c => c.Tag != DicomTags.TransferSyntaxUID).Select(c => c.Tag.Value).Distinct().Order().ToArray();

    /// <summary>The character set a data set declares (top level).</summary>
    public static DicomCharacterSet CharacterSetOf(DicomDataset dataset) =>
        dataset.TryGet(DicomTags.SpecificCharacterSet, out var cs) ? CharacterSetOf(cs.Value.Span, cs.VR) : DicomCharacterSet.Default;

    // Archives repeat one character set across their files: the last one resolved on this thread is kept with its encoded value.
    [ThreadStatic] private static ResolvedCharacterSet? t_lastCharacterSet;
    private sealed record ResolvedCharacterSet(byte[] Value, DicomVR VR, DicomCharacterSet CharacterSet);

    /// <summary>The character set named by an encoded (0008,0005) value (read as CS when its VR is UN).</summary>
    internal static DicomCharacterSet CharacterSetOf(ReadOnlySpan<byte> value, DicomVR vr)
    {
        if (t_lastCharacterSet is { } last && last.VR == vr && value.SequenceEqual(last.Value)) return last.CharacterSet;
        var cs = DicomCharacterSet.FromTerms(DicomValues.GetStrings(value, vr == DicomVR.UN ? DicomVR.CS : vr, null));
        if (value.Length <= 256) t_lastCharacterSet = new ResolvedCharacterSet(value.ToArray(), vr, cs); // not a malformed giant
        return cs;
    }

    /// <summary>Extracts the key attributes from a data set (and its File Meta Information for the transfer syntax).</summary>
    public static DicomKeyAttributes From(DicomDataset meta, DicomDataset dataset, DicomTransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        // Gathers the key elements' values into one pooled buffer and runs the one extraction over them.
        Span<DicomKeyElement> keys = stackalloc DicomKeyElement[KeyTags.Length];
        int count = 0, total = 0;
        foreach (uint tag in KeyTags)
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
            return From(keys[..count], values.AsSpan(0, total), CharacterSetOf(dataset), meta, syntax);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(values);
        }
    }

    /// <summary>
    /// The one extraction of the key attributes: from the data set's key elements (top level, ascending tags, values
    /// little endian in <paramref name="values"/>), decoded with <paramref name="characterSet"/> (the data set's own),
    /// and the transfer syntax from <paramref name="meta"/> (or <paramref name="syntax"/> when it has none).
    /// </summary>
    internal static DicomKeyAttributes From(ReadOnlySpan<DicomKeyElement> elements, ReadOnlySpan<byte> values,
        DicomCharacterSet characterSet, DicomDataset meta, DicomTransferSyntax syntax)
    {
        var keys = new KeyElements(elements, values, characterSet);
        return new DicomKeyAttributes
        {
            PatientId = keys.Text(DicomTags.PatientID),
            PatientName = keys.PersonName(DicomTags.PatientName),
            IssuerOfPatientId = keys.Text(DicomTags.IssuerOfPatientID),
            OtherPatientIds = keys.Joined(DicomTags.OtherPatientIDs),
            PatientBirthDate = keys.Date(DicomTags.PatientBirthDate),
            PatientSex = keys.Text(DicomTags.PatientSex),
            PatientAge = keys.Text(DicomTags.PatientAge),
            StudyInstanceUid = keys.Text(DicomTags.StudyInstanceUID),
            SeriesInstanceUid = keys.Text(DicomTags.SeriesInstanceUID),
            SopInstanceUid = keys.Text(DicomTags.SOPInstanceUID),
            SopClassUid = keys.Text(DicomTags.SOPClassUID),
            AccessionNumber = keys.Text(DicomTags.AccessionNumber),
            Modality = keys.Text(DicomTags.Modality),
            StudyDate = keys.Date(DicomTags.StudyDate),
            StudyTime = keys.Time(DicomTags.StudyTime),
            SeriesDate = keys.Date(DicomTags.SeriesDate),
            AcquisitionDate = keys.Date(DicomTags.AcquisitionDate),
            AcquisitionTime = keys.Time(DicomTags.AcquisitionTime),
            StudyDescription = keys.Text(DicomTags.StudyDescription),
            SeriesDescription = keys.Text(DicomTags.SeriesDescription),
            Manufacturer = keys.Text(DicomTags.Manufacturer),
            ManufacturerModelName = keys.Text(DicomTags.ManufacturerModelName),
            InstitutionName = keys.Text(DicomTags.InstitutionName),
            StationName = keys.Text(DicomTags.StationName),
            BodyPartExamined = keys.Text(DicomTags.BodyPartExamined),
            SliceThickness = keys.Decimal(DicomTags.SliceThickness),
            PixelSpacing = keys.PixelSpacing(),
            Rows = keys.Integer(DicomTags.Rows),
            Columns = keys.Integer(DicomTags.Columns),
            NumberOfFrames = keys.IntegerString(DicomTags.NumberOfFrames),
            TransferSyntaxUid = TransferSyntaxOf(meta, syntax),
            SpecificCharacterSet = keys.Joined(DicomTags.SpecificCharacterSet),
        };
    }

    private static string? TransferSyntaxOf(DicomDataset meta, DicomTransferSyntax syntax)
    {
        if (!meta.TryGet(DicomTags.TransferSyntaxUID, out var ts)) return syntax.Uid;
        Span<char> buffer = stackalloc char[CharBufferLength];
        var uid = FirstValue(ts.Value.Span, ts.VR == DicomVR.UN ? DicomVR.UI : ts.VR, null, buffer, out string? decoded);
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

        /// <summary>The first value, trimmed; null when absent or empty.</summary>
        public string? Text(DicomTag tag)
        {
            if (!TryGet(tag, out var vr, out var value)) return null;
            if (TryFirstValueBytes(value, vr, _cs, out var bytes)) return bytes.IsEmpty ? null : Encoding.Latin1.GetString(bytes);
            Span<char> buffer = stackalloc char[CharBufferLength];
            var text = FirstValue(value, vr, _cs, buffer, out string? decoded);
            return text.IsEmpty ? null : AsString(text, decoded);
        }

        /// <summary>All values, trimmed and joined with backslashes; null when absent or empty.</summary>
        public string? Joined(DicomTag tag)
        {
            if (!TryGet(tag, out var vr, out var value)) return null;
            Span<char> buffer = stackalloc char[CharBufferLength];
            var text = Decode(value, vr, _cs, buffer, out string? decoded);
            if (!DicomValues.IsSingleValuedText(vr) && text.Contains('\\'))
                return string.Join('\\', DicomValues.GetStrings(value, vr, _cs)) is { Length: > 0 } joined ? joined : null;
            var single = DicomValues.Trim(text, vr);
            return single.IsEmpty ? null : AsString(single, decoded);
        }

        /// <summary>The first value as a person name without trailing empty components and groups; null when that is empty.</summary>
        public string? PersonName(DicomTag tag)
        {
            if (!TryGet(tag, out var vr, out var value)) return null;
            Span<char> buffer = stackalloc char[CharBufferLength];
            var text = FirstValue(value, vr, _cs, buffer, out string? decoded);
            if (text.IsEmpty) return null;
            Span<char> normalized = text.Length <= CharBufferLength ? stackalloc char[CharBufferLength] : new char[text.Length];
            var name = DicomValues.NormalizePersonName(text, normalized);
            return name.IsEmpty ? null : name.Length == text.Length ? AsString(text, decoded) : name.ToString();
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

        /// <summary>Pixel Spacing: exactly two decimal values, else null. Read as Latin-1 text whatever its VR, as DS when UN.</summary>
        public double[]? PixelSpacing()
        {
            if (!TryGet(DicomTags.PixelSpacing, out var vr, out var value)) return null;
            Span<char> buffer = stackalloc char[CharBufferLength];
            var text = Decode(value, vr, null, buffer, out _);
            if (text.IsEmpty || DicomValues.IsSingleValuedText(vr)) return null;
            int split = text.IndexOf('\\');
            if (split < 0 || text[(split + 1)..].Contains('\\')) return null;
            return DicomValues.ParseDecimal(DicomValues.Trim(text[..split], vr)) is { } r
                && DicomValues.ParseDecimal(DicomValues.Trim(text[(split + 1)..], vr)) is { } c ? [r, c] : null;
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
}

/// <summary>A key element of a data set: its tag, its VR as read, and where its value (little endian) is in a values buffer.</summary>
internal readonly record struct DicomKeyElement(uint Tag, DicomVR VR, int Start, int Length);
