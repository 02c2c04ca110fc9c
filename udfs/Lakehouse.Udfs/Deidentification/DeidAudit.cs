namespace Lakehouse.Udfs.Deidentification;

/// <summary>What the de-identifier did to one attribute.</summary>
public enum DeidAction
{
    /// <summary>Kept unchanged (K, or an attribute the profile does not list).</summary>
    Keep,
    /// <summary>Removed (X).</summary>
    Remove,
    /// <summary>Kept with an empty value (Z).</summary>
    Empty,
    /// <summary>Replaced by a dummy value of its VR (D).</summary>
    Dummy,
    /// <summary>Replaced by the patient pseudonym (Patient ID, Patient's Name).</summary>
    Pseudonym,
    /// <summary>UID replaced by its keyed 2.25 UID (U).</summary>
    RemapUid,
    /// <summary>Date or date-time shifted by the patient's date shift (C under Modified Dates).</summary>
    ShiftDate,
    /// <summary>Free text cleaned of identifiers (C under Clean Descriptors).</summary>
    Clean,
    /// <summary>Age of 90 or older grouped into 090Y.</summary>
    GroupAge,
    /// <summary>Sequence kept; its items were de-identified recursively.</summary>
    Recurse,
    /// <summary>Private attribute kept: it is on the safe list.</summary>
    KeepSafePrivate,
    /// <summary>Private attribute removed.</summary>
    RemovePrivate,
    /// <summary>Value could not be parsed for its VR (e.g. a malformed date) and was removed.</summary>
    RemoveInvalid,
}

/// <summary>One audit count: action × attribute keyword (never a value).</summary>
public readonly record struct DeidAuditEntry(DeidAction Action, string Keyword, long Count);

/// <summary>
/// Per-action, per-attribute counts of one or more de-identification calls, for <c>silver.deid_audit</c>. Holds keywords
/// (or tags for unknown and private attributes) and counts only, never values. Not thread-safe: use one per worker and
/// <see cref="Merge"/>.
/// </summary>
public sealed class DeidAudit
{
    private readonly Dictionary<(DeidAction, string), long> _counts = [];

    /// <summary>Counts one action on one attribute.</summary>
    public void Record(DeidAction action, string keyword)
    {
        var k = (action, keyword);
        _counts[k] = _counts.GetValueOrDefault(k) + 1;
    }

    /// <summary>The count of an action on an attribute.</summary>
    public long Count(DeidAction action, string keyword) => _counts.GetValueOrDefault((action, keyword));

    /// <summary>Total count of an action over all attributes.</summary>
    public long Total(DeidAction action) => _counts.Where(kv => kv.Key.Item1 == action).Sum(kv => kv.Value);

    /// <summary>All counts, ordered by action then keyword.</summary>
    public IReadOnlyList<DeidAuditEntry> Entries =>
        [.. _counts.Select(kv => new DeidAuditEntry(kv.Key.Item1, kv.Key.Item2, kv.Value))
            .OrderBy(e => e.Action).ThenBy(e => e.Keyword, StringComparer.Ordinal)];

    /// <summary>Adds another audit's counts into this one.</summary>
    public void Merge(DeidAudit other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (k, v) in other._counts) _counts[k] = _counts.GetValueOrDefault(k) + v;
    }
}
