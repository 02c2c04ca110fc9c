using System.Collections.Frozen;

namespace Lakehouse.Udfs.Normalization;

/// <summary>
/// All reference mapping tables of normalization, parsed and indexed once. Built from the CSV files of
/// <c>pipelines/ref</c> (embedded in this assembly as defaults) or from user-edited copies of them.
/// Immutable and thread-safe: one instance serves every row of a job.
/// </summary>
public sealed class NormalizationReference
{
    /// <summary>The reference files, by name without extension.</summary>
    public static readonly IReadOnlyList<string> FileNames =
        ["modality", "body_part", "body_part_alias", "manufacturer", "manufacturer_suffix", "model", "study_token", "sex", "site"];

    private const string ResourcePrefix = "Lakehouse.Udfs.Ref.";
    private static readonly Lazy<NormalizationReference> DefaultLazy = new(LoadDefaults);

    internal readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Modalities;
    internal readonly FrozenDictionary<string, BodyPartTerm>.AlternateLookup<ReadOnlySpan<char>> BodyParts;
    internal readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Manufacturers;
    internal readonly FrozenDictionary<string, bool>.AlternateLookup<ReadOnlySpan<char>> ManufacturerSuffixes;
    internal readonly int MaxSuffixWords;
    internal readonly FrozenDictionary<string, FrozenDictionary<string, string>> ModelsByManufacturer;
    internal readonly PhraseIndex<StudyPhrase> DescriptionPhrases;
    internal readonly string[] LateralityKeys;
    internal readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Sexes;
    internal readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> SitesByIssuer;
    internal readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> SitesByInstitution;
    /// <summary>Site → ISO 3166-1 alpha-2 country, from the optional <c>country</c> column of site.csv.</summary>
    internal readonly FrozenDictionary<string, string> SiteCountries;

    private NormalizationReference(IReadOnlyDictionary<string, ReferenceTable> tables)
    {
        Versions = tables.ToFrozenDictionary(t => t.Key, t => t.Value.Version, StringComparer.Ordinal);

        Modalities = LookupKey.Freeze(KeyMap(tables["modality"], "raw", "modality", allowEmptyValue: false));

        var terms = new Dictionary<string, BodyPartTerm>(StringComparer.Ordinal);
        var bodyPart = tables["body_part"];
        int termCol = bodyPart.Column("term"), codeCol = bodyPart.Column("snomed_code"), displayCol = bodyPart.Column("display");
        foreach (var row in bodyPart.Rows)
        {
            if (row[termCol].Length == 0 || row[codeCol].Length == 0 || row[displayCol].Length == 0)
                throw new ReferenceDataException(bodyPart.Name, row.Line, "term, snomed_code and display are required");
            if (!terms.TryAdd(row[termCol], new BodyPartTerm(row[termCol], row[codeCol], row[displayCol])))
                throw new ReferenceDataException(bodyPart.Name, row.Line, $"duplicate term '{row[termCol]}'");
        }
        var bodyAliases = new Dictionary<string, BodyPartTerm>(StringComparer.Ordinal);
        foreach (var term in terms.Values) bodyAliases[LookupKey.Of(term.Term)] = term;
        var aliasTable = tables["body_part_alias"];
        int aliasCol = aliasTable.Column("alias"), aliasTermCol = aliasTable.Column("term");
        int maxPhraseWords = 1;
        foreach (var row in aliasTable.Rows)
        {
            if (!terms.TryGetValue(row[aliasTermCol], out var term))
                throw new ReferenceDataException(aliasTable.Name, row.Line, $"term '{row[aliasTermCol]}' is not in body_part");
            AddUnique(bodyAliases, aliasTable, row, row[aliasCol], term);
            maxPhraseWords = Math.Max(maxPhraseWords, WordSplitter.CountWords(row[aliasCol]));
        }
        BodyParts = LookupKey.Freeze(bodyAliases);

        Manufacturers = LookupKey.Freeze(KeyMap(tables["manufacturer"], "alias", "manufacturer", allowEmptyValue: false));
        var suffixTable = tables["manufacturer_suffix"];
        int suffixCol = suffixTable.Column("suffix");
        var suffixes = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var row in suffixTable.Rows)
        {
            string key = LookupKey.Of(row[suffixCol]);
            if (key.Length == 0) throw new ReferenceDataException(suffixTable.Name, row.Line, "empty suffix");
            suffixes[key] = true;
            // Dotted abbreviations split into one-letter words ("B.V."), so a suffix may span as many words as letters.
            MaxSuffixWords = Math.Max(MaxSuffixWords, Math.Min(key.Length, 4));
        }
        ManufacturerSuffixes = LookupKey.Freeze(suffixes);

        ModelsByManufacturer = BuildModels(tables["model"]);

        var phrases = new Dictionary<string, StudyPhrase>(StringComparer.Ordinal);
        foreach (var (key, term) in bodyAliases) phrases[key] = new StudyPhrase { Region = term };
        var tokens = tables["study_token"];
        int phraseCol = tokens.Column("phrase"), kindCol = tokens.Column("kind"), valueCol = tokens.Column("value");
        var laterality = new List<string>();
        foreach (var row in tokens.Rows)
        {
            string key = LookupKey.Of(row[phraseCol]);
            if (key.Length == 0) throw new ReferenceDataException(tokens.Name, row.Line, "empty phrase");
            string value = row[valueCol];
            if (value.Length == 0) throw new ReferenceDataException(tokens.Name, row.Line, "empty value");
            if (!phrases.TryGetValue(key, out var phrase)) phrases[key] = phrase = new StudyPhrase();
            bool fresh = row[kindCol] switch
            {
                "modality" => Set(ref phrase.Modality, value),
                "contrast" => SetContrast(phrase, value switch
                {
                    "yes" => Contrast.Yes,
                    "no" => Contrast.No,
                    _ => throw new ReferenceDataException(tokens.Name, row.Line, "contrast value must be 'yes' or 'no'"),
                }),
                "view" => Set(ref phrase.View, value),
                "laterality" => Set(ref phrase.Laterality, value),
                _ => throw new ReferenceDataException(tokens.Name, row.Line, "kind must be modality, contrast, view or laterality"),
            };
            if (!fresh) throw new ReferenceDataException(tokens.Name, row.Line, $"phrase '{row[phraseCol]}' already has a {row[kindCol]}");
            if (row[kindCol] == "laterality") laterality.Add(key);
            maxPhraseWords = Math.Max(maxPhraseWords, WordSplitter.CountWords(row[phraseCol]));
        }
        DescriptionPhrases = new PhraseIndex<StudyPhrase>(phrases, maxPhraseWords);
        // Longest first, so "RIGHT" is stripped before "R".
        LateralityKeys = [.. laterality.OrderByDescending(k => k.Length)];

        Sexes = LookupKey.Freeze(KeyMap(tables["sex"], "raw", "sex", allowEmptyValue: true));

        var sites = tables["site"];
        int siteKindCol = sites.Column("kind"), siteRawCol = sites.Column("raw"), siteCol = sites.Column("site"), countryCol = sites.OptionalColumn("country");
        var countries = new Dictionary<string, string>(StringComparer.Ordinal);
        var byIssuer = new Dictionary<string, string>(StringComparer.Ordinal);
        var byInstitution = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in sites.Rows)
        {
            var target = row[siteKindCol] switch
            {
                "issuer" => byIssuer,
                "institution" => byInstitution,
                _ => throw new ReferenceDataException(sites.Name, row.Line, "kind must be issuer or institution"),
            };
            if (row[siteCol].Length == 0) throw new ReferenceDataException(sites.Name, row.Line, "empty site");
            AddUnique(target, sites, row, row[siteRawCol], row[siteCol]);
            string country = countryCol < 0 ? "" : row[countryCol].Trim().ToUpperInvariant();
            if (country.Length == 0) continue;
            if (country.Length != 2 || !char.IsAsciiLetterUpper(country[0]) || !char.IsAsciiLetterUpper(country[1]))
                throw new ReferenceDataException(sites.Name, row.Line, "country must be an ISO 3166-1 alpha-2 code such as DE");
            if (countries.TryGetValue(row[siteCol], out var other) && other != country)
                throw new ReferenceDataException(sites.Name, row.Line, "the site has two different countries");
            countries[row[siteCol]] = country;
        }
        SiteCountries = countries.ToFrozenDictionary(StringComparer.Ordinal);
        SitesByIssuer = LookupKey.Freeze(byIssuer);
        SitesByInstitution = LookupKey.Freeze(byInstitution);
    }

    /// <summary>The reference shipped with the pipeline (embedded copies of <c>pipelines/ref/*.csv</c>), loaded once.</summary>
    public static NormalizationReference Default => DefaultLazy.Value;

    /// <summary>Each file's version (from its <c># version:</c> line), by file name; record it with the data it normalized.</summary>
    public IReadOnlyDictionary<string, string> Versions { get; }

    /// <summary>Loads the embedded default mapping files.</summary>
    public static NormalizationReference LoadDefaults() => Load(DefaultCsvTexts());

    /// <summary>The embedded default CSV texts by file name (without extension), e.g. to seed the <c>ref.*</c> tables.</summary>
    public static IReadOnlyDictionary<string, string> DefaultCsvTexts()
    {
        var assembly = typeof(NormalizationReference).Assembly;
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in FileNames)
        {
            using var stream = assembly.GetManifestResourceStream(ResourcePrefix + name + ".csv")
                ?? throw new ReferenceDataException(name, 0, "not embedded in Lakehouse.Udfs");
            using var reader = new StreamReader(stream);
            texts[name] = reader.ReadToEnd();
        }
        return texts;
    }

    /// <summary>
    /// Parses and indexes mapping files given as CSV text by file name (with or without <c>.csv</c>).
    /// Every name of <see cref="FileNames"/> is required.
    /// </summary>
    /// <exception cref="ReferenceDataException">A file is missing, malformed or inconsistent (names file, line and reason).</exception>
    public static NormalizationReference Load(IReadOnlyDictionary<string, string> csvTextByName)
    {
        ArgumentNullException.ThrowIfNull(csvTextByName);
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, text) in csvTextByName)
            byName[name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? name[..^4] : name] = text;
        var tables = new Dictionary<string, ReferenceTable>(StringComparer.Ordinal);
        foreach (string name in FileNames)
        {
            if (!byName.TryGetValue(name, out string? text)) throw new ReferenceDataException(name, 0, "missing");
            tables[name] = ReferenceTable.Parse(name, text);
        }
        return new NormalizationReference(tables);
    }

    private static Dictionary<string, string> KeyMap(ReferenceTable table, string keyColumn, string valueColumn, bool allowEmptyValue)
    {
        int k = table.Column(keyColumn), v = table.Column(valueColumn);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            if (!allowEmptyValue && row[v].Length == 0)
                throw new ReferenceDataException(table.Name, row.Line, $"empty {valueColumn}");
            AddUnique(map, table, row, row[k], row[v]);
        }
        return map;
    }

    private static void AddUnique<T>(Dictionary<string, T> map, ReferenceTable table, ReferenceRow row, string raw, T value)
    {
        string key = LookupKey.Of(raw);
        if (key.Length == 0) throw new ReferenceDataException(table.Name, row.Line, "empty key");
        if (map.TryGetValue(key, out T? existing) && !EqualityComparer<T>.Default.Equals(existing, value))
            throw new ReferenceDataException(table.Name, row.Line, $"'{raw}' already maps to another value");
        map[key] = value;
    }

    private static FrozenDictionary<string, FrozenDictionary<string, string>> BuildModels(ReferenceTable table)
    {
        int m = table.Column("manufacturer"), a = table.Column("alias"), v = table.Column("model");
        var maps = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            string key = ModelNameNormalizer.CaseNormalize(row[a]) ?? throw new ReferenceDataException(table.Name, row.Line, "empty alias");
            if (row[v].Length == 0) throw new ReferenceDataException(table.Name, row.Line, "empty model");
            if (!maps.TryGetValue(row[m], out var map)) maps[row[m]] = map = new Dictionary<string, string>(StringComparer.Ordinal);
            if (map.TryGetValue(key, out string? existing) && existing != row[v])
                throw new ReferenceDataException(table.Name, row.Line, $"'{row[a]}' already maps to another model");
            map[key] = row[v];
        }
        return maps.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenDictionary(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    private static bool Set(ref string? slot, string value)
    {
        if (slot is not null) return slot == value;
        slot = value;
        return true;
    }

    private static bool SetContrast(StudyPhrase phrase, Contrast value)
    {
        if (phrase.Contrast != Contrast.Unknown) return phrase.Contrast == value;
        phrase.Contrast = value;
        return true;
    }
}

/// <summary>What a phrase of a study description means; a phrase can carry several meanings ("MAMMO": MG and BREAST).</summary>
internal sealed class StudyPhrase
{
    public string? Modality;
    public Contrast Contrast;
    public string? View;
    public string? Laterality;
    public BodyPartTerm? Region;
}
