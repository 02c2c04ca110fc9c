namespace Lakehouse.Udfs.Labeling;

/// <summary>
/// Word-sequence trie with longest-match lookup. A phrase word ending in '*' matches any word starting with it.
/// Built once at load; lookups allocate nothing (span keys through an alternate dictionary lookup).
/// </summary>
internal sealed class PhraseTrie<T>
{
    private sealed class Node
    {
        public readonly Dictionary<string, Node> Exact = new(StringComparer.Ordinal);
        public readonly List<(string Prefix, Node Next)> Prefixes = [];
        public readonly List<T> Payloads = [];
        public Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> Lookup;
    }

    private readonly Node _root = new();

    /// <summary>Number of phrases added.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a phrase (lower case) with its payload; the same phrase added twice keeps both payloads.</summary>
    public void Add(string phrase, T payload)
    {
        var words = new List<Token>();
        ReportTokenizer.Tokenize(phrase, 0, phrase.Length, words, allowStar: true);
        if (words.Count == 0) throw new ArgumentException($"empty phrase in the labeling lexicon: '{phrase}'");
        var node = _root;
        foreach (var w in words)
        {
            var word = phrase.Substring(w.Start, w.Length);
            if (word.Length > 1 && word.EndsWith('*'))
            {
                var prefix = word[..^1];
                var found = node.Prefixes.FindIndex(p => p.Prefix == prefix);
                if (found < 0) { node.Prefixes.Add((prefix, new Node())); found = node.Prefixes.Count - 1; }
                node = node.Prefixes[found].Next;
            }
            else
            {
                if (!node.Exact.TryGetValue(word, out var next)) node.Exact[word] = next = new Node();
                node = next;
            }
        }
        if (!node.Payloads.Contains(payload)) node.Payloads.Add(payload);
        Count++;
    }

    /// <summary>Prepares the span lookups; call once after the last <see cref="Add"/>.</summary>
    public void Freeze() => Freeze(_root);

    private static void Freeze(Node node)
    {
        node.Lookup = node.Exact.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var next in node.Exact.Values) Freeze(next);
        foreach (var (_, next) in node.Prefixes) Freeze(next);
    }

    /// <summary>
    /// The longest phrase starting at tokens[index] that ends before tokens[limit]; returns its length in tokens
    /// (0 when none) and its payloads.
    /// </summary>
    public int LongestMatch(string text, List<Token> tokens, int index, int limit, out IReadOnlyList<T> payloads)
    {
        payloads = [];
        int best = 0;
        Walk(_root, text, tokens, index, index, limit, ref best, ref payloads);
        return best;
    }

    private static void Walk(Node node, string text, List<Token> tokens, int first, int at, int limit, ref int best, ref IReadOnlyList<T> payloads)
    {
        if (node.Payloads.Count > 0 && at - first > best)
        {
            best = at - first;
            payloads = node.Payloads;
        }
        else if (node.Payloads.Count > 0 && at - first == best && !ReferenceEquals(payloads, node.Payloads))
        {
            // An exact word and a prefix both matched the same words ("possible", "possibl*"): keep both payloads.
            payloads = payloads.Concat(node.Payloads).Distinct().ToList();
        }
        if (at >= limit) return;
        var word = text.AsSpan(tokens[at].Start, tokens[at].Length);
        if (node.Lookup.TryGetValue(word, out var next)) Walk(next, text, tokens, first, at + 1, limit, ref best, ref payloads);
        foreach (var (prefix, pnext) in node.Prefixes)
            if (word.StartsWith(prefix, StringComparison.Ordinal)) Walk(pnext, text, tokens, first, at + 1, limit, ref best, ref payloads);
    }
}
