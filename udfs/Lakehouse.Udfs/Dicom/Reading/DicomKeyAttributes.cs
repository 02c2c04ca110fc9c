namespace Lakehouse.Udfs.Dicom.Reading;

/// <summary>One bronze column built from a key attribute.</summary>
/// <param name="ColumnName">The snake_case column name (the attribute keyword in snake_case).</param>
/// <param name="Tag">The attribute it comes from.</param>
/// <param name="ClrType">The property type: string, DateOnly?, TimeOnly?, double?, int? or double[].</param>
/// <param name="Restricted">True for identifying values (names, ids, birth date, UIDs, accession) that may only land in restricted tables.</param>
/// <param name="Get">Reads the value from a record.</param>
public sealed record DicomKeyColumn(string ColumnName, DicomTag Tag, Type ClrType, bool Restricted, Func<DicomKeyAttributes, object?> Get)
{
    /// <summary>How <see cref="DicomKeyValues"/> holds this column's value, which says the accessor that reads it.</summary>
    public DicomKeyValueKind Kind { get; } =
        ClrType == typeof(string) ? DicomKeyValueKind.Text
        : ClrType == typeof(DateOnly?) ? DicomKeyValueKind.Date
        : ClrType == typeof(TimeOnly?) ? DicomKeyValueKind.Time
        : ClrType == typeof(double?) ? DicomKeyValueKind.Decimal
        : ClrType == typeof(int?) ? DicomKeyValueKind.Integer
        : DicomKeyValueKind.PixelSpacing;

    /// <summary>The column's place among the columns of its <see cref="Kind"/> (text columns 0, 1, ...; typed columns 0, 1, ...).</summary>
    public int Slot { get; internal init; }

    /// <summary>The extraction rule that gives the value.</summary>
    internal DicomKeyRule Rule { get; init; }
}

/// <summary>How a key column's value is held by <see cref="DicomKeyValues"/>.</summary>
public enum DicomKeyValueKind
{
    /// <summary>Text, as UTF-8 bytes (<see cref="DicomKeyValues.Text(int)"/>); empty is null.</summary>
    Text,
    /// <summary>A date (<see cref="DicomKeyValues.Date(int)"/>).</summary>
    Date,
    /// <summary>A time of day (<see cref="DicomKeyValues.Time(int)"/>).</summary>
    Time,
    /// <summary>A decimal number (<see cref="DicomKeyValues.Decimal(int)"/>).</summary>
    Decimal,
    /// <summary>An integer (<see cref="DicomKeyValues.Integer(int)"/>).</summary>
    Integer,
    /// <summary>Two decimals (<see cref="DicomKeyValues.TryGetPixelSpacing"/>).</summary>
    PixelSpacing,
}

/// <summary>The rule of the one extraction that gives a key column's value from its element.</summary>
internal enum DicomKeyRule : byte { Text, Joined, PersonName, Date, Time, Decimal, Integer, IntegerString, PixelSpacing, TransferSyntax }

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
    public static IReadOnlyList<DicomKeyColumn> BronzeColumns { get; } = Numbered(
    [
        new("patient_id", DicomTags.PatientID, typeof(string), true, k => k.PatientId) { Rule = DicomKeyRule.Text },
        new("patient_name", DicomTags.PatientName, typeof(string), true, k => k.PatientName) { Rule = DicomKeyRule.PersonName },
        new("issuer_of_patient_id", DicomTags.IssuerOfPatientID, typeof(string), true, k => k.IssuerOfPatientId) { Rule = DicomKeyRule.Text },
        new("other_patient_ids", DicomTags.OtherPatientIDs, typeof(string), true, k => k.OtherPatientIds) { Rule = DicomKeyRule.Joined },
        new("patient_birth_date", DicomTags.PatientBirthDate, typeof(DateOnly?), true, k => k.PatientBirthDate) { Rule = DicomKeyRule.Date },
        new("patient_sex", DicomTags.PatientSex, typeof(string), false, k => k.PatientSex) { Rule = DicomKeyRule.Text },
        new("patient_age", DicomTags.PatientAge, typeof(string), false, k => k.PatientAge) { Rule = DicomKeyRule.Text },
        new("study_instance_uid", DicomTags.StudyInstanceUID, typeof(string), true, k => k.StudyInstanceUid) { Rule = DicomKeyRule.Text },
        new("series_instance_uid", DicomTags.SeriesInstanceUID, typeof(string), true, k => k.SeriesInstanceUid) { Rule = DicomKeyRule.Text },
        new("sop_instance_uid", DicomTags.SOPInstanceUID, typeof(string), true, k => k.SopInstanceUid) { Rule = DicomKeyRule.Text },
        new("sop_class_uid", DicomTags.SOPClassUID, typeof(string), false, k => k.SopClassUid) { Rule = DicomKeyRule.Text },
        new("accession_number", DicomTags.AccessionNumber, typeof(string), true, k => k.AccessionNumber) { Rule = DicomKeyRule.Text },
        new("modality", DicomTags.Modality, typeof(string), false, k => k.Modality) { Rule = DicomKeyRule.Text },
        new("study_date", DicomTags.StudyDate, typeof(DateOnly?), true, k => k.StudyDate) { Rule = DicomKeyRule.Date },
        new("study_time", DicomTags.StudyTime, typeof(TimeOnly?), false, k => k.StudyTime) { Rule = DicomKeyRule.Time },
        new("series_date", DicomTags.SeriesDate, typeof(DateOnly?), true, k => k.SeriesDate) { Rule = DicomKeyRule.Date },
        new("acquisition_date", DicomTags.AcquisitionDate, typeof(DateOnly?), true, k => k.AcquisitionDate) { Rule = DicomKeyRule.Date },
        new("acquisition_time", DicomTags.AcquisitionTime, typeof(TimeOnly?), false, k => k.AcquisitionTime) { Rule = DicomKeyRule.Time },
        new("study_description", DicomTags.StudyDescription, typeof(string), false, k => k.StudyDescription) { Rule = DicomKeyRule.Text },
        new("series_description", DicomTags.SeriesDescription, typeof(string), false, k => k.SeriesDescription) { Rule = DicomKeyRule.Text },
        new("manufacturer", DicomTags.Manufacturer, typeof(string), false, k => k.Manufacturer) { Rule = DicomKeyRule.Text },
        new("manufacturer_model_name", DicomTags.ManufacturerModelName, typeof(string), false, k => k.ManufacturerModelName) { Rule = DicomKeyRule.Text },
        new("institution_name", DicomTags.InstitutionName, typeof(string), true, k => k.InstitutionName) { Rule = DicomKeyRule.Text },
        new("station_name", DicomTags.StationName, typeof(string), true, k => k.StationName) { Rule = DicomKeyRule.Text },
        new("body_part_examined", DicomTags.BodyPartExamined, typeof(string), false, k => k.BodyPartExamined) { Rule = DicomKeyRule.Text },
        new("slice_thickness", DicomTags.SliceThickness, typeof(double?), false, k => k.SliceThickness) { Rule = DicomKeyRule.Decimal },
        new("pixel_spacing", DicomTags.PixelSpacing, typeof(double[]), false, k => k.PixelSpacing) { Rule = DicomKeyRule.PixelSpacing },
        new("rows", DicomTags.Rows, typeof(int?), false, k => k.Rows) { Rule = DicomKeyRule.Integer },
        new("columns", DicomTags.Columns, typeof(int?), false, k => k.Columns) { Rule = DicomKeyRule.Integer },
        new("number_of_frames", DicomTags.NumberOfFrames, typeof(int?), false, k => k.NumberOfFrames) { Rule = DicomKeyRule.IntegerString },
        new("transfer_syntax_uid", DicomTags.TransferSyntaxUID, typeof(string), false, k => k.TransferSyntaxUid) { Rule = DicomKeyRule.TransferSyntax },
        new("specific_character_set", DicomTags.SpecificCharacterSet, typeof(string), false, k => k.SpecificCharacterSet) { Rule = DicomKeyRule.Joined },
    ]);

    // Each column's slot among the columns of its kind, in column order.
    private static DicomKeyColumn[] Numbered(DicomKeyColumn[] columns)
    {
        int[] next = new int[Enum.GetValues<DicomKeyValueKind>().Length];
        return columns.Select(c => c with { Slot = next[(int)c.Kind]++ }).ToArray();
    }

    /// <summary>The tags the extraction reads from the data set (the transfer syntax comes from the meta), ascending.</summary>
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
    public static DicomKeyAttributes From(DicomDataset meta, DicomDataset dataset, DicomTransferSyntax syntax) =>
        DicomKeyValues.From(meta, dataset, syntax).ToAttributes();
}

/// <summary>A key element of a data set: its tag, its VR as read, and where its value (little endian) is in a values buffer.</summary>
internal readonly record struct DicomKeyElement(uint Tag, DicomVR VR, int Start, int Length);
