using Lakehouse.Udfs.Dicom;

namespace Lakehouse.Udfs.Registry;

/// <summary>General-purpose helpers every job may call: text tidying, dates, safe arithmetic, DICOM dictionary look-ups.</summary>
public static class CoreFunctions
{
    /// <summary>The UDFs of this area, as registered in <see cref="UdfRegistry.Default"/>.</summary>
    public static IEnumerable<UdfDefinition> Functions =>
    [
        Udf.Define<string, string>("collapse_whitespace", "Trims the text and folds every run of whitespace into one space",
            ["text"], CollapseWhitespace),
        Udf.Define<string?, string?>("null_if_blank", "NULL when the text is NULL, empty or only whitespace, else the text unchanged",
            ["text"], NullIfBlank, new UdfOptions(UdfNulls.Receive)),
        Udf.Define<DateOnly, DateOnly, int>("age_in_years", "Whole years from birth_date to at_date (negative when at_date is earlier)",
            ["birth_date", "at_date"], AgeInYears),
        Udf.Define<double, double, double?>("safe_ratio", "numerator / denominator, NULL when the denominator is 0",
            ["numerator", "denominator"], SafeRatio),
        Udf.Define<long, string?>("dicom_keyword", "The DICOM dictionary keyword of a tag given as its 32-bit value (0x00100010 -> PatientName), NULL when unknown",
            ["tag"], DicomKeyword),
    ];

    /// <summary>Trims and folds whitespace runs into one space.</summary>
    public static string CollapseWhitespace(string text)
    {
        ReadOnlySpan<char> span = text.AsSpan().Trim();
        if (span.Length == 0) return string.Empty;
        Span<char> buffer = span.Length <= 512 ? stackalloc char[span.Length] : new char[span.Length];
        int n = 0;
        bool inSpace = false;
        foreach (char c in span)
        {
            if (char.IsWhiteSpace(c))
            {
                if (!inSpace) buffer[n++] = ' ';
                inSpace = true;
            }
            else
            {
                buffer[n++] = c;
                inSpace = false;
            }
        }
        return n == text.Length ? text : new string(buffer[..n]);
    }

    /// <summary>NULL for NULL, empty or whitespace-only text.</summary>
    public static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>Whole years between two dates, birthday-exact (a 29 February birthday counts on 1 March in common years).</summary>
    public static int AgeInYears(DateOnly birthDate, DateOnly atDate)
    {
        int years = atDate.Year - birthDate.Year;
        if (atDate.Month < birthDate.Month || (atDate.Month == birthDate.Month && atDate.Day < birthDate.Day)) years--;
        return years;
    }

    /// <summary>The ratio, or null when the denominator is zero.</summary>
    public static double? SafeRatio(double numerator, double denominator) => denominator == 0 ? null : numerator / denominator;

    /// <summary>The dictionary keyword of a tag, or null when the tag is out of range or unknown.</summary>
    public static string? DicomKeyword(long tag)
    {
        if (tag is < 0 or > uint.MaxValue) return null;
        return DicomDictionary.TryGet(new DicomTag((uint)tag), out var entry) && entry.Keyword.Length > 0 ? entry.Keyword : null;
    }
}
