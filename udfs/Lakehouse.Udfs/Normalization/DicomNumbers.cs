using System.Globalization;

namespace Lakehouse.Udfs.Normalization;

/// <summary>Decimal String (DS) values as doubles: Slice Thickness, Pixel Spacing and the like.</summary>
public static class DicomNumbers
{
    /// <summary>
    /// A single-valued DS: leading/trailing spaces and NULs, a leading <c>+</c> or <c>-</c>, a fraction and an exponent
    /// (<c>" +1.5E-1 "</c> → 0.15). Null when empty, multi-valued, not a number, or not finite.
    /// </summary>
    public static double? ParseDecimalString(string? value) => value is null ? null : Parse(value);

    /// <summary>The span form of <see cref="ParseDecimalString(string?)"/>.</summary>
    public static double? Parse(ReadOnlySpan<char> value)
    {
        value = value.Trim(" \0");
        if (value.IsEmpty) return null;
        // Only the DS alphabet: NumberStyles.Float would also accept "NaN" and "Infinity".
        foreach (char c in value)
            if (!((uint)(c - '0') <= 9 || c is '+' or '-' or '.' or 'e' or 'E')) return null;
        return double.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d : null;
    }
}

/// <summary>Pixel Spacing (0028,0030): DS with two values, "row spacing\column spacing" in mm.</summary>
public static class PixelSpacing
{
    /// <summary>Both spacings, or null unless there are exactly two numeric values.</summary>
    public static (double Row, double Column)? Parse(string? value)
    {
        if (value is null) return null;
        ReadOnlySpan<char> s = value;
        int slash = s.IndexOf('\\');
        if (slash < 0 || s[(slash + 1)..].Contains('\\')) return null;
        double? row = DicomNumbers.Parse(s[..slash]);
        double? column = DicomNumbers.Parse(s[(slash + 1)..]);
        return row is { } r && column is { } c ? (r, c) : null;
    }
}
