namespace Lakehouse.Udfs.Normalization;

/// <summary>
/// A normalized value and whether a reference mapping produced it. When <see cref="Mapped"/> is false,
/// <see cref="Value"/> is the raw input (trimmed), so a job can count what users should map next.
/// </summary>
/// <param name="Value">The canonical value, or the trimmed raw value when unmapped; null for empty input.</param>
/// <param name="Mapped">True when a mapping row matched.</param>
public readonly record struct MappedValue(string? Value, bool Mapped);

/// <summary>How a body part was found.</summary>
public enum BodyPartMethod
{
    /// <summary>Body Part Examined and the study description were both empty or said nothing of a body part.</summary>
    None = 0,

    /// <summary>Body Part Examined matched a mapping row.</summary>
    BodyPartExamined,

    /// <summary>Body Part Examined was empty; a phrase of the study description matched.</summary>
    StudyDescription,

    /// <summary>Body Part Examined had a value no mapping row matched: <see cref="BodyPartResult.Term"/> keeps it raw.</summary>
    Unmapped,
}

/// <summary>A canonical body part: Body Part Examined defined term with its SNOMED CT code and display.</summary>
/// <param name="Term">The defined term, e.g. <c>LSPINE</c>.</param>
/// <param name="SnomedCode">SNOMED CT concept id, e.g. <c>122496007</c>.</param>
/// <param name="Display">Code meaning, e.g. <c>Lumbar spine</c>.</param>
public sealed record BodyPartTerm(string Term, string SnomedCode, string Display);

/// <summary>The normalized body part of a study or series.</summary>
/// <param name="Term">Canonical term; the trimmed raw Body Part Examined when unmapped; null when nothing was found.</param>
/// <param name="SnomedCode">SNOMED CT code, null when unmapped.</param>
/// <param name="Display">SNOMED CT display, null when unmapped.</param>
/// <param name="Mapped">True when a mapping row matched.</param>
/// <param name="Method">Where the value came from.</param>
public readonly record struct BodyPartResult(string? Term, string? SnomedCode, string? Display, bool Mapped, BodyPartMethod Method);

/// <summary>Whether a study used contrast, as its description says.</summary>
public enum Contrast
{
    /// <summary>The description does not say.</summary>
    Unknown = 0,

    /// <summary>With contrast (including "with and without").</summary>
    Yes,

    /// <summary>Without contrast.</summary>
    No,
}

/// <summary>A study type parsed from a local study description.</summary>
/// <param name="CanonicalName">E.g. <c>CT Chest with contrast</c>, <c>DX Chest PA/LAT</c>; the trimmed raw description when unmapped.</param>
/// <param name="Modality">DICOM modality from the header, else from the description; null when neither says.</param>
/// <param name="BodyRegion">Body part term (see <see cref="BodyPartTerm"/>), null when the description names none.</param>
/// <param name="Contrast">Contrast as the description says.</param>
/// <param name="View">Views in order of appearance joined by '/', e.g. <c>PA/LAT</c>, <c>CC/MLO</c>; null when none.</param>
/// <param name="Mapped">True when both modality and body region are known.</param>
public readonly record struct StudyType(string? CanonicalName, string? Modality, string? BodyRegion, Contrast Contrast, string? View, bool Mapped);
