using System.Buffers;
using System.Collections.Frozen;

namespace Lakehouse.Udfs.Normalization;

/// <summary>
/// The one way mapping keys are compared: upper case, Latin-1 accents folded ("TÓRAX" = "TORAX"),
/// letters, digits, '+' and '/' kept, every other character a word separator that does not count
/// ("L-SPINE" = "L SPINE" = "LSPINE"). Keys are built into caller buffers so a lookup allocates nothing.
/// </summary>
internal static class LookupKey
{
    /// <summary>Inputs up to this length are folded on the stack.</summary>
    public const int StackLimit = 256;

    // Folded form of U+00C0..U+00FF; '\0' drops the character (×, ÷).
    private const string Latin1Fold = "AAAAAAACEEEEIIIIDNOOOOO\0OUUUUYTSAAAAAAACEEEEIIIIDNOOOOO\0OUUUUYTY";

    /// <summary>The folded character, or '\0' for a separator.</summary>
    public static char Fold(char c)
    {
        if (c < 128)
        {
            if ((uint)(c - 'a') <= 'z' - 'a') return (char)(c - 32);
            if ((uint)(c - 'A') <= 'Z' - 'A' || (uint)(c - '0') <= 9 || c == '+' || c == '/') return c;
            return '\0';
        }
        return c is >= '\u00C0' and <= '\u00FF' ? Latin1Fold[c - 0xC0] : '\0';
    }

    /// <summary>Writes the key of <paramref name="text"/> (folded, separators dropped) and returns its length.</summary>
    public static int Write(ReadOnlySpan<char> text, Span<char> destination)
    {
        int n = 0;
        foreach (char c in text)
        {
            char f = Fold(c);
            if (f != '\0') destination[n++] = f;
        }
        return n;
    }

    /// <summary>The key as a string, for building tables.</summary>
    public static string Of(string text)
    {
        Span<char> buffer = text.Length <= StackLimit ? stackalloc char[text.Length] : new char[text.Length];
        return new string(buffer[..Write(text, buffer)]);
    }

    /// <summary>Looks up the key of <paramref name="text"/> without allocating (for inputs up to <see cref="StackLimit"/>).</summary>
    public static bool TryGet<T>(FrozenDictionary<string, T>.AlternateLookup<ReadOnlySpan<char>> lookup, ReadOnlySpan<char> text, out T value)
    {
        char[]? rented = null;
        Span<char> buffer = text.Length <= StackLimit ? stackalloc char[StackLimit] : (rented = ArrayPool<char>.Shared.Rent(text.Length));
        try
        {
            int n = Write(text, buffer);
            if (n == 0) { value = default!; return false; }
            return lookup.TryGetValue(buffer[..n], out value!);
        }
        finally
        {
            if (rented is not null) ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>A frozen ordinal dictionary and its span lookup.</summary>
    public static FrozenDictionary<string, T>.AlternateLookup<ReadOnlySpan<char>> Freeze<T>(Dictionary<string, T> map) =>
        map.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
}

/// <summary>
/// Splits text into words for phrase matching: runs of letters and digits, and '+' and '/' as one-character
/// words. A phrase's key is its words concatenated, so "W/O" is the three words W, /, O and matches "w / o".
/// </summary>
internal static class WordSplitter
{
    public const int MaxWords = 64;

    /// <summary>Folds <paramref name="text"/> into <paramref name="folded"/> and records word bounds; returns the word count (at most <see cref="MaxWords"/>).</summary>
    public static int Split(ReadOnlySpan<char> text, Span<char> folded, Span<int> starts, Span<int> ends)
    {
        int count = 0;
        int start = -1;
        for (int i = 0; i < text.Length; i++)
        {
            char f = LookupKey.Fold(text[i]);
            folded[i] = f;
            bool symbol = f is '+' or '/';
            if (f == '\0' || symbol)
            {
                if (start >= 0) { if (!Add(ref count, start, i, starts, ends)) return count; start = -1; }
                if (symbol && !Add(ref count, i, i + 1, starts, ends)) return count;
            }
            else if (start < 0) start = i;
        }
        if (start >= 0) Add(ref count, start, text.Length, starts, ends);
        return count;
    }

    private static bool Add(ref int count, int start, int end, Span<int> starts, Span<int> ends)
    {
        if (count == MaxWords) return false;
        starts[count] = start;
        ends[count] = end;
        count++;
        return true;
    }

    /// <summary>Concatenates words [first, first+count) of <paramref name="folded"/> into <paramref name="key"/>; returns the length.</summary>
    public static int Join(ReadOnlySpan<char> folded, ReadOnlySpan<int> starts, ReadOnlySpan<int> ends, int first, int count, Span<char> key)
    {
        int n = 0;
        for (int w = first; w < first + count; w++)
        {
            ReadOnlySpan<char> word = folded[starts[w]..ends[w]];
            word.CopyTo(key[n..]);
            n += word.Length;
        }
        return n;
    }

    /// <summary>The number of words of a phrase, for the longest phrase a table needs to try.</summary>
    public static int CountWords(string phrase)
    {
        Span<char> folded = phrase.Length <= LookupKey.StackLimit ? stackalloc char[phrase.Length] : new char[phrase.Length];
        Span<int> starts = stackalloc int[MaxWords];
        Span<int> ends = stackalloc int[MaxWords];
        return Split(phrase, folded, starts, ends);
    }
}
