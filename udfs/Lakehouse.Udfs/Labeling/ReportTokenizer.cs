namespace Lakehouse.Udfs.Labeling;

/// <summary>A word or a scope-relevant punctuation mark (, ; : ?) in lower-cased report text.</summary>
internal readonly record struct Token(int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>Splits lower-cased report text into sentences and tokens. Phrases in the lexicon go through the same rules.</summary>
internal static class ReportTokenizer
{
    /// <summary>Word characters: letters, digits, an apostrophe inside a word ("can't"); '*' too when reading phrases.</summary>
    private static bool IsWordChar(char c, bool allowStar) => char.IsLetterOrDigit(c) || (allowStar && c == '*');

    private static bool IsScopePunctuation(char c) => c is ',' or ';' or ':' or '?';

    /// <summary>Appends the tokens of text[start..end) to <paramref name="tokens"/>.</summary>
    public static void Tokenize(string text, int start, int end, List<Token> tokens, bool allowStar = false)
    {
        int i = start;
        while (i < end)
        {
            char c = text[i];
            if (IsWordChar(c, allowStar))
            {
                int s = i++;
                while (i < end && (IsWordChar(text[i], allowStar) ||
                       (text[i] == '\'' && i + 1 < end && char.IsLetter(text[i + 1]) && i > s)))
                    i++;
                tokens.Add(new Token(s, i - s));
            }
            else
            {
                if (IsScopePunctuation(c)) tokens.Add(new Token(i, 1));
                i++;
            }
        }
    }

    /// <summary>
    /// Appends the sentences of text[start..end) as (start, end) ranges, trimmed. A sentence ends at '.', '!' or '?'
    /// followed by a blank or the end ('?' stays in its sentence: it is an uncertainty cue), at a blank line, or before a
    /// line that starts a list item ("1.", "2)", "-", "*").
    /// </summary>
    public static void SplitSentences(string text, int start, int end, List<(int Start, int End)> sentences)
    {
        int s = start;
        for (int i = start; i < end; i++)
        {
            char c = text[i];
            bool boundary = false;
            int cut = i + 1;
            if (c is '.' or '!' or '?')
                boundary = i + 1 >= end || char.IsWhiteSpace(text[i + 1]);
            else if (c == '\n')
            {
                int j = i + 1;
                while (j < end && text[j] is ' ' or '\t' or '\r') j++;
                boundary = j >= end || text[j] == '\n' || text[j] is '-' or '*' or '•' || StartsListNumber(text, j, end);
            }
            if (!boundary) continue;
            AddTrimmed(text, s, cut, sentences);
            s = cut;
        }
        AddTrimmed(text, s, end, sentences);
    }

    private static bool StartsListNumber(string text, int j, int end)
    {
        int k = j;
        while (k < end && char.IsDigit(text[k])) k++;
        return k > j && k < end && text[k] is '.' or ')';
    }

    private static void AddTrimmed(string text, int s, int e, List<(int, int)> sentences)
    {
        while (s < e && char.IsWhiteSpace(text[s])) s++;
        while (e > s && char.IsWhiteSpace(text[e - 1])) e--;
        if (e > s) sentences.Add((s, e));
    }
}
