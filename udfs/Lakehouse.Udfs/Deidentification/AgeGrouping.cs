using System.Globalization;

namespace Lakehouse.Udfs.Deidentification;

/// <summary>
/// HIPAA Safe Harbor: ages over 89 are aggregated into one group "90 or older", written as DICOM AS <c>090Y</c>
/// (any age of 90 years or more, in any unit, becomes <c>090Y</c>; younger ages are unchanged).
/// </summary>
public static class AgeGrouping
{
    /// <summary>The age group that stands for 90 years or older.</summary>
    public const string NinetyOrOlder = "090Y";

    /// <summary>Youngest age (years) that is grouped.</summary>
    public const int GroupFromYears = 90;

    /// <summary>The grouped DICOM age string, or null when the value is not a valid AS (the caller removes it).</summary>
    public static string? GroupDicomAge(string age)
    {
        ArgumentNullException.ThrowIfNull(age);
        string a = age.Trim();
        if (a.Length != 4 || !int.TryParse(a.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out int n)) return null;
        double years = a[3] switch
        {
            'Y' => n,
            'M' => n / 12.0,
            'W' => n * 7 / 365.25,
            'D' => n / 365.25,
            _ => -1,
        };
        if (years < 0) return null;
        return years >= GroupFromYears ? NinetyOrOlder : a;
    }

    /// <summary>Ages in whole years: 90 and above become 90 (meaning "90 or older").</summary>
    public static int GroupYears(int years) => Math.Min(years, GroupFromYears);
}
