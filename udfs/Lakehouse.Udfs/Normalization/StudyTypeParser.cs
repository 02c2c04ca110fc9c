namespace Lakehouse.Udfs.Normalization;

/// <summary>
/// A local study description to a study type: modality, body region, contrast and view, each read from
/// phrase tables (<c>study_token.csv</c>, <c>body_part_alias.csv</c>), and a canonical name built from them.
/// </summary>
public static class StudyTypeParser
{
    /// <summary>
    /// Parses <paramref name="description"/>. The header <paramref name="modality"/>, when it maps, wins over a
    /// modality phrase of the description. The first body-region phrase is the region. Contrast is Yes when any
    /// phrase says with contrast, else No when any says without.
    /// </summary>
    public static StudyType Parse(string? description, string? modality, NormalizationReference? reference = null)
    {
        var refs = reference ?? NormalizationReference.Default;
        var header = ModalityNormalizer.Normalize(modality, refs);
        if (string.IsNullOrWhiteSpace(description))
            return new StudyType(null, header.Mapped ? header.Value : null, null, Contrast.Unknown, null, false);

        var found = new Collector();
        refs.DescriptionPhrases.Scan(description, ref found);
        string? mod = header.Mapped ? header.Value : found.Modality;
        string? view = found.ViewCount switch
        {
            0 => null,
            1 => found.View0,
            2 => string.Concat(found.View0, "/", found.View1),
            _ => string.Concat(found.View0, "/", found.View1, "/", found.View2),
        };
        bool mapped = mod is not null && found.Region is not null;
        string name = mapped ? CanonicalName(mod!, found.Region!.Display, found.Contrast, view) : description.Trim();
        return new StudyType(name, mod, found.Region?.Term, found.Contrast, view, mapped);
    }

    private static string CanonicalName(string modality, string region, Contrast contrast, string? view)
    {
        string contrastText = contrast switch { Contrast.Yes => " with contrast", Contrast.No => " without contrast", _ => "" };
        return view is null
            ? string.Concat(modality, " ", region, contrastText)
            : string.Concat(modality, " ", region, contrastText, " ", view);
    }

    private struct Collector : IPhraseVisitor<StudyPhrase>
    {
        public string? Modality;
        public BodyPartTerm? Region;
        public Contrast Contrast;
        public string? View0, View1, View2;
        public int ViewCount;

        public bool Visit(StudyPhrase meaning)
        {
            Modality ??= meaning.Modality;
            Region ??= meaning.Region;
            if (meaning.Contrast == Contrast.Yes || (meaning.Contrast == Contrast.No && Contrast == Contrast.Unknown))
                Contrast = meaning.Contrast;
            if (meaning.View is { } v && v != View0 && v != View1 && v != View2)
            {
                switch (ViewCount)
                {
                    case 0: View0 = v; break;
                    case 1: View1 = v; break;
                    case 2: View2 = v; break;
                    default: return true;
                }
                ViewCount++;
            }
            return true;
        }
    }
}
