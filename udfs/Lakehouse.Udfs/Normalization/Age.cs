namespace Lakehouse.Udfs.Normalization;

/// <summary>Patient age in years, from an Age String (AS) or from birth and study dates (DA).</summary>
public static class Age
{
    private const double DaysPerYear = 365.25;

    /// <summary>
    /// Years from an AS value <c>nnnD|W|M|Y</c>: <c>045Y</c> → 45, <c>006M</c> → 0.5, <c>003W</c> → 21/365.25,
    /// <c>010D</c> → 10/365.25. Surrounding spaces/NULs and 1–2 digit counts (<c>45Y</c>) are tolerated; a lower-case
    /// unit too. Anything else (no unit, other unit, sign, decimals) is malformed: null.
    /// </summary>
    public static double? FromAgeString(string? value)
    {
        if (value is null) return null;
        ReadOnlySpan<char> s = value.AsSpan().Trim(" \0");
        if (s.Length is < 2 or > 4) return null;
        int count = 0;
        for (int i = 0; i < s.Length - 1; i++)
        {
            char c = s[i];
            if ((uint)(c - '0') > 9) return null;
            count = count * 10 + (c - '0');
        }
        return (s[^1] | 0x20) switch
        {
            'y' => count,
            'm' => count / 12.0,
            'w' => count * 7 / DaysPerYear,
            'd' => count / DaysPerYear,
            _ => null,
        };
    }

    /// <summary>
    /// Years between a birth date and a study date (DA <c>YYYYMMDD</c>, legacy <c>YYYY.MM.DD</c> accepted): completed years
    /// plus the elapsed fraction of the current year of life. Null when either date is malformed or birth is after the study.
    /// </summary>
    public static double? FromDates(string? birthDate, string? studyDate)
    {
        if (!DicomDateTime.TryParseDate(birthDate, out DateOnly birth) || !DicomDateTime.TryParseDate(studyDate, out DateOnly study) || birth > study)
            return null;
        int years = study.Year - birth.Year;
        DateOnly lastBirthday = Anniversary(birth, birth.Year + years);
        if (lastBirthday > study) lastBirthday = Anniversary(birth, birth.Year + --years);
        // The year after 9999 does not exist as a DateOnly; its length does not depend on it for any birthday but 29 Feb.
        int nextYear = birth.Year + years + 1;
        int yearLength = nextYear <= 9999 ? Anniversary(birth, nextYear).DayNumber - lastBirthday.DayNumber : 365;
        double fraction = (study.DayNumber - lastBirthday.DayNumber) / (double)yearLength;
        return years + fraction;
    }

    // 29 February birthdays fall on 28 February in common years.
    private static DateOnly Anniversary(DateOnly birth, int year) =>
        new(year, birth.Month, Math.Min(birth.Day, DateTime.DaysInMonth(year, birth.Month)));
}
