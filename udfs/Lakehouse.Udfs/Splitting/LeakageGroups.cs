using System.Runtime.InteropServices;

namespace Lakehouse.Udfs.Splitting;

/// <summary>The kinds of identifier that tie data to a group.</summary>
public enum LeakageIdentifierKind
{
    /// <summary>Patient pseudonym (later the resolved person id).</summary>
    Patient,

    /// <summary>Study Instance UID (0020,000D).</summary>
    Study,

    /// <summary>Series Instance UID (0020,000E).</summary>
    Series,

    /// <summary>SOP Instance UID (0008,0018).</summary>
    Instance,
}

/// <summary>
/// Builds leakage groups: patients that must land in the same split. Every membership row (patient, study,
/// series, instance) joins the patient with those identifiers, so the same Study, Series or SOP Instance UID
/// seen under two patient pseudonyms merges their groups (union-find with path halving and union by size).
/// </summary>
/// <remarks>Identifier kinds are kept apart, so a study UID equal to some series UID does not merge anything.</remarks>
public sealed class LeakageGroups
{
    private readonly Dictionary<(LeakageIdentifierKind Kind, string Value), int> _nodes = [];
    private readonly List<int> _parent = [];
    private readonly List<int> _size = [];
    private readonly List<string?> _patientOfNode = [];

    /// <summary>Adds one membership row; null or empty identifiers other than the patient are ignored.</summary>
    /// <exception cref="ArgumentException">The patient pseudonym is null or empty.</exception>
    public void Add(string patient, string? studyInstanceUid = null, string? seriesInstanceUid = null, string? sopInstanceUid = null)
    {
        if (string.IsNullOrEmpty(patient)) throw new ArgumentException("A membership row needs a patient pseudonym.", nameof(patient));
        int root = Node(LeakageIdentifierKind.Patient, patient);
        if (!string.IsNullOrEmpty(studyInstanceUid)) Union(root, Node(LeakageIdentifierKind.Study, studyInstanceUid));
        if (!string.IsNullOrEmpty(seriesInstanceUid)) Union(root, Node(LeakageIdentifierKind.Series, seriesInstanceUid));
        if (!string.IsNullOrEmpty(sopInstanceUid)) Union(root, Node(LeakageIdentifierKind.Instance, sopInstanceUid));
    }

    /// <summary>Resolves the groups. The id of a group is its ordinally smallest patient pseudonym, so it does not depend on input order.</summary>
    public LeakageGrouping Build()
    {
        var groupIdOfRoot = new Dictionary<int, string>();
        for (int n = 0; n < _patientOfNode.Count; n++)
        {
            string? patient = _patientOfNode[n];
            if (patient is null) continue;
            int root = Find(n);
            ref string? id = ref CollectionsMarshal.GetValueRefOrAddDefault(groupIdOfRoot, root, out bool exists);
            if (!exists || string.CompareOrdinal(patient, id) < 0) id = patient;
        }
        var groupOfPatient = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int n = 0; n < _patientOfNode.Count; n++)
            if (_patientOfNode[n] is { } patient) groupOfPatient[patient] = groupIdOfRoot[Find(n)];
        return new LeakageGrouping(groupOfPatient);
    }

    private int Node(LeakageIdentifierKind kind, string value)
    {
        ref int index = ref CollectionsMarshal.GetValueRefOrAddDefault(_nodes, (kind, value), out bool exists);
        if (!exists)
        {
            index = _parent.Count;
            _parent.Add(index);
            _size.Add(1);
            _patientOfNode.Add(kind == LeakageIdentifierKind.Patient ? value : null);
        }
        return index;
    }

    private int Find(int x)
    {
        while (_parent[x] != x)
        {
            _parent[x] = _parent[_parent[x]];
            x = _parent[x];
        }
        return x;
    }

    private void Union(int a, int b)
    {
        a = Find(a);
        b = Find(b);
        if (a == b) return;
        if (_size[a] < _size[b]) (a, b) = (b, a);
        _parent[b] = a;
        _size[a] += _size[b];
    }
}

/// <summary>The resolved leakage groups: patient pseudonym to group id, and group id to its patients (sorted ordinally).</summary>
public sealed class LeakageGrouping
{
    private readonly Dictionary<string, string> _groupOfPatient;

    internal LeakageGrouping(Dictionary<string, string> groupOfPatient)
    {
        _groupOfPatient = groupOfPatient;
        Groups = groupOfPatient
            .GroupBy(kv => kv.Value, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(kv => kv.Key).Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
    }

    /// <summary>Group id to its member patient pseudonyms, sorted ordinally; the first member is the group id.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Groups { get; }

    /// <summary>Number of distinct patients seen.</summary>
    public int PatientCount => _groupOfPatient.Count;

    /// <summary>The group id of <paramref name="patient"/>.</summary>
    /// <exception cref="KeyNotFoundException">The patient was never added (the message does not contain the pseudonym).</exception>
    public string GroupOf(string patient) =>
        _groupOfPatient.TryGetValue(patient, out var g) ? g : throw new KeyNotFoundException("Patient is not part of the leakage grouping.");

    /// <summary>Tries to get the group id of <paramref name="patient"/>.</summary>
    public bool TryGetGroup(string patient, out string groupId) => _groupOfPatient.TryGetValue(patient, out groupId!);
}
