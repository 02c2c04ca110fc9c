using System.Security.Cryptography;
using System.Text;

namespace Lakehouse.Udfs.Identity;

/// <summary>
/// Groups patient keys into persons: union-find (path halving, union by size) over link edges. The result depends only
/// on the set of keys and edges, never on their order: a person is named by its ordinally smallest member key
/// (<see cref="PersonIdOf"/>).
/// </summary>
public sealed class PersonUnionFind
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<string> _keys = [];
    private readonly List<int> _parent = [];
    private readonly List<int> _size = [];

    /// <summary>The number of keys added.</summary>
    public int Count => _keys.Count;

    /// <summary>Adds a key (a singleton person until linked); adding it again does nothing. Returns its index.</summary>
    public int Add(string key)
    {
        if (_index.TryGetValue(key, out int i)) return i;
        i = _keys.Count;
        _index[key] = i;
        _keys.Add(key);
        _parent.Add(i);
        _size.Add(1);
        return i;
    }

    /// <summary>Links two keys (adding them when new). Returns true when they were in different persons.</summary>
    public bool Union(string left, string right)
    {
        int a = Find(Add(left)), b = Find(Add(right));
        if (a == b) return false;
        if (_size[a] < _size[b]) (a, b) = (b, a);
        _parent[b] = a;
        _size[a] += _size[b];
        return true;
    }

    /// <summary>True when both keys are known and in the same person.</summary>
    public bool Connected(string left, string right) =>
        _index.TryGetValue(left, out int a) && _index.TryGetValue(right, out int b) && Find(a) == Find(b);

    private int Find(int i)
    {
        while (_parent[i] != i)
        {
            _parent[i] = _parent[_parent[i]];
            i = _parent[i];
        }
        return i;
    }

    /// <summary>Every key with its person id, sorted by key (ordinal).</summary>
    public IReadOnlyList<(string Key, string PersonId)> PersonIds()
    {
        var smallest = new Dictionary<int, string>();
        foreach (string key in _keys)
        {
            int root = Find(_index[key]);
            if (!smallest.TryGetValue(root, out string? s) || string.CompareOrdinal(key, s) < 0) smallest[root] = key;
        }
        return _keys.Order(StringComparer.Ordinal).Select(k => (k, PersonIdOf(smallest[Find(_index[k])]))).ToList();
    }

    /// <summary>
    /// The person id of a group: "PER-" and the first 16 hex digits of SHA-256 of its smallest member key. Deterministic and
    /// unkeyed, so it is a restricted identifier (anyone holding a key text can recompute it); silver gets a keyed pseudonym
    /// of it from de-identification.
    /// </summary>
    public static string PersonIdOf(string smallestMemberKey) =>
        "PER-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(smallestMemberKey)).AsSpan(0, 8));
}
