namespace Lakehouse.Udfs.Identity;

/// <summary>
/// Configuration of patient linking: how sites are named and which link rules run. The defaults are the rules documented
/// on <see cref="PatientSite"/>, <see cref="PatientKey"/> and <see cref="PersonNameKey"/>.
/// </summary>
public sealed record IdentityOptions
{
    /// <summary>Issuer of Patient ID (trimmed, as written) → site id. Unmapped issuers are their own site id.</summary>
    public IReadOnlyDictionary<string, string> SiteByIssuer { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Normalized Institution Name (see <see cref="PatientSite.NormalizeInstitution"/>) → site id. Unmapped names are their own site id.</summary>
    public IReadOnlyDictionary<string, string> SiteByInstitution { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Link a patient to the keys listed in its Other Patient IDs (0010,1000), when the bare id names exactly one known key.</summary>
    public bool LinkByOtherPatientIds { get; init; } = true;

    /// <summary>Link a patient to the keys listed in its Other Patient IDs Sequence (0010,1002) items.</summary>
    public bool LinkByOtherPatientIdsSequence { get; init; } = true;

    /// <summary>Link patients with the same normalized name, birth date and sex.</summary>
    public bool LinkByNameBirthDateSex { get; init; } = true;

    /// <summary>Link patients whose instances share a SOP Instance UID (a conflict in bronze.dicom_duplicates).</summary>
    public bool LinkBySharedSopInstanceUid { get; init; } = true;

    /// <summary>Link patients whose instances share a Study Instance UID.</summary>
    public bool LinkBySharedStudyInstanceUid { get; init; } = true;

    /// <summary>
    /// A name + birth date + sex group larger than this is not linked (reported as a conflict instead): many keys with one
    /// demographic tuple are placeholders ("UNKNOWN^UNKNOWN", 19000101), not one person.
    /// </summary>
    public int MaxNameMatchGroup { get; init; } = 4;

    /// <summary>Normalized family names that are placeholders of unidentified patients and never link by name.</summary>
    public IReadOnlySet<string> PlaceholderFamilyNames { get; init; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "UNKNOWN", "UNK", "ANONYMOUS", "ANON", "NONAME", "TRAUMA", "EMERGENCY", "TEST", "PATIENT", "NN",
    };
}
