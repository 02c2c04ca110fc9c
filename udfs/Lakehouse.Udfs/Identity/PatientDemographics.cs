namespace Lakehouse.Udfs.Identity;

/// <summary>Birth date and sex as compared for linking and conflict detection.</summary>
public static class PatientDemographics
{
    /// <summary>
    /// Patient's Sex as compared: M, F or O (upper-cased, trimmed); null for empty or anything else (unknown is not a value
    /// that can match or conflict).
    /// </summary>
    public static string? NormalizeSex(string? sex) => sex?.Trim(' ', '\0').ToUpperInvariant() switch
    {
        "M" => "M",
        "F" => "F",
        "O" => "O",
        _ => null,
    };

    /// <summary>
    /// Patient's Birth Date as compared: null for placeholders that mean "unknown" (before 1880, 1900-01-01, after
    /// <paramref name="notAfter"/>) so they neither link nor conflict.
    /// </summary>
    public static DateOnly? NormalizeBirthDate(DateOnly? birthDate, DateOnly? notAfter = null)
    {
        if (birthDate is not { } d) return null;
        if (d.Year < 1880 || d == new DateOnly(1900, 1, 1)) return null;
        if (notAfter is { } limit && d > limit) return null;
        return d;
    }
}
