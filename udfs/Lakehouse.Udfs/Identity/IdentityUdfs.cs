using Lakehouse.Udfs.Registry;

namespace Lakehouse.Udfs.Identity;

/// <summary>
/// The identity UDFs: <c>patient_key(issuer_of_patient_id, institution_name, patient_id)</c>, the SQL face of
/// <see cref="PatientKey.From(string?, string?, string?, IdentityOptions)"/>. SQL jobs call it so the key rule lives in
/// <see cref="PatientKey"/> and <see cref="PatientSite"/> only. The site maps of <see cref="IdentityOptions"/> change keys
/// without an issuer, so a job that joins to identity tables binds <see cref="For"/> with the options those tables were
/// built with.
/// </summary>
public static class IdentityUdfs
{
    /// <summary>The SQL name of the patient key function.</summary>
    public const string PatientKeyName = "patient_key";

    /// <summary>The SQL name of the patient key function for rows that name their site already (reports).</summary>
    public const string PatientKeyAtSiteName = "patient_key_at_site";

    /// <summary>The functions with the default options (no site maps).</summary>
    public static IEnumerable<UdfDefinition> Functions => For(new IdentityOptions());

    /// <summary>The functions bound to <paramref name="options"/>.</summary>
    public static IEnumerable<UdfDefinition> For(IdentityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        yield return Udf.Define<string?, string?, string?, string?>(PatientKeyName,
            "Patient key text: the Issuer of Patient ID, else \"site:\" + the site from the institution name; a backslash; the trimmed PatientID. NULL without a PatientID",
            ["issuer_of_patient_id", "institution_name", "patient_id"],
            (issuer, institution, patientId) => PatientKey.From(issuer, institution, patientId, options)?.Text,
            new UdfOptions(UdfNulls.Receive));
        // Reports carry a site id, not an institution name: the namespace rule is the same, without site resolution.
        yield return Udf.Define<string?, string?, string?, string?>(PatientKeyAtSiteName,
            "Patient key text of a row that names its site: the Issuer of Patient ID, else \"site:\" + the site (UNKNOWN_SITE when empty); a backslash; the trimmed PatientID. NULL without a PatientID",
            ["issuer_of_patient_id", "site", "patient_id"],
            (issuer, site, patientId) => PatientKey.From(issuer, string.IsNullOrWhiteSpace(site) ? PatientSite.Unknown : site.Trim(), patientId)?.Text,
            new UdfOptions(UdfNulls.Receive));
    }

    /// <summary>True for the names of the functions of this area (to replace them with a <see cref="For"/> set).</summary>
    public static bool IsIdentityFunction(string name) => name is PatientKeyName or PatientKeyAtSiteName;
}
