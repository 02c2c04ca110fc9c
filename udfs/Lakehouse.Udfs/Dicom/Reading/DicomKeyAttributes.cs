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

    /// <summary>The character set a data set declares (top level).</summary>
    public static DicomCharacterSet CharacterSetOf(DicomDataset dataset) =>
        dataset.TryGet(DicomTags.SpecificCharacterSet, out var cs) ? CharacterSetOf(cs.Value.Span, cs.VR) : DicomCharacterSet.Default;

    /// <summary>The character set named by an encoded (0008,0005) value (read as CS when its VR is UN).</summary>
    internal static DicomCharacterSet CharacterSetOf(ReadOnlySpan<byte> value, DicomVR vr) =>
        DicomCharacterSet.FromTerms(DicomValues.GetStrings(value, vr == DicomVR.UN ? DicomVR.CS : vr, null));

    /// <summary>Extracts the key attributes from a data set (and its File Meta Information for the transfer syntax).</summary>
    public static DicomKeyAttributes From(DicomDataset meta, DicomDataset dataset, DicomTransferSyntax syntax)
    {
        var cs = CharacterSetOf(dataset);
        string? Text(DicomTag tag) => Get(dataset, tag, cs, joined: false);
        string? Joined(DicomTag tag) => Get(dataset, tag, cs, joined: true);
        double[]? spacing = null;
        if (dataset.TryGet(DicomTags.PixelSpacing, out var ps))
        {
            var values = DicomValues.GetStrings(As(ps, DicomVR.DS));
            if (values.Length == 2 && DicomValues.ParseDecimal(values[0]) is { } r && DicomValues.ParseDecimal(values[1]) is { } c) spacing = [r, c];
        }
        return new DicomKeyAttributes
        {
            PatientId = Text(DicomTags.PatientID),
            PatientName = Text(DicomTags.PatientName) is { } name && DicomValues.NormalizePersonName(name) is { Length: > 0 } normalized ? normalized : null,
            IssuerOfPatientId = Text(DicomTags.IssuerOfPatientID),
            OtherPatientIds = Joined(DicomTags.OtherPatientIDs),
            PatientBirthDate = DicomValues.ParseDate(Text(DicomTags.PatientBirthDate)),
            PatientSex = Text(DicomTags.PatientSex),
            PatientAge = Text(DicomTags.PatientAge),
            StudyInstanceUid = Text(DicomTags.StudyInstanceUID),
            SeriesInstanceUid = Text(DicomTags.SeriesInstanceUID),
            SopInstanceUid = Text(DicomTags.SOPInstanceUID),
            SopClassUid = Text(DicomTags.SOPClassUID),
            AccessionNumber = Text(DicomTags.AccessionNumber),
            Modality = Text(DicomTags.Modality),
            StudyDate = DicomValues.ParseDate(Text(DicomTags.StudyDate)),
            StudyTime = DicomValues.ParseTime(Text(DicomTags.StudyTime)),
            SeriesDate = DicomValues.ParseDate(Text(DicomTags.SeriesDate)),
            AcquisitionDate = DicomValues.ParseDate(Text(DicomTags.AcquisitionDate)),
            AcquisitionTime = DicomValues.ParseTime(Text(DicomTags.AcquisitionTime)),
            StudyDescription = Text(DicomTags.StudyDescription),
            SeriesDescription = Text(DicomTags.SeriesDescription),
            Manufacturer = Text(DicomTags.Manufacturer),
            ManufacturerModelName = Text(DicomTags.ManufacturerModelName),
            InstitutionName = Text(DicomTags.InstitutionName),
            StationName = Text(DicomTags.StationName),
            BodyPartExamined = Text(DicomTags.BodyPartExamined),
            SliceThickness = DicomValues.ParseDecimal(Text(DicomTags.SliceThickness)),
            PixelSpacing = spacing,
            Rows = Integer(dataset, DicomTags.Rows),
            Columns = Integer(dataset, DicomTags.Columns),
            NumberOfFrames = (int?)DicomValues.ParseInteger(Text(DicomTags.NumberOfFrames)),
            TransferSyntaxUid = meta.TryGet(DicomTags.TransferSyntaxUID, out var ts) ? DicomValues.GetString(As(ts, DicomVR.UI)) : syntax.Uid,
            SpecificCharacterSet = Joined(DicomTags.SpecificCharacterSet),
        };
    }

    private static string? Get(DicomDataset dataset, DicomTag tag, DicomCharacterSet cs, bool joined)
    {
        if (!dataset.TryGet(tag, out var e)) return null;
        var values = DicomValues.GetStrings(Effective(e), cs);
        if (values.Length == 0) return null;
        string v = joined ? string.Join('\\', values) : values[0];
        return v.Length == 0 ? null : v;
    }

    private static int? Integer(DicomDataset dataset, DicomTag tag)
    {
        if (!dataset.TryGet(tag, out var e)) return null;
        e = Effective(e);
        if (e.VR is DicomVR.US or DicomVR.SS or DicomVR.UL or DicomVR.SL && DicomValues.BinaryCount(e) > 0)
            return (int)Math.Clamp(DicomValues.GetInteger(e, 0), int.MinValue, int.MaxValue);
        if (e.VR == DicomVR.IS) return (int?)DicomValues.ParseInteger(DicomValues.GetString(e));
        return null;
    }

    // A known attribute encoded as UN (or read implicitly as UN) is decoded with its dictionary VR.
    private static DicomElement Effective(DicomElement e) =>
        e.VR == DicomVR.UN && DicomDictionary.TryGet(e.Tag, out var entry) && entry.VR is not (DicomVR.SQ or DicomVR.UN) ? As(e, entry.VR) : e;

    private static DicomElement As(DicomElement e, DicomVR vr) => e.VR == vr || e.VR != DicomVR.UN ? e : new DicomElement(e.Tag, vr, e.Value);
}
