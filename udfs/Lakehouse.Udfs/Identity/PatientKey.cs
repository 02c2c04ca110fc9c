namespace Lakehouse.Udfs.Identity;

/// <summary>
/// Who a PatientID belongs to: the id within its namespace, never the bare PatientID (two sites hand out the same
/// strings to different people). The namespace is the Issuer of Patient ID when present, else "site:" + the site of
/// the row (<see cref="PatientSite"/>). The "site:" prefix keeps a site id from ever colliding with an issuer.
/// </summary>
/// <param name="Namespace">The issuer, or "site:" + site id.</param>
/// <param name="PatientId">The PatientID, trimmed.</param>
public readonly record struct PatientKey(string Namespace, string PatientId)
{
    /// <summary>The prefix of namespaces derived from the site rather than an issuer.</summary>
    public const string SitePrefix = "site:";

    /// <summary>
    /// The key as one string: namespace, a backslash, the patient id. Backslash cannot occur in either part (it is the
    /// DICOM value delimiter, and is removed from site names), so the text is unambiguous.
    /// </summary>
    public string Text => Namespace + "\\" + PatientId;

    /// <summary>True when the namespace is an Issuer of Patient ID.</summary>
    public bool HasIssuer => !Namespace.StartsWith(SitePrefix, StringComparison.Ordinal);

    /// <summary>The key of a row, or null when it has no PatientID.</summary>
    public static PatientKey? From(string? issuerOfPatientId, string site, string? patientId)
    {
        string? id = NormalizePatientId(patientId);
        if (id is null) return null;
        string? issuer = NormalizeIssuer(issuerOfPatientId);
        return new PatientKey(issuer ?? SitePrefix + site.Replace('\\', '/'), id);
    }

    /// <summary>The key of a row from its raw issuer and institution name.</summary>
    public static PatientKey? From(string? issuerOfPatientId, string? institutionName, string? patientId, IdentityOptions options) =>
        From(issuerOfPatientId, PatientSite.Resolve(issuerOfPatientId, institutionName, options), patientId);

    /// <summary>Parses <see cref="Text"/>; null when it has no backslash.</summary>
    public static PatientKey? Parse(string text)
    {
        int i = text.IndexOf('\\', StringComparison.Ordinal);
        return i < 0 ? null : new PatientKey(text[..i], text[(i + 1)..]);
    }

    /// <summary>PatientID as compared: trimmed of spaces and NULs (padding); case kept (ids are case-sensitive); null when empty.</summary>
    public static string? NormalizePatientId(string? patientId)
    {
        string? id = patientId?.Trim(' ', '\0', '\t');
        return string.IsNullOrEmpty(id) ? null : id.Replace('\\', '/');
    }

    /// <summary>Issuer of Patient ID as compared: trimmed; case kept; null when empty.</summary>
    public static string? NormalizeIssuer(string? issuer)
    {
        string? s = issuer?.Trim(' ', '\0', '\t');
        return string.IsNullOrEmpty(s) ? null : s.Replace('\\', '/');
    }

    /// <summary>No values: a key is PHI and must not reach a log through string formatting; use <see cref="Text"/> for restricted tables.</summary>
    public override string ToString() => HasIssuer ? "PatientKey(issuer)" : "PatientKey(site)";
}
