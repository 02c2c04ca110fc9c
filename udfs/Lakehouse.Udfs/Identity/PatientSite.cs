using System.Text;

namespace Lakehouse.Udfs.Identity;

/// <summary>
/// The site a bronze instance row comes from. Rule: the Issuer of Patient ID (0010,0021) when present (mapped through
/// <see cref="IdentityOptions.SiteByIssuer"/>), else the normalized Institution Name (0008,0080) (mapped through
/// <see cref="IdentityOptions.SiteByInstitution"/>), else <see cref="Unknown"/>. The issuer wins because it is the namespace
/// the PatientID belongs to; the institution is the best remaining hint of which registry wrote the id.
/// </summary>
public static class PatientSite
{
    /// <summary>The site of rows with neither issuer nor institution name.</summary>
    public const string Unknown = "UNKNOWN_SITE";

    /// <summary>The site of a row.</summary>
    public static string Resolve(string? issuerOfPatientId, string? institutionName, IdentityOptions options)
    {
        string? issuer = PatientKey.NormalizeIssuer(issuerOfPatientId);
        if (issuer is not null) return options.SiteByIssuer.TryGetValue(issuer, out string? s) ? s : issuer;
        string? institution = NormalizeInstitution(institutionName);
        if (institution is null) return Unknown;
        return options.SiteByInstitution.TryGetValue(institution, out string? t) ? t : institution;
    }

    /// <summary>
    /// Institution Name for comparison: accents folded and upper case (as <see cref="PersonNameKey.FoldLetters"/>),
    /// every run of non-alphanumeric characters one space, trimmed; null when nothing is left.
    /// "St. Anne Community Hospital" and "ST ANNE  COMMUNITY-HOSPITAL" are both "ST ANNE COMMUNITY HOSPITAL".
    /// </summary>
    public static string? NormalizeInstitution(string? institutionName)
    {
        if (string.IsNullOrWhiteSpace(institutionName)) return null;
        string folded = PersonNameKey.FoldLetters(institutionName);
        var sb = new StringBuilder(folded.Length);
        bool space = false;
        foreach (char c in folded)
        {
            if (char.IsLetterOrDigit(c))
            {
                if (space && sb.Length > 0) sb.Append(' ');
                sb.Append(c);
                space = false;
            }
            else space = true;
        }
        return sb.Length == 0 ? null : sb.ToString();
    }
}
