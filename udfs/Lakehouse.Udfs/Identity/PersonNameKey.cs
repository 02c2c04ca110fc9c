using System.Globalization;
using System.Text;

namespace Lakehouse.Udfs.Identity;

/// <summary>
/// The exact-match key of a DICOM Person Name (PN) for linking by name + birth date + sex.
/// Rules (chosen to absorb how sites re-type a name, never to guess):
/// <list type="bullet">
/// <item>Only one component group is used: the alphabetic one ("Family^Given=Ideographic=Phonetic"), or, when it is empty,
/// the ideographic one, then the phonetic one; the group number is part of the key, so an alphabetic name never matches an
/// ideographic one. Sites write the ideographic/phonetic groups inconsistently, so they do not take part otherwise.</item>
/// <item>Components: family, given and middle only; prefix and suffix ("Dr", "Jr") are dropped, as sites add or omit them.</item>
/// <item>Component order matters: "A^B" and "B^A" are different keys. Swapping family and given would merge different people
/// ("Paul^John", "John^Paul") for the sake of a rare data-entry error.</item>
/// <item>Letters are folded: German and Nordic letters to their ICAO 9303 (passport) transliteration (Ä→AE, Ö→OE, Ü→UE, ß→SS,
/// Æ→AE, Ø→OE, Å→AA), other accents removed (É→E), upper case; everything that is not a letter or digit (spaces, hyphens,
/// apostrophes, dots) is removed, so "O'Brien-Smith" and "OBRIEN SMITH" match.</item>
/// <item>No key when the family or the given name is empty after folding (too weak to link), or when the family name is a
/// configured placeholder (<see cref="IdentityOptions.PlaceholderFamilyNames"/>).</item>
/// </list>
/// </summary>
public static class PersonNameKey
{
    /// <summary>The match key of a PN value, or null when it cannot link.</summary>
    public static string? Normalize(string? personName, IReadOnlySet<string>? placeholderFamilyNames = null)
    {
        if (string.IsNullOrWhiteSpace(personName)) return null;
        string[] groups = personName.Split('=');
        for (int g = 0; g < Math.Min(groups.Length, 3); g++)
        {
            string[] parts = groups[g].Split('^');
            string family = Component(parts, 0), given = Component(parts, 1), middle = Component(parts, 2);
            if (family.Length == 0 && given.Length == 0 && middle.Length == 0) continue;
            if (family.Length == 0 || given.Length == 0) return null;
            if (placeholderFamilyNames is not null && placeholderFamilyNames.Contains(family)) return null;
            return string.Create(CultureInfo.InvariantCulture, $"{g}:{family}^{given}^{middle}");
        }
        return null;
    }

    private static string Component(string[] parts, int index)
    {
        if (index >= parts.Length) return "";
        string folded = FoldLetters(parts[index]);
        var sb = new StringBuilder(folded.Length);
        foreach (char c in folded)
            if (char.IsLetterOrDigit(c)) sb.Append(c);
        return sb.ToString();
    }

    // Base letters of the upper-case Latin-1 (U+00C0-U+00DE) and Latin Extended-A (U+0100-U+017F) letters, by code point.
    // A table rather than string.Normalize: the build uses InvariantGlobalization, where normalization is not available.
    // '-' is not a letter (dropped later); the two-letter folds are handled before the table is consulted.
    private const string Latin1 = "AAAAAAACEEEEIIIIDNOOOOO-OUUUUYT";
    private const string LatinExtendedA =
        "AAAAAACCCCCCCCDDDDEEEEEEEEEEGGGGGGGGHHHHIIIIIIIIII--JJKKKLLLLLLLLLLNNNNNNNNNOOOOOO--RRRRRRSSSSSSSSTTTTTTUUUUUUUUUUUUWWYYYZZZZZZS";

    private static void AppendBase(StringBuilder sb, char letter)
    {
        if (letter != '-') sb.Append(letter);
    }

    /// <summary>Upper case with accents folded (ICAO 9303 for German and Nordic letters, diacritics removed otherwise).</summary>
    public static string FoldLetters(string text)
    {
        var sb = new StringBuilder(text.Length + 4);
        foreach (char c in text)
        {
            switch (char.ToUpperInvariant(c))
            {
                case 'Ä': sb.Append("AE"); break;
                case 'Ö': sb.Append("OE"); break;
                case 'Ü': sb.Append("UE"); break;
                case 'Æ': sb.Append("AE"); break;
                case 'Ø': sb.Append("OE"); break;
                case 'Å': sb.Append("AA"); break;
                case 'Œ': sb.Append("OE"); break;
                case 'Þ': sb.Append("TH"); break;
                case 'Ð' or 'Đ': sb.Append('D'); break;
                case 'Ł': sb.Append('L'); break;
                case 'ß' or 'ẞ': sb.Append("SS"); break;
                case 'Ĳ': sb.Append("IJ"); break;
                case var u when u < 128: sb.Append(u); break;
                case var u when u is >= '\u00C0' and <= '\u00DE': AppendBase(sb, Latin1[u - 0xC0]); break;
                case var u when u is >= '\u0100' and <= '\u017F': AppendBase(sb, LatinExtendedA[u - 0x100]); break;
                case var u:
                    // Combining marks of already-decomposed text are dropped; other scripts are kept as they are.
                    if (CharUnicodeInfo.GetUnicodeCategory(u) is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark))
                        sb.Append(u);
                    break;
            }
        }
        return sb.ToString();
    }
}
