namespace Lakehouse.Udfs.Labeling;

/// <summary>Why an observation got its label: the deciding mention, where it is, and the cue that decided.</summary>
/// <param name="Observation">The observation labeled.</param>
/// <param name="Label">The label given.</param>
/// <param name="Section">Section name of the mention ("findings", "impression", "untitled"); "report" for derived labels.</param>
/// <param name="Start">Offset of the mention's first character in the report text.</param>
/// <param name="End">Offset just past the mention (and its qualifier, for anatomy mentions).</param>
/// <param name="Sentence">The sentence holding the mention, as written; empty for derived labels.</param>
/// <param name="Mention">The mention as written.</param>
/// <param name="CueKind">The kind of cue that decided.</param>
/// <param name="Cue">The cue as written, or null when the mention is simply asserted.</param>
public sealed record LabelEvidence(
    ChexpertObservation Observation,
    MentionLabel Label,
    string Section,
    int Start,
    int End,
    string Sentence,
    string Mention,
    CueKind CueKind,
    string? Cue);
