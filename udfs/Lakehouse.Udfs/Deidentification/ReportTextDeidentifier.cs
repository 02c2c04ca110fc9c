using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Lakehouse.Udfs.Deidentification;

/// <summary>What the caller knows about the patient of one report (from the report's header row or the DICOM header).</summary>
public sealed record ReportScrubContext
{
    /// <summary>Person names in any form ("DOE^JANE^Q", "Jane Doe"); every component of two or more letters is scrubbed.</summary>
    public IReadOnlyList<string> KnownNames { get; init; } = [];

    /// <summary>Identifiers (MRN, accession number, other IDs, addresses): scrubbed wherever they occur as a whole token.</summary>
    public IReadOnlyList<string> KnownIdentifiers { get; init; } = [];

    /// <summary>Institution and department names of this site.</summary>
    public IReadOnlyList<string> InstitutionNames { get; init; } = [];

    /// <summary>The patient's date shift; dates in the text are shifted and keep their format. Null: dates become [DATE].</summary>
    public DateShift? DateShift { get; init; }
}

/// <summary>
/// Scrubs identifiers from free text (radiology reports, DICOM descriptors): known names and identifiers of the patient,
/// titled and labelled names, IDs, phone numbers, e-mail addresses, URLs, street addresses and ZIP codes, institution
/// names, and dates (shifted by the patient's <see cref="DateShift"/>, in the format they were written in).
/// Replacement tokens: [NAME], [ID], [PHONE], [ADDRESS], [EMAIL], [URL], [INSTITUTION], [DATE].
/// Clinical text is kept (labeling reads it): known values made only of department words ("RADIOLOGY", "PORTABLE"), name
/// parts that are ordinary words away from the rest of the name ("may", "white"), and institution or labelled-name matches
/// made of clinical words ("Department of Radiology", "PATIENT WITH CHEST PAIN") are left as written; see the README.
/// </summary>
public static class ReportTextDeidentifier
{
    /// <summary>Replacement for person names.</summary>
    public const string NameToken = "[NAME]";
    /// <summary>Replacement for identifiers.</summary>
    public const string IdToken = "[ID]";
    /// <summary>Replacement for phone numbers.</summary>
    public const string PhoneToken = "[PHONE]";
    /// <summary>Replacement for addresses.</summary>
    public const string AddressToken = "[ADDRESS]";
    /// <summary>Replacement for e-mail addresses.</summary>
    public const string EmailToken = "[EMAIL]";
    /// <summary>Replacement for URLs.</summary>
    public const string UrlToken = "[URL]";
    /// <summary>Replacement for institution names.</summary>
    public const string InstitutionToken = "[INSTITUTION]";
    /// <summary>Replacement for dates when no shift is known.</summary>
    public const string DateToken = "[DATE]";

    private const RegexOptions Opts = RegexOptions.Compiled | RegexOptions.CultureInvariant;
    private const string Months = @"(?<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";

    private static readonly Regex Email = new(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", Opts);
    private static readonly Regex Url = new(@"\b(?:https?://|www\.)[^\s<>""]+", Opts | RegexOptions.IgnoreCase);
    private static readonly Regex IsoDate = new(@"\b(?<y>\d{4})-(?<m>\d{2})-(?<d>\d{2})\b", Opts);
    private static readonly Regex UsDate = new(@"\b(?<m>\d{1,2})/(?<d>\d{1,2})/(?<y>\d{4}|\d{2})\b", Opts);
    private static readonly Regex DotDate = new(@"\b(?<d>\d{1,2})\.(?<m>\d{1,2})\.(?<y>\d{4})\b", Opts);
    private static readonly Regex MonthFirstDate = new(@"\b" + Months + @"\.?\s+(?<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?<y>\d{4})\b", Opts | RegexOptions.IgnoreCase);
    private static readonly Regex DayFirstDate = new(@"\b(?<d>\d{1,2})(?<s1>[\s-])" + Months + @"\.?(?<s2>[\s-])(?<y>\d{4}|\d{2})\b", Opts | RegexOptions.IgnoreCase);
    private static readonly Regex Ssn = new(@"\b\d{3}-\d{2}-\d{4}\b", Opts);
    private static readonly Regex Phone = new(@"(?:\+\d{1,3}(?:[\s.-]\d{2,5}){2,4}\b)|(?:(?<![\w-])(?:\+?1[\s.-])?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}\b)", Opts);
    private static readonly Regex Street = new(
        @"\b\d{1,6}\s+(?:[A-Z][A-Za-z]*\.?\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Drive|Dr|Lane|Ln|Boulevard|Blvd|Plaza|Way|Court|Ct|Place|Pl|Parkway|Pkwy|Terrace|Highway|Hwy|Circle|Square|Sq)\b\.?"
        + @"(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|#)\.?\s*[\w-]+)?(?:,\s*[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+){0,2},?\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?\b)?", Opts);
    private static readonly Regex GermanStreet = new(@"\b[A-ZÄÖÜ][a-zäöüß]+(?:strasse|straße|weg|platz|gasse|allee|ring)\s+\d+[a-z]?(?:,\s*\d{5}\s+[A-ZÄÖÜ][a-zäöüß]+)?", Opts);
    private static readonly Regex CityStateZip = new(@"\b(?:[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+){0,2},\s*)?[A-Z]{2}\s+\d{5}(?:-\d{4})?\b", Opts);
    private static readonly Regex Institution = new(
        @"\b(?:\p{Lu}[\p{L}'&.-]*\s+(?:(?:and|of|for|the|&)\s+)?){1,5}(?:Hospital|Medical Cent(?:er|re)|Clinic|Health Cent(?:er|re)|Health System|Cancer Cent(?:er|re)|Cancer Institute|Institute|Infirmary|Imaging Cent(?:er|re)|Radiology|Heart and Vascular|Sykehus|Sjukehus|Krankenhaus|Klinik|Kliniken|Spital|Ziekenhuis)\b"
        + @"|\b(?:Klinikum|Universitätsklinikum|Hospital|Clinic)\s+(?:of\s+)?[A-Z][\w-]+", Opts);
    private static readonly Regex TitledName = new(@"\b(?<t>Dr|Mr|Mrs|Ms|Miss|Prof|Doctor)(?<p>\.?\s+)\p{Lu}[\p{L}'-]+(?:,?\s+\p{Lu}\.)?(?:\s+\p{Lu}[\p{L}'-]+)?", Opts);
    private static readonly Regex LabelledName = new(
        @"(?<l>\b(?i:patient(?: name)?|name|physician|referring(?: physician)?|attending|radiologist|dictated by|signed by|read by|reported by|reviewed by|technologist|cc)\s*(?<c>:?)\s+)"
        + @"(?<n>\p{Lu}[\p{L}'-]+(?:,\s*\p{Lu}[\p{L}'-]+|(?:\s+\p{Lu}\.?)?\s+\p{Lu}[\p{L}'-]+))", Opts);
    // A name written right before the patient's record number: "(James Phillips, MRN 123)".
    private static readonly Regex NameBeforeId = new(@"(?<l>)(?<n>\p{Lu}[\p{L}'-]+(?:\s+\p{Lu}[\p{L}'-]+){1,2})(?=,?\s+(?:MRN|MR#|DOB)\b)", Opts);
    // A number after a phone label, in any national format ("Tel. 03-2464-9567", "phone 040 555 0123"); ≥ 7 digits checked on match.
    private static readonly Regex LabelledPhone = new(
        @"(?<l>\b(?i:phone|telephone|tel|fax|mobile|cell|reached at)\b\.?\s*(?:(?i:no|number|nr)\.?\s*)?[:#]?\s*)\+?\(?\d[\d\s()./-]{5,}\d", Opts);
    private static readonly Regex Word = new(@"[\p{L}][\p{L}'-]*", Opts);
    private static readonly Regex LabelledId = new(
        @"(?<l>\b(?i:MRN|MR#|medical record(?: number)?|patient id|accession(?: number| no\.?| #)?|acc\.?|account(?: number)?|ssn|id)\s*[:#]?\s*)(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{2,}", Opts);
    private static readonly Regex IdLike = new(@"\b[A-Za-z]{0,8}-?\d{5,}[A-Za-z0-9-]*\b", Opts);

    private static readonly string[] MonthNames = CultureInfo.InvariantCulture.DateTimeFormat.MonthNames;
    private static readonly HashSet<string> Titles = new(["DR", "MR", "MRS", "MS", "MISS", "PROF", "MD", "PHD", "JR", "SR", "II", "III", "RN"], StringComparer.OrdinalIgnoreCase);

    /// <summary>The scrubbed text.</summary>
    public static string Scrub(string text, ReportScrubContext context)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(context);
        if (text.Length == 0) return text;
        string s = text;
        // Caller-known values first: they are exact and beat every pattern.
        // A value made only of department words ("RADIOLOGY", "PORTABLE") identifies nobody: scrubbing it would blank
        // that word in every report of the site.
        foreach (string id in KnownValues(context.KnownIdentifiers))
            s = ReplaceWhole(s, id, IdToken);
        foreach (string inst in KnownValues(context.InstitutionNames))
            s = ReplaceWhole(s, inst, InstitutionToken);
        var parts = NameParts(context.KnownNames).ToList();
        foreach (string part in parts)
            if (!ScrubVocabulary.IsCommonWord(part)) s = ReplaceWhole(s, part, NameToken);
        if (parts.Exists(p => ScrubVocabulary.IsCommonWord(p))) s = ReplaceCommonNameParts(s, parts);

        s = Email.Replace(s, EmailToken);
        s = Url.Replace(s, UrlToken);
        var shift = context.DateShift;
        s = IsoDate.Replace(s, m => RenderNumeric(m, shift, d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        s = UsDate.Replace(s, m => RenderNumeric(m, shift, d => Pad(d.Month, Padded(m)) + "/" + Pad(d.Day, Padded(m)) + "/" + Year(d, m.Groups["y"].Length)));
        s = DotDate.Replace(s, m => RenderNumeric(m, shift, d => Pad(d.Day, Padded(m)) + "." + Pad(d.Month, Padded(m)) + "." + Year(d, 4)));
        s = MonthFirstDate.Replace(s, m => RenderNamed(m, shift, (d, mon) => mon + m.Value[(m.Groups["mon"].Index + m.Groups["mon"].Length - m.Index)..(m.Groups["d"].Index - m.Index)]
            + Pad(d.Day, Padded(m)) + m.Value[(m.Groups["d"].Index + m.Groups["d"].Length - m.Index)..(m.Groups["y"].Index - m.Index)] + Year(d, 4)));
        s = DayFirstDate.Replace(s, m => RenderNamed(m, shift, (d, mon) => Pad(d.Day, Padded(m) || m.Groups["s1"].Value == "-") + m.Groups["s1"].Value + mon
            + m.Value[(m.Groups["mon"].Index + m.Groups["mon"].Length - m.Index)..(m.Groups["s2"].Index - m.Index)] + m.Groups["s2"].Value + Year(d, m.Groups["y"].Length)));

        s = Ssn.Replace(s, IdToken);
        s = Phone.Replace(s, PhoneToken);
        s = LabelledPhone.Replace(s, LabelledPhoneEvaluator);
        s = Street.Replace(s, AddressToken);
        s = GermanStreet.Replace(s, AddressToken);
        s = CityStateZip.Replace(s, AddressToken);
        s = Institution.Replace(s, InstitutionEvaluator);
        s = TitledName.Replace(s, m => m.Groups["t"].Value + m.Groups["p"].Value + NameToken);
        s = LabelledName.Replace(s, LabelledNameEvaluator);
        s = NameBeforeId.Replace(s, LabelledNameEvaluator);
        s = LabelledId.Replace(s, m => m.Groups["l"].Value + IdToken);
        s = IdLike.Replace(s, IdToken);
        return s;
    }

    private static readonly MatchEvaluator LabelledPhoneEvaluator = m =>
    {
        int digits = 0;
        foreach (char c in m.ValueSpan) if (char.IsAsciiDigit(c)) digits++;
        return digits >= 7 ? m.Groups["l"].Value + PhoneToken : m.Value;
    };

    /// <summary>
    /// An institution match made only of department and ordinary words ("Department of Radiology", "Interventional Radiology",
    /// "Clinic Visit") is kept; otherwise leading ordinary words ("The", "Outside") stay and the rest is scrubbed.
    /// </summary>
    private static readonly MatchEvaluator InstitutionEvaluator = m =>
    {
        string value = m.Value;
        int keep = -1;
        bool allGeneric = true;
        foreach (var w in Word.EnumerateMatches(value))
        {
            var word = value.AsSpan(w.Index, w.Length);
            bool common = ScrubVocabulary.IsCommonWord(word);
            if (!common && keep < 0) keep = w.Index;
            if (!common && !ScrubVocabulary.IsDepartmentWord(word)) allGeneric = false;
        }
        if (allGeneric || keep < 0) return value;
        return string.Concat(value.AsSpan(0, keep), InstitutionToken);
    };

    /// <summary>
    /// After a label with a colon ("Patient: Rose May") a name is expected: kept only when every word is an ordinary word.
    /// Without a colon ("PATIENT HAS CHEST PAIN") one ordinary word means it is not a name.
    /// </summary>
    private static readonly MatchEvaluator LabelledNameEvaluator = m =>
    {
        bool colon = m.Groups["c"].Length > 0;
        int words = 0, common = 0;
        var name = m.Groups["n"].ValueSpan;
        foreach (var w in Word.EnumerateMatches(name))
        {
            words++;
            if (ScrubVocabulary.IsCommonWord(name.Slice(w.Index, w.Length))) common++;
        }
        bool isName = colon ? common < words : common == 0;
        return isName ? m.Groups["l"].Value + NameToken : m.Value;
    };

    /// <summary>Known values of at least three characters that are not department words only, longest first.</summary>
    private static IEnumerable<string> KnownValues(IReadOnlyList<string> values) =>
        values.Select(v => v.Trim()).Where(v => v.Length >= 3 && !ScrubVocabulary.IsDepartmentOnly(v)).OrderByDescending(v => v.Length);

    /// <summary>
    /// Known name parts that are ordinary words ("May", "Rose", "White") are scrubbed only beside another part of the name, a
    /// name token or a title: "Rose May", "MAY, ROSE", "Mrs. May", "[NAME] White"; "may represent" and "white matter" stay.
    /// </summary>
    private static string ReplaceCommonNameParts(string text, List<string> parts)
    {
        var known = new HashSet<string>(parts, StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        var titles = Titles.GetAlternateLookup<ReadOnlySpan<char>>();
        var words = new List<(int Index, int Length)>();
        foreach (var w in Word.EnumerateMatches(text)) words.Add((w.Index, w.Length));
        StringBuilder? sb = null;
        int copied = 0;
        for (int i = 0; i < words.Count; i++)
        {
            var (index, length) = words[i];
            var word = text.AsSpan(index, length);
            if (!ScrubVocabulary.IsCommonWord(word) || !known.Contains(word)) continue;
            bool before = false, after = false;
            if (i > 0 && Adjacent(text, words[i - 1].Index + words[i - 1].Length, index))
            {
                var (pi, pl) = words[i - 1];
                var prev = text.AsSpan(pi, pl);
                before = known.Contains(prev) || titles.Contains(prev) || IsNameToken(text, pi, pl);
            }
            if (i + 1 < words.Count && Adjacent(text, index + length, words[i + 1].Index))
            {
                var (ni, nl) = words[i + 1];
                after = known.Contains(text.AsSpan(ni, nl)) || IsNameToken(text, ni, nl);
            }
            if (!before && !after) continue;
            sb ??= new StringBuilder(text.Length);
            sb.Append(text, copied, index - copied).Append(NameToken);
            copied = index + length;
        }
        return sb is null ? text : sb.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>Only spaces, commas, periods, carets and the brackets of a token between two words.</summary>
    private static bool Adjacent(string text, int from, int to)
    {
        for (int k = from; k < to; k++)
            if (text[k] is not (' ' or ',' or '.' or '^' or '[' or ']' or '\t')) return false;
        return true;
    }

    private static bool IsNameToken(string text, int index, int length) =>
        index > 0 && text[index - 1] == '[' && text.AsSpan(index - 1).StartsWith(NameToken, StringComparison.Ordinal) && length == NameToken.Length - 2;

    /// <summary>Name components of at least two letters, titles and initials left out, longest first.</summary>
    internal static IEnumerable<string> NameParts(IEnumerable<string> names) =>
        names.SelectMany(n => n.Split(['^', '=', ' ', ',', '.'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(p => p.Length >= 2 && !Titles.Contains(p))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(p => p.Length);

    /// <summary>Replaces every case-insensitive occurrence of <paramref name="value"/> not inside a longer word or number.</summary>
    internal static string ReplaceWhole(string text, string value, string token)
    {
        int i = text.IndexOf(value, StringComparison.OrdinalIgnoreCase);
        if (i < 0) return text;
        var sb = new StringBuilder(text.Length);
        int start = 0;
        while (i >= 0)
        {
            int end = i + value.Length;
            bool boundary = (i == 0 || !char.IsLetterOrDigit(text[i - 1])) && (end == text.Length || !char.IsLetterOrDigit(text[end]));
            if (boundary)
            {
                sb.Append(text, start, i - start).Append(token);
                start = end;
            }
            i = text.IndexOf(value, boundary ? end : i + 1, StringComparison.OrdinalIgnoreCase);
        }
        return sb.Append(text, start, text.Length - start).ToString();
    }

    private static string RenderNumeric(Match m, DateShift? shift, Func<DateOnly, string> render)
    {
        if (!TryDate(m.Groups["y"].Value, int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture), m.Groups["d"].Value, out var date)) return m.Value;
        return shift is { } s ? render(s.Shift(date)) : DateToken;
    }

    private static string RenderNamed(Match m, DateShift? shift, Func<DateOnly, string, string> render)
    {
        string mon = m.Groups["mon"].Value;
        int month = Array.FindIndex(MonthNames, n => n.Length > 0 && n.StartsWith(mon[..3], StringComparison.OrdinalIgnoreCase)) + 1;
        if (month == 0 || !TryDate(m.Groups["y"].Value, month, m.Groups["d"].Value, out var date)) return m.Value;
        if (shift is not { } s) return DateToken;
        var shifted = s.Shift(date);
        string name = MonthNames[shifted.Month - 1];
        if (mon.Length <= 4) name = name[..3];
        if (mon.All(c => !char.IsLetter(c) || char.IsUpper(c))) name = name.ToUpperInvariant();
        else if (mon.All(c => !char.IsLetter(c) || char.IsLower(c))) name = name.ToLowerInvariant();
        return render(shifted, name);
    }

    private static bool TryDate(string y, int month, string d, out DateOnly date)
    {
        date = default;
        int year = int.Parse(y, CultureInfo.InvariantCulture);
        if (y.Length == 2) year += year <= 50 ? 2000 : 1900; // two-digit years: 00-50 → 2000s
        int day = int.Parse(d, CultureInfo.InvariantCulture);
        if (month is < 1 or > 12 || year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        date = new DateOnly(year, month, day);
        return true;
    }

    /// <summary>Zero-padded output when the written date shows a leading zero in any numeric part.</summary>
    private static bool Padded(Match m) => m.Groups["d"].Value.StartsWith('0') || (m.Groups["m"].Success && m.Groups["m"].Value.StartsWith('0'));

    private static string Pad(int value, bool padded) => value.ToString(padded ? "00" : "0", CultureInfo.InvariantCulture);

    private static string Year(DateOnly d, int width) => width == 2 ? (d.Year % 100).ToString("00", CultureInfo.InvariantCulture) : d.Year.ToString("0000", CultureInfo.InvariantCulture);
}
