namespace Lakehouse.Udfs.Labeling;

/// <summary>The 14 labels of one report and the evidence for each label given.</summary>
public sealed class ReportLabels
{
    private readonly MentionLabel?[] _labels;

    internal ReportLabels(MentionLabel?[] labels, IReadOnlyList<LabelEvidence> evidence)
    {
        _labels = labels;
        Evidence = evidence;
    }

    /// <summary>The label of one observation; null when it is not mentioned.</summary>
    public MentionLabel? this[ChexpertObservation observation] => _labels[(int)observation];

    /// <summary>One entry per labeled observation, in column order.</summary>
    public IReadOnlyList<LabelEvidence> Evidence { get; }

    /// <summary>The label as CheXpert writes it: 1, 0, -1 or null.</summary>
    public int? Value(ChexpertObservation observation) => (int?)(sbyte?)_labels[(int)observation];

    /// <summary>The evidence for one observation, or null when it is not mentioned.</summary>
    public LabelEvidence? EvidenceFor(ChexpertObservation observation)
    {
        foreach (var e in Evidence)
            if (e.Observation == observation) return e;
        return null;
    }
}
