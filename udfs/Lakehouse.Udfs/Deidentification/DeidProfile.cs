using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using Lakehouse.Udfs.Dicom;

namespace Lakehouse.Udfs.Deidentification;

/// <summary>The options columns of PS3.15 Table E.1-1, in the order of the rule table.</summary>
public enum DeidOptionColumn
{
    /// <summary>Retain Safe Private.</summary>
    RetainSafePrivate,
    /// <summary>Retain UIDs.</summary>
    RetainUids,
    /// <summary>Retain Device Identity.</summary>
    RetainDeviceIdentity,
    /// <summary>Retain Institution Identity.</summary>
    RetainInstitutionIdentity,
    /// <summary>Retain Patient Characteristics.</summary>
    RetainPatientCharacteristics,
    /// <summary>Retain Longitudinal Temporal Information with Full Dates.</summary>
    RetainLongitudinalFullDates,
    /// <summary>Retain Longitudinal Temporal Information with Modified Dates.</summary>
    RetainLongitudinalModifiedDates,
    /// <summary>Clean Descriptors.</summary>
    CleanDescriptors,
    /// <summary>Clean Structured Content (not offered: its attributes get their Basic Profile action).</summary>
    CleanStructuredContent,
    /// <summary>Clean Graphics (not offered: its attributes get their Basic Profile action).</summary>
    CleanGraphics,
}

/// <summary>One row of Table E.1-1: the Basic Profile action (as printed, e.g. "X/Z/D") and each option's K, C or '-'.</summary>
public sealed record DeidRule(string Tag, string Keyword, string VR, string Basic, string Options)
{
    /// <summary>The option column's letter: 'K', 'C' or '-' (blank).</summary>
    public char Option(DeidOptionColumn column) => Options[(int)column];
}

/// <summary>
/// The rule table (embedded <c>Data/deid/basic-profile.tsv</c>, generated from PS3.15 Table E.1-1 2024b) and the safe
/// private list (embedded <c>Data/deid/safe-private.tsv</c>, from TCIA's private tag knowledge base).
/// </summary>
public static class DeidProfile
{
    private static readonly Lazy<(FrozenDictionary<uint, DeidRule> Exact, DeidRule[] Masks, DeidRule? Private)> Table = new(LoadTable);
    private static readonly Lazy<FrozenSet<string>> SafePrivate = new(LoadSafePrivate);
    private static readonly Lazy<FrozenSet<string>> SafeCreators = new(() =>
        SafePrivate.Value.Select(k => k[..k.LastIndexOf('|')]).ToFrozenSet(StringComparer.Ordinal));

    /// <summary>
    /// All rows of the table: exact tags, then the repeating groups (tags with 'x' wildcards), then the private-attribute
    /// row (tag "ODDGROUP").
    /// </summary>
    public static IReadOnlyList<DeidRule> Rules =>
        [.. Table.Value.Exact.Values.OrderBy(r => r.Tag, StringComparer.Ordinal), .. Table.Value.Masks, .. Table.Value.Private is { } p ? [p] : Array.Empty<DeidRule>()];

    /// <summary>The rule that applies to a public tag, or null when the table does not list it.</summary>
    public static DeidRule? Find(DicomTag tag)
    {
        var t = Table.Value;
        if (t.Exact.TryGetValue(tag.Value, out var rule)) return rule;
        foreach (var m in t.Masks)
            if (Matches(m.Tag, tag.Value)) return m;
        return null;
    }

    /// <summary>Is the private element (group, creator, element byte xx of gggg,ccxx) on the safe list?</summary>
    public static bool IsSafePrivate(ushort group, string creator, byte element) =>
        SafePrivate.Value.Contains(string.Create(CultureInfo.InvariantCulture, $"{group:X4}|{creator.Trim()}|{element:X2}"));

    /// <summary>Does the safe list keep any element of this private creator's block?</summary>
    public static bool IsSafeCreator(ushort group, string creator) =>
        SafeCreators.Value.Contains(string.Create(CultureInfo.InvariantCulture, $"{group:X4}|{creator.Trim()}"));

    /// <summary>Number of safe private elements.</summary>
    public static int SafePrivateCount => SafePrivate.Value.Count;

    private static bool Matches(string pattern, uint tag)
    {
        for (int i = 0; i < 8; i++)
        {
            char c = pattern[i];
            if (c == 'x') continue;
            uint nibble = (tag >> (28 - 4 * i)) & 0xF;
            if (HexValue(c) != nibble) return false;
        }
        return true;
    }

    private static uint HexValue(char c) => (uint)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);

    private static IEnumerable<string[]> ReadTsv(string name)
    {
        // The logical name keeps the folder separator of the build host ("Data.deid/x.tsv"), so match by suffix.
        var assembly = typeof(DeidProfile).Assembly;
        string? resource = assembly.GetManifestResourceNames().FirstOrDefault(r =>
            r.EndsWith("deid/" + name, StringComparison.Ordinal) || r.EndsWith("deid\\" + name, StringComparison.Ordinal) || r.EndsWith("deid." + name, StringComparison.Ordinal));
        using var stream = (resource is null ? null : assembly.GetManifestResourceStream(resource))
            ?? throw new InvalidOperationException($"embedded resource Data/deid/{name} is missing from the build");
        using var reader = new StreamReader(stream);
        bool header = true;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#') continue;
            if (header) { header = false; continue; }
            yield return line.Split('\t');
        }
    }

    private static (FrozenDictionary<uint, DeidRule>, DeidRule[], DeidRule?) LoadTable()
    {
        var exact = new Dictionary<uint, DeidRule>();
        var masks = new List<DeidRule>();
        DeidRule? privateRule = null;
        foreach (string[] f in ReadTsv("basic-profile.tsv"))
        {
            var rule = new DeidRule(f[0], f[1], f[2], f[3], string.Concat(f.Skip(4)));
            if (rule.Tag == "ODDGROUP") privateRule = rule;
            else if (rule.Tag.Contains('x', StringComparison.Ordinal)) masks.Add(rule);
            else exact[uint.Parse(rule.Tag, NumberStyles.HexNumber, CultureInfo.InvariantCulture)] = rule;
        }
        return (exact.ToFrozenDictionary(), [.. masks], privateRule);
    }

    private static FrozenSet<string> LoadSafePrivate() =>
        ReadTsv("safe-private.tsv").Select(f => f[0] + "|" + f[1] + "|" + f[2]).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The single Basic Profile action to apply when the table offers several (X/Z, Z/D, X/D, X/Z/D, X/Z/U*). JSON does
    /// not tell whether the attribute is Type 1, 2 or 3 in the object's IOD, so we take the choice that keeps any IOD
    /// conformant (the right-most: D for Type 1, U for X/Z/U*) — except that for text and person-name VRs Z is taken
    /// over D when offered, so no invented text is written (Z keeps Type 2 conformance; only Type 1 text would need D).
    /// Returns one of 'X', 'Z', 'D', 'K', 'C', 'U'.
    /// </summary>
    public static char ChooseBasic(string basic, string vr)
    {
        ArgumentNullException.ThrowIfNull(basic);
        if (basic.Length == 1) return basic[0];
        if (basic.Contains('U', StringComparison.Ordinal)) return 'U';
        if (basic.Contains('D', StringComparison.Ordinal))
            return basic.Contains('Z', StringComparison.Ordinal) && IsTextVR(vr) ? 'Z' : 'D';
        return 'Z';
    }

    /// <summary>
    /// The action letter for an attribute under the options: an enabled option's K or C overrides the Basic Profile
    /// (K wins over C when two enabled options disagree), else <see cref="ChooseBasic"/>.
    /// </summary>
    public static char Resolve(DeidRule rule, DeidOptions options, string vr)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(options);
        char chosen = '\0';
        // Only the options DeidOptions offers; Clean Structured Content and Clean Graphics fall back to the Basic action.
        Check(options.RetainUids, DeidOptionColumn.RetainUids);
        Check(options.RetainDeviceIdentity, DeidOptionColumn.RetainDeviceIdentity);
        Check(options.RetainInstitutionIdentity, DeidOptionColumn.RetainInstitutionIdentity);
        Check(options.RetainPatientCharacteristics, DeidOptionColumn.RetainPatientCharacteristics);
        Check(options.RetainLongitudinalFullDates, DeidOptionColumn.RetainLongitudinalFullDates);
        Check(options.RetainLongitudinalModifiedDates, DeidOptionColumn.RetainLongitudinalModifiedDates);
        Check(options.CleanDescriptors, DeidOptionColumn.CleanDescriptors);
        return chosen != '\0' ? chosen : ChooseBasic(rule.Basic, vr);

        void Check(bool enabled, DeidOptionColumn column)
        {
            if (!enabled || chosen == 'K') return;
            char c = rule.Option(column);
            if (c is 'K' or 'C') chosen = c;
        }
    }

    /// <summary>VRs holding free text or names.</summary>
    internal static bool IsTextVR(string vr) => vr is "LO" or "SH" or "ST" or "LT" or "UT" or "UC" or "PN" or "CS" or "AE" or "UR";
}
