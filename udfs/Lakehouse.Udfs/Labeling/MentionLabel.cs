namespace Lakehouse.Udfs.Labeling;

/// <summary>A CheXpert label value; "not mentioned" is a null <see cref="MentionLabel"/>.</summary>
public enum MentionLabel : sbyte
{
    /// <summary>Uncertain (-1): hedged ("possible", "cannot exclude"), historical or hypothetical ("rule out").</summary>
    Uncertain = -1,
    /// <summary>Negative (0): negated ("no", "without", "resolved") or described as normal.</summary>
    Negative = 0,
    /// <summary>Positive (1): asserted.</summary>
    Positive = 1,
}

/// <summary>Why a mention got its label: the kind of cue that decided.</summary>
public enum CueKind
{
    /// <summary>No cue: the mention is asserted.</summary>
    Affirmed,
    /// <summary>A negation cue before the mention ("no", "without", "negative for", "resolved").</summary>
    NegationBefore,
    /// <summary>A negation cue after the mention ("is not seen", "has resolved", "removed").</summary>
    NegationAfter,
    /// <summary>An uncertainty cue that outranks negation ("cannot exclude", "not ruled out").</summary>
    UncertainNotExcluded,
    /// <summary>A hedge before the mention ("possible", "probable", "suspicious for").</summary>
    UncertainBefore,
    /// <summary>A hedge after the mention ("is suspected", "?").</summary>
    UncertainAfter,
    /// <summary>A historical mention ("history of"): uncertain by CheXpert convention.</summary>
    Historical,
    /// <summary>A hypothetical mention ("evaluate for", "rule out"): uncertain by CheXpert convention.</summary>
    Hypothetical,
    /// <summary>An anatomy term described as normal ("heart size is normal", "lungs are clear").</summary>
    QualifierNormal,
    /// <summary>An anatomy term described as borderline ("borderline heart size", "upper limits of normal").</summary>
    QualifierBorderline,
    /// <summary>An anatomy term described as abnormal ("the heart is enlarged", "widened mediastinum").</summary>
    QualifierAbnormal,
    /// <summary>No Finding derived from the other observations.</summary>
    Derived,
}
