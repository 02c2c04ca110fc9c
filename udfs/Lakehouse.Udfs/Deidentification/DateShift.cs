using System.Buffers.Binary;
using System.Globalization;

namespace Lakehouse.Udfs.Deidentification;

/// <summary>
/// One date shift per patient, derived from the key and the patient key: between −1 and −3650 days, the same on every
/// run and site, so intervals between a patient's studies survive. The weekday is not kept (a multiple-of-7 shift would
/// leave only 521 possible shifts). Times (TM, and the time part of DT) are not changed.
/// </summary>
public readonly struct DateShift : IEquatable<DateShift>
{
    /// <summary>Largest shift back, in days.</summary>
    public const int MaximumDays = 3650;

    /// <summary>Creates a shift of <paramref name="days"/> days (negative = into the past).</summary>
    public DateShift(int days) => Days = days;

    /// <summary>The shift in days (negative). Secret-equivalent: whoever knows it can undo the shift.</summary>
    public int Days { get; }

    /// <summary>The shift of one patient.</summary>
    public static DateShift For(DeidKey key, string patientKey)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(patientKey);
        uint h = BinaryPrimitives.ReadUInt32BigEndian(key.Hash("dateshift", patientKey));
        return new DateShift(-(int)(h % MaximumDays) - 1);
    }

    /// <summary>Shifts a calendar date.</summary>
    public DateOnly Shift(DateOnly date) => date.AddDays(Days);

    /// <summary>
    /// Shifts a DICOM DA value: <c>YYYYMMDD</c>, the ACR-NEMA form <c>YYYY.MM.DD</c>, or a range <c>A-B</c> (either side
    /// may be empty). Returns null when the value is not a valid date (the caller then removes it: never pass it on).
    /// </summary>
    public string? ShiftDicomDate(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string v = value.Trim(' ', '\0');
        int dash = v.IndexOf('-');
        if (dash >= 0)
        {
            string? from = dash == 0 ? "" : ShiftSingleDate(v[..dash]);
            string? to = dash == v.Length - 1 ? "" : ShiftSingleDate(v[(dash + 1)..]);
            return from is null || to is null || (from.Length == 0 && to.Length == 0) ? null : from + "-" + to;
        }
        return ShiftSingleDate(v);
    }

    private string? ShiftSingleDate(string v)
    {
        if (v.Length == 8 && DateOnly.TryParseExact(v, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            return Shift(d).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        if (v.Length == 10 && DateOnly.TryParseExact(v, "yyyy.MM.dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out d))
            return Shift(d).ToString("yyyy.MM.dd", CultureInfo.InvariantCulture);
        return null;
    }

    /// <summary>
    /// Shifts the date part of a DICOM DT value <c>YYYY[MM[DD[HHMMSS[.F]]]][&amp;ZZXX]</c>; the time and the UTC offset are
    /// unchanged. A partial date (year or year-month) is shifted as its first day and written back at the same precision.
    /// Returns null when the value is not a valid DT.
    /// </summary>
    public string? ShiftDicomDateTime(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string v = value.Trim(' ', '\0');
        int digits = 0;
        while (digits < v.Length && digits < 8 && char.IsAsciiDigit(v[digits])) digits++;
        if (digits is not (4 or 6 or 8)) return null;
        string rest = v[digits..];
        if (rest.Length > 0 && !IsDateTimeRest(rest)) return null;
        string full = v[..digits] + (digits == 4 ? "0101" : digits == 6 ? "01" : "");
        if (!DateOnly.TryParseExact(full, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return null;
        string shifted = Shift(d).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return shifted[..digits] + rest;
    }

    private static bool IsDateTimeRest(string rest)
    {
        foreach (char c in rest)
            if (!char.IsAsciiDigit(c) && c is not ('.' or '+' or '-' or '&'))
                return false;
        return true;
    }

    /// <inheritdoc />
    public bool Equals(DateShift other) => Days == other.Days;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DateShift other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Days;

    /// <summary>Redacted: the shift undoes the de-identification of dates.</summary>
    public override string ToString() => "DateShift(redacted)";

    /// <summary>Equality.</summary>
    public static bool operator ==(DateShift left, DateShift right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(DateShift left, DateShift right) => !left.Equals(right);
}
