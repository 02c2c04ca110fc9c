namespace Lakehouse.Udfs.Splitting;

/// <summary>One row of a split table to verify: the identifiers of one instance (or study) and its split.</summary>
/// <param name="Patient">Patient pseudonym.</param>
/// <param name="StudyInstanceUid">Study Instance UID, or null.</param>
/// <param name="SeriesInstanceUid">Series Instance UID, or null.</param>
/// <param name="SopInstanceUid">SOP Instance UID, or null.</param>
/// <param name="Split">The split the row was released in.</param>
public readonly record struct SplitMembershipRow(string Patient, string? StudyInstanceUid, string? SeriesInstanceUid, string? SopInstanceUid, DatasetSplit Split);

/// <summary>An identifier found in more than one split.</summary>
/// <param name="Kind">Which identifier leaks.</param>
/// <param name="Identifier">The (pseudonymised) identifier value; it belongs in restricted audit rows, not in messages.</param>
/// <param name="Splits">The distinct splits it occurs in, ascending.</param>
public sealed record SplitLeakageViolation(LeakageIdentifierKind Kind, string Identifier, IReadOnlyList<DatasetSplit> Splits);

/// <summary>Checks a finished split: no patient, study, series or instance may occur in two splits.</summary>
public static class SplitLeakageVerifier
{
    /// <summary>All violations, ordered by kind then identifier (ordinal); empty when the split is leakage-free.</summary>
    public static IReadOnlyList<SplitLeakageViolation> Verify(IEnumerable<SplitMembershipRow> rows)
    {
        // Bit i set = seen in split i.
        var seen = new Dictionary<(LeakageIdentifierKind, string), int>();
        foreach (var row in rows)
        {
            int bit = 1 << (int)row.Split;
            Mark(LeakageIdentifierKind.Patient, row.Patient, bit);
            Mark(LeakageIdentifierKind.Study, row.StudyInstanceUid, bit);
            Mark(LeakageIdentifierKind.Series, row.SeriesInstanceUid, bit);
            Mark(LeakageIdentifierKind.Instance, row.SopInstanceUid, bit);
        }
        return seen
            .Where(kv => (kv.Value & (kv.Value - 1)) != 0)
            .OrderBy(kv => kv.Key.Item1).ThenBy(kv => kv.Key.Item2, StringComparer.Ordinal)
            .Select(kv => new SplitLeakageViolation(kv.Key.Item1, kv.Key.Item2,
                Enum.GetValues<DatasetSplit>().Where(s => (kv.Value & (1 << (int)s)) != 0).ToArray()))
            .ToList();

        void Mark(LeakageIdentifierKind kind, string? id, int bit)
        {
            if (string.IsNullOrEmpty(id)) return;
            ref int bits = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(seen, (kind, id), out _);
            bits |= bit;
        }
    }
}
