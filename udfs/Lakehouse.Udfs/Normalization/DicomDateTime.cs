namespace Lakehouse.Udfs.Normalization;

/// <summary>DICOM dates, times and date-times (DA, TM, DT) to ISO 8601 timestamps.</summary>
public static class DicomDateTime
{
    /// <summary>
    /// An ISO 8601 timestamp <c>yyyy-MM-ddTHH:mm:ss[.f…][±hh:mm]</c> from a DT value when it parses, else from DA + TM.
    /// Partial precision is filled with the start of the period (DT <c>2021</c> → 2021-01-01T00:00:00; DA without TM → midnight).
    /// The offset is DT's own suffix, else <paramref name="timezoneOffset"/> (Timezone Offset From UTC, 0008,0201, <c>±HHMM</c>);
    /// without either the timestamp is local (no suffix). Fractional seconds keep the digits given (up to 6).
    /// Null when neither form parses, or when the TM or the offset given is malformed (never midnight or local by guess).
    /// </summary>
    public static string? ToIsoTimestamp(string? date, string? time, string? dateTime, string? timezoneOffset)
    {
        Parts p = default;
        bool ok = dateTime is not null && TryParseDateTime(dateTime.AsSpan().Trim(" \0"), ref p);
        if (!ok)
        {
            p = default;
            if (!TryParseDate(date, out DateOnly d)) return null;
            p.Year = d.Year; p.Month = d.Month; p.Day = d.Day;
            if (time is not null && !time.AsSpan().Trim(" \0").IsEmpty && !TryParseTime(time.AsSpan().Trim(" \0"), ref p)) return null;
        }
        if (!p.HasOffset && timezoneOffset is not null)
        {
            ReadOnlySpan<char> o = timezoneOffset.AsSpan().Trim(" \0");
            if (!o.IsEmpty && !TryParseOffset(o, ref p)) return null;
        }
        return Format(in p);
    }

    /// <summary>Parses a DA: <c>YYYYMMDD</c>, or the ACR-NEMA form <c>YYYY.MM.DD</c>; spaces and NULs around are ignored.</summary>
    public static bool TryParseDate(string? value, out DateOnly date)
    {
        date = default;
        if (value is null) return false;
        ReadOnlySpan<char> s = value.AsSpan().Trim(" \0");
        int y, m, d;
        if (s.Length == 8)
        {
            if (!Digits(s, 0, 4, out y) || !Digits(s, 4, 2, out m) || !Digits(s, 6, 2, out d)) return false;
        }
        else if (s.Length == 10 && s[4] == '.' && s[7] == '.')
        {
            if (!Digits(s, 0, 4, out y) || !Digits(s, 5, 2, out m) || !Digits(s, 8, 2, out d)) return false;
        }
        else return false;
        if (y < 1 || m is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, m)) return false;
        date = new DateOnly(y, m, d);
        return true;
    }

    private struct Parts
    {
        public int Year, Month, Day, Hour, Minute, Second, Fraction, FractionDigits, OffsetMinutes;
        public bool HasOffset;
    }

    // DT: YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]
    private static bool TryParseDateTime(ReadOnlySpan<char> s, ref Parts p)
    {
        int signAt = s.IndexOfAny('+', '-');
        if (signAt >= 0)
        {
            if (!TryParseOffset(s[signAt..], ref p)) return false;
            s = s[..signAt];
        }
        int dot = s.IndexOf('.');
        ReadOnlySpan<char> digits = dot < 0 ? s : s[..dot];
        if (digits.Length is not (4 or 6 or 8 or 10 or 12 or 14)) return false;
        if (dot >= 0 && digits.Length != 14) return false;
        if (!Digits(digits, 0, 4, out p.Year) || p.Year < 1) return false;
        p.Month = 1; p.Day = 1;
        if (digits.Length >= 6 && (!Digits(digits, 4, 2, out p.Month) || p.Month is < 1 or > 12)) return false;
        if (digits.Length >= 8 && (!Digits(digits, 6, 2, out p.Day) || p.Day < 1 || p.Day > DateTime.DaysInMonth(p.Year, p.Month))) return false;
        return digits.Length < 10 || TryParseTime(s[8..], ref p);
    }

    // TM: HH[MM[SS[.F{1,6}]]], and the ACR-NEMA form HH:MM[:SS[.F]].
    private static bool TryParseTime(ReadOnlySpan<char> s, ref Parts p)
    {
        int dot = s.IndexOf('.');
        ReadOnlySpan<char> hms = dot < 0 ? s : s[..dot];
        if (hms.Length is 5 or 8 && hms[2] == ':' && (hms.Length == 5 || hms[5] == ':'))
        {
            Span<char> compact = stackalloc char[6];
            hms[..2].CopyTo(compact);
            hms.Slice(3, 2).CopyTo(compact[2..]);
            if (hms.Length == 8) hms.Slice(6, 2).CopyTo(compact[4..]);
            return TryParseCompactTime(compact[..(hms.Length == 8 ? 6 : 4)], dot < 0 ? default : s[(dot + 1)..], dot >= 0, ref p);
        }
        return TryParseCompactTime(hms, dot < 0 ? default : s[(dot + 1)..], dot >= 0, ref p);
    }

    private static bool TryParseCompactTime(ReadOnlySpan<char> hms, ReadOnlySpan<char> fraction, bool hasDot, ref Parts p)
    {
        if (hms.Length is not (2 or 4 or 6)) return false;
        if (hasDot && (hms.Length != 6 || fraction.Length is < 1 or > 6)) return false;
        if (!Digits(hms, 0, 2, out p.Hour) || p.Hour > 23) return false;
        if (hms.Length >= 4 && (!Digits(hms, 2, 2, out p.Minute) || p.Minute > 59)) return false;
        // 60 is a leap second (PS3.5 6.2); a timestamp type cannot hold it, so it reads as 59.
        if (hms.Length == 6 && (!Digits(hms, 4, 2, out p.Second) || p.Second > 60)) return false;
        if (p.Second == 60) p.Second = 59;
        if (hasDot)
        {
            if (!Digits(fraction, 0, fraction.Length, out p.Fraction)) return false;
            p.FractionDigits = fraction.Length;
        }
        return true;
    }

    // ±HHMM, hours up to 14 (PS3.5 allows -1200 to +1400).
    private static bool TryParseOffset(ReadOnlySpan<char> s, ref Parts p)
    {
        if (s.Length != 5 || s[0] is not ('+' or '-')) return false;
        if (!Digits(s, 1, 2, out int h) || !Digits(s, 3, 2, out int m) || h > 14 || m > 59) return false;
        p.OffsetMinutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
        p.HasOffset = true;
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length) return false;
        for (int i = start; i < start + count; i++)
        {
            int digit = s[i] - '0';
            if ((uint)digit > 9) return false;
            value = value * 10 + digit;
        }
        return true;
    }

    private static string Format(in Parts p)
    {
        Span<char> b = stackalloc char[40];
        int n = 0;
        Put(b, ref n, p.Year, 4); b[n++] = '-'; Put(b, ref n, p.Month, 2); b[n++] = '-'; Put(b, ref n, p.Day, 2);
        b[n++] = 'T'; Put(b, ref n, p.Hour, 2); b[n++] = ':'; Put(b, ref n, p.Minute, 2); b[n++] = ':'; Put(b, ref n, p.Second, 2);
        if (p.FractionDigits > 0) { b[n++] = '.'; Put(b, ref n, p.Fraction, p.FractionDigits); }
        if (p.HasOffset)
        {
            int abs = Math.Abs(p.OffsetMinutes);
            b[n++] = p.OffsetMinutes < 0 ? '-' : '+';
            Put(b, ref n, abs / 60, 2); b[n++] = ':'; Put(b, ref n, abs % 60, 2);
        }
        return new string(b[..n]);
    }

    private static void Put(Span<char> b, ref int n, int value, int width)
    {
        for (int i = width - 1; i >= 0; i--) { b[n + i] = (char)('0' + value % 10); value /= 10; }
        n += width;
    }
}
