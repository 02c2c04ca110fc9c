namespace Lakehouse.Udfs.Normalization;

/// <summary>A scalar SQL function: its SQL name and the delegate that computes it (nullable strings/doubles/bools in and out).</summary>
/// <param name="Name">SQL name, e.g. <c>body_part_code</c>.</param>
/// <param name="Function">The implementation; parameter and return types map to SQL VARCHAR, DOUBLE and BOOLEAN.</param>
public sealed record ScalarFunction(string Name, Delegate Function);

/// <summary>
/// The normalization UDFs as flat scalar functions over one <see cref="NormalizationReference"/>, for registration
/// in DuckDB or Spark by name. Multi-field results have one function per field; every mapped value has a
/// <c>*_mapped</c> companion so a job can count what is left to map.
/// </summary>
public sealed class NormalizationFunctions(NormalizationReference reference)
{
    /// <summary>The functions over <see cref="NormalizationReference.Default"/>.</summary>
    public static NormalizationFunctions Default { get; } = new(NormalizationReference.Default);

    /// <summary>The mapping tables in use.</summary>
    public NormalizationReference Reference { get; } = reference;

    /// <summary><c>modality(raw)</c>: DICOM modality, or raw.</summary>
    public string? Modality(string? raw) => ModalityNormalizer.Normalize(raw, Reference).Value;

    /// <summary><c>modality_mapped(raw)</c>.</summary>
    public bool ModalityMapped(string? raw) => ModalityNormalizer.Normalize(raw, Reference).Mapped;

    /// <summary><c>body_part_term(raw, description)</c>: canonical term, raw when unmapped.</summary>
    public string? BodyPartTerm(string? raw, string? description) => BodyPartNormalizer.Normalize(raw, description, Reference).Term;

    /// <summary><c>body_part_code(raw, description)</c>: SNOMED CT code.</summary>
    public string? BodyPartCode(string? raw, string? description) => BodyPartNormalizer.Normalize(raw, description, Reference).SnomedCode;

    /// <summary><c>body_part_name(raw, description)</c>: SNOMED CT display.</summary>
    public string? BodyPartName(string? raw, string? description) => BodyPartNormalizer.Normalize(raw, description, Reference).Display;

    /// <summary><c>body_part_mapped(raw, description)</c>.</summary>
    public bool BodyPartMapped(string? raw, string? description) => BodyPartNormalizer.Normalize(raw, description, Reference).Mapped;

    /// <summary><c>body_part_method(raw, description)</c>: <c>body_part_examined</c>, <c>study_description</c>, <c>unmapped</c> or <c>none</c>.</summary>
    public string BodyPartMethod(string? raw, string? description) => BodyPartNormalizer.Normalize(raw, description, Reference).Method switch
    {
        Normalization.BodyPartMethod.BodyPartExamined => "body_part_examined",
        Normalization.BodyPartMethod.StudyDescription => "study_description",
        Normalization.BodyPartMethod.Unmapped => "unmapped",
        _ => "none",
    };

    /// <summary><c>manufacturer(raw)</c>: canonical vendor, or raw.</summary>
    public string? Manufacturer(string? raw) => ManufacturerNormalizer.Normalize(raw, Reference).Value;

    /// <summary><c>manufacturer_mapped(raw)</c>.</summary>
    public bool ManufacturerMapped(string? raw) => ManufacturerNormalizer.Normalize(raw, Reference).Mapped;

    /// <summary><c>model_name(manufacturer, model)</c>: canonical model, or the case-normalized name.</summary>
    public string? ModelName(string? manufacturer, string? model) => ModelNameNormalizer.Normalize(manufacturer, model, Reference).Value;

    /// <summary><c>model_name_mapped(manufacturer, model)</c>.</summary>
    public bool ModelNameMapped(string? manufacturer, string? model) => ModelNameNormalizer.Normalize(manufacturer, model, Reference).Mapped;

    /// <summary><c>study_type(description, modality)</c>: canonical procedure name, raw description when unmapped.</summary>
    public string? StudyType(string? description, string? modality) => StudyTypeParser.Parse(description, modality, Reference).CanonicalName;

    /// <summary><c>study_type_mapped(description, modality)</c>.</summary>
    public bool StudyTypeMapped(string? description, string? modality) => StudyTypeParser.Parse(description, modality, Reference).Mapped;

    /// <summary><c>study_modality(description, modality)</c>.</summary>
    public string? StudyModality(string? description, string? modality) => StudyTypeParser.Parse(description, modality, Reference).Modality;

    /// <summary><c>study_region(description, modality)</c>: body part term.</summary>
    public string? StudyRegion(string? description, string? modality) => StudyTypeParser.Parse(description, modality, Reference).BodyRegion;

    /// <summary><c>study_contrast(description, modality)</c>: <c>yes</c>, <c>no</c> or <c>unknown</c>.</summary>
    public string StudyContrast(string? description, string? modality) => StudyTypeParser.Parse(description, modality, Reference).Contrast switch
    {
        Contrast.Yes => "yes",
        Contrast.No => "no",
        _ => "unknown",
    };

    /// <summary><c>study_view(description, modality)</c>.</summary>
    public string? StudyView(string? description, string? modality) => StudyTypeParser.Parse(description, modality, Reference).View;

    /// <summary><c>patient_sex(raw)</c>: M, F, O or null (unmapped spellings raw).</summary>
    public string? PatientSex(string? raw) => Sex.Normalize(raw, Reference).Value;

    /// <summary><c>patient_sex_mapped(raw)</c>.</summary>
    public bool PatientSexMapped(string? raw) => Sex.Normalize(raw, Reference).Mapped;

    /// <summary><c>site(issuer, institution)</c>: site name, or raw institution/issuer.</summary>
    public string? Site(string? issuer, string? institution) => SiteNormalizer.Normalize(issuer, institution, Reference).Value;

    /// <summary><c>site_mapped(issuer, institution)</c>.</summary>
    public bool SiteMapped(string? issuer, string? institution) => SiteNormalizer.Normalize(issuer, institution, Reference).Mapped;

    /// <summary><c>site_country(issuer, institution)</c>: the ISO 3166-1 alpha-2 country of the mapped site, or null.</summary>
    public string? SiteCountry(string? issuer, string? institution)
    {
        var site = SiteNormalizer.Normalize(issuer, institution, Reference);
        return site.Mapped && site.Value is { } s && Reference.SiteCountries.TryGetValue(s, out var country) ? country : null;
    }

    /// <summary><c>age_years(age_string)</c>: years from a DICOM AS.</summary>
    public static double? AgeYears(string? ageString) => Age.FromAgeString(ageString);

    /// <summary><c>age_years_from_dates(birth_date, study_date)</c>: years between two DA values.</summary>
    public static double? AgeYearsFromDates(string? birthDate, string? studyDate) => Age.FromDates(birthDate, studyDate);

    /// <summary><c>dicom_decimal(ds)</c>: a DS value as a double.</summary>
    public static double? DicomDecimal(string? value) => DicomNumbers.ParseDecimalString(value);

    /// <summary><c>pixel_spacing_row(ds)</c>: first value of Pixel Spacing.</summary>
    public static double? PixelSpacingRow(string? value) => PixelSpacing.Parse(value)?.Row;

    /// <summary><c>pixel_spacing_column(ds)</c>: second value of Pixel Spacing.</summary>
    public static double? PixelSpacingColumn(string? value) => PixelSpacing.Parse(value)?.Column;

    /// <summary><c>dicom_timestamp(da, tm, dt, tz_offset)</c>: ISO 8601 timestamp.</summary>
    public static string? DicomTimestamp(string? date, string? time, string? dateTime, string? timezoneOffset) =>
        DicomDateTime.ToIsoTimestamp(date, time, dateTime, timezoneOffset);

    /// <summary>Every function with its SQL name, for the engine to register.</summary>
    public IReadOnlyList<ScalarFunction> All() =>
    [
        new("modality", new Func<string?, string?>(Modality)),
        new("modality_mapped", new Func<string?, bool>(ModalityMapped)),
        new("body_part_term", new Func<string?, string?, string?>(BodyPartTerm)),
        new("body_part_code", new Func<string?, string?, string?>(BodyPartCode)),
        new("body_part_name", new Func<string?, string?, string?>(BodyPartName)),
        new("body_part_mapped", new Func<string?, string?, bool>(BodyPartMapped)),
        new("body_part_method", new Func<string?, string?, string>(BodyPartMethod)),
        new("manufacturer", new Func<string?, string?>(Manufacturer)),
        new("manufacturer_mapped", new Func<string?, bool>(ManufacturerMapped)),
        new("model_name", new Func<string?, string?, string?>(ModelName)),
        new("model_name_mapped", new Func<string?, string?, bool>(ModelNameMapped)),
        new("study_type", new Func<string?, string?, string?>(StudyType)),
        new("study_type_mapped", new Func<string?, string?, bool>(StudyTypeMapped)),
        new("study_modality", new Func<string?, string?, string?>(StudyModality)),
        new("study_region", new Func<string?, string?, string?>(StudyRegion)),
        new("study_contrast", new Func<string?, string?, string>(StudyContrast)),
        new("study_view", new Func<string?, string?, string?>(StudyView)),
        new("patient_sex", new Func<string?, string?>(PatientSex)),
        new("patient_sex_mapped", new Func<string?, bool>(PatientSexMapped)),
        new("site", new Func<string?, string?, string?>(Site)),
        new("site_mapped", new Func<string?, string?, bool>(SiteMapped)),
        new("site_country", new Func<string?, string?, string?>(SiteCountry)),
        new("age_years", new Func<string?, double?>(AgeYears)),
        new("age_years_from_dates", new Func<string?, string?, double?>(AgeYearsFromDates)),
        new("dicom_decimal", new Func<string?, double?>(DicomDecimal)),
        new("pixel_spacing_row", new Func<string?, double?>(PixelSpacingRow)),
        new("pixel_spacing_column", new Func<string?, double?>(PixelSpacingColumn)),
        new("dicom_timestamp", new Func<string?, string?, string?, string?, string?>(DicomTimestamp)),
    ];
}
