using System.Collections.Frozen;

namespace Lakehouse.Udfs.Normalization;

/// <summary>Receives the phrases found in a text, left to right; returns false to stop the scan.</summary>
internal interface IPhraseVisitor<in T>
{
    bool Visit(T meaning);
}

/// <summary>
/// Phrases (keys of <see cref="WordSplitter"/> words) with their meaning, found in free text leftmost-longest:
/// at each word the longest phrase starting there wins, so "W/O CONTRAST" is not read as "W" then "/".
/// </summary>
internal sealed class PhraseIndex<T> where T : class
{
    /// <summary>Text beyond this many characters is ignored (study descriptions are LO: 64).</summary>
    public const int MaxTextLength = 512;

    private readonly FrozenDictionary<string, T>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _maxWords;

    public PhraseIndex(Dictionary<string, T> byKey, int maxWords)
    {
        _lookup = LookupKey.Freeze(byKey);
        _maxWords = Math.Max(1, maxWords);
    }

    public void Scan<TVisitor>(ReadOnlySpan<char> text, ref TVisitor visitor) where TVisitor : struct, IPhraseVisitor<T>
    {
        if (text.Length > MaxTextLength) text = text[..MaxTextLength];
        Span<char> folded = stackalloc char[MaxTextLength];
        Span<char> key = stackalloc char[MaxTextLength];
        Span<int> starts = stackalloc int[WordSplitter.MaxWords];
        Span<int> ends = stackalloc int[WordSplitter.MaxWords];
        int words = WordSplitter.Split(text, folded, starts, ends);
        int w = 0;
        while (w < words)
        {
            int matched = 0;
            for (int n = Math.Min(_maxWords, words - w); n >= 1; n--)
            {
                int length = WordSplitter.Join(folded, starts, ends, w, n, key);
                if (_lookup.TryGetValue(key[..length], out T? meaning))
                {
                    if (!visitor.Visit(meaning)) return;
                    matched = n;
                    break;
                }
            }
            w += matched == 0 ? 1 : matched;
        }
    }
}
