namespace Lakehouse.Udfs.Deidentification;

/// <summary>
/// Options of the Basic Application Level Confidentiality Profile (PS3.15 E.3). Each enabled option overrides the
/// Basic Profile action of the attributes it lists in Table E.1-1: its K retains, its C cleans. When two enabled options
/// disagree on one attribute, K wins (the caller asked to retain it).
/// </summary>
public sealed record DeidOptions
{
    /// <summary>Retain Safe Private (E.3.10): keep private attributes on the TCIA safe list; all others are removed.</summary>
    public bool RetainSafePrivate { get; init; }

    /// <summary>Retain UIDs (E.3.9). Off: every instance UID is remapped to 2.25.&lt;keyed hash&gt;.</summary>
    public bool RetainUids { get; init; }

    /// <summary>Retain Device Identity (E.3.7).</summary>
    public bool RetainDeviceIdentity { get; init; }

    /// <summary>Retain Institution Identity (E.3.8).</summary>
    public bool RetainInstitutionIdentity { get; init; }

    /// <summary>Retain Patient Characteristics (E.3.5): sex, age (grouped at 90+), size, weight, ...</summary>
    public bool RetainPatientCharacteristics { get; init; }

    /// <summary>Retain Longitudinal Temporal Information with Full Dates (E.3.6): dates and times unchanged.</summary>
    public bool RetainLongitudinalFullDates { get; init; }

    /// <summary>Retain Longitudinal Temporal Information with Modified Dates (E.3.6): dates shifted by the patient's <see cref="DateShift"/>.</summary>
    public bool RetainLongitudinalModifiedDates { get; init; }

    /// <summary>Clean Descriptors (E.3.4): descriptors are kept with the header's own identifiers, names, IDs and dates scrubbed.</summary>
    public bool CleanDescriptors { get; init; }

    /// <summary>The Basic Profile alone, no options: all private attributes are removed, dates emptied or replaced by dummies.</summary>
    public static DeidOptions Basic { get; } = new();

    /// <summary>
    /// The lakehouse default: Basic Profile with Retain Safe Private, Retain Longitudinal Temporal Information with
    /// Modified Dates, Retain Patient Characteristics and Clean Descriptors; UIDs remapped.
    /// </summary>
    public static DeidOptions Default { get; } = new()
    {
        RetainSafePrivate = true,
        RetainLongitudinalModifiedDates = true,
        RetainPatientCharacteristics = true,
        CleanDescriptors = true,
    };
}
