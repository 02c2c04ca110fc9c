using System.Globalization;

namespace Lakehouse.Udfs.Splitting;

/// <summary>One study as the split assigner sees it (one row per study).</summary>
/// <param name="Patient">Patient pseudonym (later the resolved person id).</param>
/// <param name="StudyInstanceUid">Study Instance UID; joins patients that share it when the assigner builds the leakage groups itself. Never printed.</param>
/// <param name="Site">Acquiring site (institution); null or empty is its own "missing" stratum.</param>
/// <param name="Modality">Modality (CR, DX, ...); null or empty is its own "missing" stratum.</param>
/// <param name="InstanceCount">Number of instances (images) in the study, at least 1 when used as weight.</param>
/// <param name="Labels">Positive flags of the labels (14 CheXpert labels by default), index-aligned with the label list of the caller.</param>
public sealed record SplitStudy(string Patient, string StudyInstanceUid, string? Site, string? Modality, int InstanceCount, IReadOnlyList<bool> Labels);

/// <summary>What a group's size counts when split shares are balanced.</summary>
public enum SplitWeighting
{
    /// <summary>Instances (images): split sizes match the ratios in images.</summary>
    Instances,

    /// <summary>Studies: split sizes match the ratios in studies.</summary>
    Studies,
}

/// <summary>Settings of <see cref="PatientSplitAssigner"/>; every field except <see cref="LabelCount"/> is part of the <see cref="SplitVersion"/>.</summary>
public sealed record PatientSplitOptions
{
    /// <summary>Seed of the SplitMix64 sequence that breaks ties and orders groups.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Target shares; default 70/15/15.</summary>
    public SplitRatios Ratios { get; init; } = SplitRatios.Default;

    /// <summary>Length of every <see cref="SplitStudy.Labels"/> list; default 14 (CheXpert).</summary>
    public int LabelCount { get; init; } = 14;

    /// <summary>Unit of group size; default <see cref="SplitWeighting.Instances"/>.</summary>
    public SplitWeighting Weighting { get; init; } = SplitWeighting.Instances;
}

/// <summary>Identity of a split definition: algorithm version, seed, ratios and weighting. A different id is a new split version, never an update of the old one.</summary>
/// <param name="Id">Stable text form, e.g. <c>iterstrat-v1;seed=42;ratios=0.7/0.15/0.15;weight=instances</c>.</param>
public sealed record SplitVersion(string Id)
{
    /// <summary>The version of <paramref name="options"/> under the current algorithm.</summary>
    public static SplitVersion Of(PatientSplitOptions options) => new(string.Create(CultureInfo.InvariantCulture,
        $"iterstrat-v{PatientSplitAssigner.AlgorithmVersion};seed={options.Seed};ratios={options.Ratios.Train:R}/{options.Ratios.Validation:R}/{options.Ratios.Test:R};weight={options.Weighting.ToString().ToLowerInvariant()}"));

    /// <inheritdoc/>
    public override string ToString() => Id;
}

/// <summary>
/// A new leakage edge joined patients that were already assigned to different splits. Nobody is moved: the
/// assigned members keep their splits and the unassigned members of the group get none until someone decides.
/// </summary>
/// <param name="GroupId">The merged group (its smallest pseudonym).</param>
/// <param name="AssignedMembers">Members with their previous split.</param>
/// <param name="UnassignedMembers">Members without a split, left unassigned.</param>
public sealed record SplitConflict(string GroupId, IReadOnlyList<KeyValuePair<string, DatasetSplit>> AssignedMembers, IReadOnlyList<string> UnassignedMembers);

/// <summary>Result of <see cref="PatientSplitAssigner.Assign(IEnumerable{SplitStudy}, LeakageGrouping, IReadOnlyDictionary{string, DatasetSplit}?)"/>.</summary>
/// <param name="Version">The split version this assignment belongs to.</param>
/// <param name="Patients">Every assigned patient: all of the previous assignment (unchanged) plus the newly placed ones.</param>
/// <param name="NewlyAssignedCount">How many patients were placed in this run.</param>
/// <param name="Conflicts">Groups that span two splits of the previous assignment; the job reports them as errors.</param>
public sealed record SplitAssignment(SplitVersion Version, IReadOnlyDictionary<string, DatasetSplit> Patients, int NewlyAssignedCount, IReadOnlyList<SplitConflict> Conflicts);

/// <summary>
/// Leakage-safe, stratified, patient-level split assignment. The unit is a leakage group (<see cref="LeakageGroups"/>);
/// groups are placed by iterative stratification (Sechidis, Tsoumakas, Vlahavas 2011) generalised to weighted
/// groups: every label, site and modality is a stratum dimension counted in the weighting unit; the rarest remaining
/// dimension is served first and each of its groups goes to the split that still lacks most of it (ties: the split
/// that lacks most in total, then the seeded PRNG). Earlier assignments are fixed: their counts are subtracted from
/// the demand, so new patients fill what the old split lacks, and no assigned patient ever moves.
/// </summary>
public sealed class PatientSplitAssigner
{
    /// <summary>Bumped whenever the algorithm would place the same input differently; part of <see cref="SplitVersion"/>.</summary>
    public const int AlgorithmVersion = 1;

    private const int SplitCount = 3;
    private readonly PatientSplitOptions _options;

    /// <summary>Creates an assigner; validates the ratios and label count.</summary>
    public PatientSplitAssigner(PatientSplitOptions? options = null)
    {
        _options = options ?? new PatientSplitOptions();
        _options.Ratios.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(_options.LabelCount);
        Version = SplitVersion.Of(_options);
    }

    /// <summary>The identity of the split this assigner produces.</summary>
    public SplitVersion Version { get; }

    /// <summary>Assigns with leakage groups built from the studies alone (patient and Study Instance UID).</summary>
    public SplitAssignment Assign(IEnumerable<SplitStudy> studies, IReadOnlyDictionary<string, DatasetSplit>? previous = null)
    {
        var list = studies as IReadOnlyList<SplitStudy> ?? studies.ToList();
        var groups = new LeakageGroups();
        foreach (var s in list) groups.Add(s.Patient, s.StudyInstanceUid);
        return Assign(list, groups.Build(), previous);
    }

    /// <summary>
    /// Assigns every patient of <paramref name="grouping"/> that has no split in <paramref name="previous"/>.
    /// </summary>
    /// <param name="studies">One row per study; each patient must be in <paramref name="grouping"/>.</param>
    /// <param name="grouping">Leakage groups over all membership rows (patient, study, series, instance).</param>
    /// <param name="previous">The previous assignment of the same <see cref="Version"/>, or null for a first split.</param>
    /// <exception cref="ArgumentException">A study row has the wrong number of labels or an unknown patient (named by row index).</exception>
    public SplitAssignment Assign(IEnumerable<SplitStudy> studies, LeakageGrouping grouping, IReadOnlyDictionary<string, DatasetSplit>? previous = null)
    {
        previous ??= new Dictionary<string, DatasetSplit>();
        var groupIds = grouping.Groups.Keys.ToArray(); // sorted ordinally
        var indexOfGroup = new Dictionary<string, int>(groupIds.Length, StringComparer.Ordinal);
        for (int i = 0; i < groupIds.Length; i++) indexOfGroup[groupIds[i]] = i;

        var rows = studies as IReadOnlyList<SplitStudy> ?? studies.ToList();
        int labels = _options.LabelCount;
        string[] sites = rows.Select(r => r.Site ?? "").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        string[] modalities = rows.Select(r => r.Modality ?? "").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var siteIndex = sites.Select((s, i) => (s, i)).ToDictionary(t => t.s, t => labels + t.i, StringComparer.Ordinal);
        var modalityIndex = modalities.Select((m, i) => (m, i)).ToDictionary(t => t.m, t => labels + sites.Length + t.i, StringComparer.Ordinal);
        int dims = labels + sites.Length + modalities.Length;

        // Per group: weight and stratum counts, both in the weighting unit.
        var weight = new double[groupIds.Length];
        var counts = new double[groupIds.Length * dims];
        for (int r = 0; r < rows.Count; r++)
        {
            var s = rows[r];
            if (s.Labels is null || s.Labels.Count != labels)
                throw new ArgumentException($"Study row {r}: expected {labels} labels, got {s.Labels?.Count ?? 0}.", nameof(studies));
            if (s.Patient is null || !grouping.TryGetGroup(s.Patient, out var gid))
                throw new ArgumentException($"Study row {r}: patient is not part of the leakage grouping.", nameof(studies));
            int g = indexOfGroup[gid];
            double unit = _options.Weighting == SplitWeighting.Instances ? Math.Max(1, s.InstanceCount) : 1;
            weight[g] += unit;
            var c = counts.AsSpan(g * dims, dims);
            for (int l = 0; l < labels; l++) if (s.Labels[l]) c[l] += unit;
            c[siteIndex[s.Site ?? ""]] += unit;
            c[modalityIndex[s.Modality ?? ""]] += unit;
        }

        // Classify groups: conflicting, fixed (one previous split) or new.
        var splitOfGroup = new int[groupIds.Length];
        var conflicts = new List<SplitConflict>();
        var newGroups = new List<int>();
        for (int g = 0; g < groupIds.Length; g++)
        {
            int split = -1;
            bool conflict = false;
            foreach (var p in grouping.Groups[groupIds[g]])
            {
                if (!previous.TryGetValue(p, out var prev)) continue;
                if (split < 0) split = (int)prev;
                else if (split != (int)prev) conflict = true;
            }
            splitOfGroup[g] = conflict ? -2 : split;
            if (conflict) conflicts.Add(Conflict(groupIds[g], grouping.Groups[groupIds[g]], previous));
            else if (split < 0) newGroups.Add(g);
        }

        // Demand per split = target share of the total minus what the fixed groups already hold.
        var demand = new double[SplitCount * dims];
        var demandWeight = new double[SplitCount];
        var totals = new double[dims];
        double totalWeight = 0;
        for (int g = 0; g < groupIds.Length; g++)
        {
            if (splitOfGroup[g] == -2) continue;
            totalWeight += weight[g];
            for (int d = 0; d < dims; d++) totals[d] += counts[g * dims + d];
        }
        for (int j = 0; j < SplitCount; j++)
        {
            double r = _options.Ratios[(DatasetSplit)j];
            demandWeight[j] = totalWeight * r;
            for (int d = 0; d < dims; d++) demand[j * dims + d] = totals[d] * r;
        }
        for (int g = 0; g < groupIds.Length; g++)
            if (splitOfGroup[g] >= 0) Take(splitOfGroup[g], g);

        var rng = new SplitMix64(_options.Seed);
        var order = newGroups.ToArray();
        rng.Shuffle(order.AsSpan());
        var pending = new List<int>(order);
        var remainingWithDim = new int[dims];
        while (pending.Count > 0)
        {
            Array.Clear(remainingWithDim);
            foreach (int g in pending)
                for (int d = 0; d < dims; d++) if (counts[g * dims + d] > 0) remainingWithDim[d]++;
            int rarest = -1;
            for (int d = 0; d < dims; d++)
                if (remainingWithDim[d] > 0 && (rarest < 0 || remainingWithDim[d] < remainingWithDim[rarest])) rarest = d;
            if (rarest < 0) break; // only groups without any stratum left (no studies)
            pending.RemoveAll(g =>
            {
                if (counts[g * dims + rarest] <= 0) return false;
                int j = Choose(rarest, ref rng);
                splitOfGroup[g] = j;
                Take(j, g);
                return true;
            });
        }
        foreach (int g in pending)
        {
            int j = Choose(-1, ref rng);
            splitOfGroup[g] = j;
            Take(j, g);
        }

        var result = new Dictionary<string, DatasetSplit>(previous, StringComparer.Ordinal);
        int placed = 0;
        for (int g = 0; g < groupIds.Length; g++)
        {
            if (splitOfGroup[g] < 0) continue;
            foreach (var p in grouping.Groups[groupIds[g]])
                if (result.TryAdd(p, (DatasetSplit)splitOfGroup[g])) placed++;
        }
        return new SplitAssignment(Version, result, placed, conflicts);

        void Take(int j, int g)
        {
            demandWeight[j] -= weight[g];
            for (int d = 0; d < dims; d++) demand[j * dims + d] -= counts[g * dims + d];
        }

        int Choose(int dim, ref SplitMix64 random)
        {
            int best = -1, ties = 0;
            for (int j = 0; j < SplitCount; j++)
            {
                if (_options.Ratios[(DatasetSplit)j] <= 0) continue; // a zero share never receives anything
                if (best < 0) { best = j; ties = 1; continue; }
                int cmp = Compare(j, best, dim);
                if (cmp > 0) { best = j; ties = 1; }
                else if (cmp == 0 && random.NextInt(++ties) == 0) best = j; // reservoir pick among ties
            }
            return best;
        }

        int Compare(int a, int b, int dim)
        {
            if (dim >= 0)
            {
                int c = demand[a * dims + dim].CompareTo(demand[b * dims + dim]);
                if (c != 0) return c;
            }
            return demandWeight[a].CompareTo(demandWeight[b]);
        }
    }

    private static SplitConflict Conflict(string groupId, IReadOnlyList<string> members, IReadOnlyDictionary<string, DatasetSplit> previous)
    {
        var assigned = new List<KeyValuePair<string, DatasetSplit>>();
        var unassigned = new List<string>();
        foreach (var p in members)
        {
            if (previous.TryGetValue(p, out var s)) assigned.Add(new(p, s));
            else unassigned.Add(p);
        }
        return new SplitConflict(groupId, assigned, unassigned);
    }
}
