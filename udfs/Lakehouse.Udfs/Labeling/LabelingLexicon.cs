using System.Text.Json;

namespace Lakehouse.Udfs.Labeling;

/// <summary>What a lexicon cue does.</summary>
[Flags]
internal enum CueRole
{
    None = 0,
    NegationBefore = 1 << 0,
    NegationAfter = 1 << 1,
    StrongUncertainBefore = 1 << 2,
    StrongUncertainAfter = 1 << 3,
    UncertainBefore = 1 << 4,
    UncertainAfter = 1 << 5,
    HistoricalBefore = 1 << 6,
    HypotheticalBefore = 1 << 7,
    HypotheticalAfter = 1 << 8,
    /// <summary>Looks like a cue but is not ("no change", "not only"): matched only to shield its words.</summary>
    Pseudo = 1 << 9,
    /// <summary>Ends every cue's scope ("but", "however", "which", ";").</summary>
    Terminator = 1 << 10,
    /// <summary>Ends a negation's forward scope (a new predicate: "is", "are", "seen").</summary>
    NegationTerminator = 1 << 11,
}

/// <summary>A mention target: one of the 13 non-derived observations, an "other finding" that blocks No Finding, or excluded.</summary>
internal readonly record struct MentionTarget(int Observation, int AnatomyGroup)
{
    /// <summary>Index used for findings outside the 14 observations that still block No Finding.</summary>
    public const int Other = ChexpertObservations.Count;
    /// <summary>Index used for phrases matched only to shield their words (e.g. "pericardial effusion" under "effusion").</summary>
    public const int Excluded = ChexpertObservations.Count + 1;

    public bool IsAnatomy => AnatomyGroup >= 0;
}

/// <summary>The compiled lexicon: phrase tries for mentions, cues and anatomy qualifiers, and the section headers.</summary>
internal sealed class LabelingLexicon
{
    public PhraseTrie<MentionTarget> Mentions { get; } = new();
    public PhraseTrie<CueRole> Cues { get; } = new();
    public List<PhraseTrie<MentionLabel>> Qualifiers { get; } = [];

    public static LabelingLexicon Parse(string json)
    {
        var lexicon = new LabelingLexicon();
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var root = doc.RootElement;
        foreach (var obs in root.GetProperty("observations").EnumerateObject())
        {
            if (!ChexpertObservations.TryParse(obs.Name, out var observation) || observation == ChexpertObservation.NoFinding)
                throw new FormatException($"labeling lexicon: unknown observation '{obs.Name}'");
            if (obs.Value.TryGetProperty("mentions", out var mentions))
                foreach (var p in Strings(mentions)) lexicon.Mentions.Add(p, new MentionTarget((int)observation, -1));
            if (!obs.Value.TryGetProperty("anatomy", out var anatomy)) continue;
            foreach (var group in anatomy.EnumerateArray())
            {
                var qualifiers = new PhraseTrie<MentionLabel>();
                foreach (var (key, label) in new[] { ("positive", MentionLabel.Positive), ("uncertain", MentionLabel.Uncertain), ("negative", MentionLabel.Negative) })
                    if (group.TryGetProperty(key, out var list))
                        foreach (var p in Strings(list)) qualifiers.Add(p, label);
                qualifiers.Freeze();
                lexicon.Qualifiers.Add(qualifiers);
                foreach (var p in Strings(group.GetProperty("terms")))
                    lexicon.Mentions.Add(p, new MentionTarget((int)observation, lexicon.Qualifiers.Count - 1));
            }
        }
        foreach (var p in Strings(root.GetProperty("otherFindings"))) lexicon.Mentions.Add(p, new MentionTarget(MentionTarget.Other, -1));
        foreach (var p in Strings(root.GetProperty("excluded"))) lexicon.Mentions.Add(p, new MentionTarget(MentionTarget.Excluded, -1));
        lexicon.Mentions.Freeze();

        var cues = root.GetProperty("cues");
        AddCues(lexicon.Cues, cues, "negation", "before", CueRole.NegationBefore);
        AddCues(lexicon.Cues, cues, "negation", "after", CueRole.NegationAfter);
        AddCues(lexicon.Cues, cues, "uncertainStrong", "before", CueRole.StrongUncertainBefore);
        AddCues(lexicon.Cues, cues, "uncertainStrong", "after", CueRole.StrongUncertainAfter);
        AddCues(lexicon.Cues, cues, "uncertain", "before", CueRole.UncertainBefore);
        AddCues(lexicon.Cues, cues, "uncertain", "after", CueRole.UncertainAfter);
        AddCues(lexicon.Cues, cues, "historical", "before", CueRole.HistoricalBefore);
        AddCues(lexicon.Cues, cues, "hypothetical", "before", CueRole.HypotheticalBefore);
        AddCues(lexicon.Cues, cues, "hypothetical", "after", CueRole.HypotheticalAfter);
        foreach (var p in Strings(cues.GetProperty("pseudo"))) lexicon.Cues.Add(p, CueRole.Pseudo);
        foreach (var p in Strings(cues.GetProperty("terminators"))) lexicon.Cues.Add(p, CueRole.Terminator);
        foreach (var p in Strings(cues.GetProperty("negationTerminators"))) lexicon.Cues.Add(p, CueRole.NegationTerminator);
        lexicon.Cues.Freeze();
        return lexicon;
    }

    private static void AddCues(PhraseTrie<CueRole> trie, JsonElement cues, string family, string direction, CueRole role)
    {
        if (cues.TryGetProperty(family, out var f) && f.TryGetProperty(direction, out var list))
            foreach (var p in Strings(list)) trie.Add(p, role);
    }

    private static IEnumerable<string> Strings(JsonElement array) =>
        array.EnumerateArray().Select(e => (e.GetString() ?? throw new FormatException("labeling lexicon: null phrase")).ToLowerInvariant());
}
