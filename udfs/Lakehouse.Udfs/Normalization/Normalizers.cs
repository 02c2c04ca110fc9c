namespace Lakehouse.Udfs.Normalization;

/// <summary>Modality (0008,0060) to its DICOM defined term: <c>"CT "</c>, <c>ct</c> → CT; <c>PET</c> → PT; retired terms to current ones.</summary>
public static class ModalityNormalizer
{
    /// <summary>The defined term, or the trimmed raw value with <see cref="MappedValue.Mapped"/> false.</summary>
    public static MappedValue Normalize(string? raw, NormalizationReference? reference = null) =>
        Lookup.Map((reference ?? NormalizationReference.Default).Modalities, raw);
}

/// <summary>Patient's Sex (0010,0040) to M, F or O; <c>U</c>/<c>UNKNOWN</c> are mapped to null.</summary>
public static class Sex
{
    /// <summary>M, F, O or null; unmapped spellings are kept raw with <see cref="MappedValue.Mapped"/> false.</summary>
    public static MappedValue Normalize(string? raw, NormalizationReference? reference = null)
    {
        var result = Lookup.Map((reference ?? NormalizationReference.Default).Sexes, raw);
        // An empty target in sex.csv means "known to be unknown".
        return result.Mapped && result.Value!.Length == 0 ? new MappedValue(null, true) : result;
    }
}

/// <summary>Manufacturer (0008,0070) to a canonical vendor: case, accents, punctuation and corporate suffixes do not matter.</summary>
public static class ManufacturerNormalizer
{
    /// <summary>The canonical vendor, or the trimmed raw value with <see cref="MappedValue.Mapped"/> false.</summary>
    public static MappedValue Normalize(string? raw, NormalizationReference? reference = null)
    {
        if (string.IsNullOrWhiteSpace(raw)) return default;
        var refs = reference ?? NormalizationReference.Default;
        ReadOnlySpan<char> text = raw.Length > PhraseIndex<StudyPhrase>.MaxTextLength ? raw.AsSpan(0, PhraseIndex<StudyPhrase>.MaxTextLength) : raw;
        Span<char> folded = stackalloc char[PhraseIndex<StudyPhrase>.MaxTextLength];
        Span<char> key = stackalloc char[PhraseIndex<StudyPhrase>.MaxTextLength];
        Span<int> starts = stackalloc int[WordSplitter.MaxWords];
        Span<int> ends = stackalloc int[WordSplitter.MaxWords];
        int words = WordSplitter.Split(text, folded, starts, ends);
        // Drop trailing corporate suffixes, one to MaxSuffixWords words at a time ("B.V." is two words), keeping at least one word.
        bool dropped = true;
        while (dropped && words > 1)
        {
            dropped = false;
            for (int n = Math.Min(refs.MaxSuffixWords, words - 1); n >= 1; n--)
            {
                int length = WordSplitter.Join(folded, starts, ends, words - n, n, key);
                if (refs.ManufacturerSuffixes.ContainsKey(key[..length]))
                {
                    words -= n;
                    dropped = true;
                    break;
                }
            }
        }
        int keyLength = WordSplitter.Join(folded, starts, ends, 0, words, key);
        return keyLength > 0 && refs.Manufacturers.TryGetValue(key[..keyLength], out string? vendor)
            ? new MappedValue(vendor, true)
            : new MappedValue(raw.Trim(), false);
    }
}

/// <summary>Manufacturer's Model Name (0008,1090): trimmed, upper-cased, spaces collapsed, then known aliases mapped.</summary>
public static class ModelNameNormalizer
{
    /// <summary>
    /// The model's canonical name when <c>model.csv</c> has the alias for this vendor (or for any vendor),
    /// else the case-normalized name with <see cref="MappedValue.Mapped"/> false.
    /// </summary>
    /// <param name="manufacturer">Raw or canonical Manufacturer; normalized first.</param>
    /// <param name="model">Raw model name.</param>
    /// <param name="reference">Mapping tables; <see cref="NormalizationReference.Default"/> when null.</param>
    public static MappedValue Normalize(string? manufacturer, string? model, NormalizationReference? reference = null)
    {
        string? key = CaseNormalize(model);
        if (key is null) return default;
        var refs = reference ?? NormalizationReference.Default;
        string? vendor = ManufacturerNormalizer.Normalize(manufacturer, refs) is { Mapped: true } m ? m.Value : null;
        if (vendor is not null && refs.ModelsByManufacturer.TryGetValue(vendor, out var byVendor) && byVendor.TryGetValue(key, out string? name))
            return new MappedValue(name, true);
        if (refs.ModelsByManufacturer.TryGetValue("", out var anyVendor) && anyVendor.TryGetValue(key, out name))
            return new MappedValue(name, true);
        return new MappedValue(key, false);
    }

    /// <summary>Trimmed, upper-cased, runs of whitespace and underscores as one space; null when empty.</summary>
    public static string? CaseNormalize(string? model)
    {
        if (string.IsNullOrWhiteSpace(model)) return null;
        ReadOnlySpan<char> text = model.AsSpan().Trim();
        return string.Create(CollapsedLength(text), model, static (dest, source) =>
        {
            ReadOnlySpan<char> t = source.AsSpan().Trim();
            int n = 0;
            bool space = false;
            foreach (char c in t)
            {
                if (char.IsWhiteSpace(c) || c == '_') { space = true; continue; }
                if (space) { dest[n++] = ' '; space = false; }
                dest[n++] = char.ToUpperInvariant(c);
            }
        });
    }

    private static int CollapsedLength(ReadOnlySpan<char> trimmed)
    {
        int n = 0;
        bool space = false;
        foreach (char c in trimmed)
        {
            if (char.IsWhiteSpace(c) || c == '_') { space = true; continue; }
            if (space) { n++; space = false; }
            n++;
        }
        return n;
    }
}

/// <summary>The site a study came from, by Issuer of Patient ID (0010,0021) first, then Institution Name (0008,0080).</summary>
public static class SiteNormalizer
{
    /// <summary>The site; when neither value maps, the trimmed institution (else issuer) with <see cref="MappedValue.Mapped"/> false.</summary>
    public static MappedValue Normalize(string? issuer, string? institution, NormalizationReference? reference = null)
    {
        var refs = reference ?? NormalizationReference.Default;
        if (!string.IsNullOrWhiteSpace(issuer) && LookupKey.TryGet(refs.SitesByIssuer, issuer, out string? site)) return new MappedValue(site, true);
        if (!string.IsNullOrWhiteSpace(institution) && LookupKey.TryGet(refs.SitesByInstitution, institution, out site)) return new MappedValue(site, true);
        string? raw = !string.IsNullOrWhiteSpace(institution) ? institution.Trim() : string.IsNullOrWhiteSpace(issuer) ? null : issuer.Trim();
        return new MappedValue(raw, false);
    }
}

/// <summary>Body Part Examined (0018,0015) to a canonical term with SNOMED CT code; inferred from the study description when empty.</summary>
public static class BodyPartNormalizer
{
    /// <summary>
    /// Maps <paramref name="raw"/> (also after dropping a laterality prefix or suffix: <c>RKNEE</c> → KNEE).
    /// When <paramref name="raw"/> is empty, takes the first body-part phrase of <paramref name="studyDescription"/>
    /// (<see cref="BodyPartMethod.StudyDescription"/>). A non-empty unmapped value is kept raw (<see cref="BodyPartMethod.Unmapped"/>).
    /// </summary>
    public static BodyPartResult Normalize(string? raw, string? studyDescription, NormalizationReference? reference = null)
    {
        var refs = reference ?? NormalizationReference.Default;
        if (!string.IsNullOrWhiteSpace(raw))
        {
            var term = Find(refs, raw);
            return term is null
                ? new BodyPartResult(raw.Trim(), null, null, false, BodyPartMethod.Unmapped)
                : new BodyPartResult(term.Term, term.SnomedCode, term.Display, true, BodyPartMethod.BodyPartExamined);
        }
        if (!string.IsNullOrWhiteSpace(studyDescription))
        {
            var visitor = new FirstRegion();
            refs.DescriptionPhrases.Scan(studyDescription, ref visitor);
            if (visitor.Region is { } found)
                return new BodyPartResult(found.Term, found.SnomedCode, found.Display, true, BodyPartMethod.StudyDescription);
        }
        return default;
    }

    private static BodyPartTerm? Find(NormalizationReference refs, ReadOnlySpan<char> raw)
    {
        Span<char> key = stackalloc char[LookupKey.StackLimit];
        if (raw.Length > LookupKey.StackLimit) raw = raw[..LookupKey.StackLimit];
        int n = LookupKey.Write(raw, key);
        if (n == 0) return null;
        ReadOnlySpan<char> k = key[..n];
        if (refs.BodyParts.TryGetValue(k, out var term)) return term;
        foreach (string side in refs.LateralityKeys)
        {
            if (k.Length > side.Length && k.StartsWith(side, StringComparison.Ordinal) && refs.BodyParts.TryGetValue(k[side.Length..], out term)) return term;
            if (k.Length > side.Length && k.EndsWith(side, StringComparison.Ordinal) && refs.BodyParts.TryGetValue(k[..^side.Length], out term)) return term;
        }
        return null;
    }

    private struct FirstRegion : IPhraseVisitor<StudyPhrase>
    {
        public BodyPartTerm? Region;

        public bool Visit(StudyPhrase meaning)
        {
            Region = meaning.Region;
            return Region is null;
        }
    }
}

/// <summary>Shared lookup of a whole value.</summary>
internal static class Lookup
{
    public static MappedValue Map(System.Collections.Frozen.FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> map, string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return default;
        return LookupKey.TryGet(map, raw, out string? value) ? new MappedValue(value, true) : new MappedValue(raw.Trim(), false);
    }
}
