namespace Lakehouse.Engine;

/// <summary>The kind of a SQL token.</summary>
public enum SqlTokenKind
{
    /// <summary>An unquoted word: keyword or identifier.</summary>
    Word,
    /// <summary>A double-quoted identifier.</summary>
    QuotedIdentifier,
    /// <summary>A single-quoted string literal (also E'...' and dollar-quoted strings).</summary>
    String,
    /// <summary>A number.</summary>
    Number,
    /// <summary>Any other character: punctuation and operators.</summary>
    Symbol,
    /// <summary>Spaces and line breaks.</summary>
    Whitespace,
    /// <summary>A -- line comment or a /* block comment */.</summary>
    Comment,
}

/// <summary>A token: its kind and where it is in the text.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Start">Offset of its first character.</param>
/// <param name="Length">Its length in characters.</param>
public readonly record struct SqlToken(SqlTokenKind Kind, int Start, int Length)
{
    /// <summary>The token's text.</summary>
    public string Text(string sql) => sql.Substring(Start, Length);

    /// <summary>True for whitespace and comments.</summary>
    public bool IsTrivia => Kind is SqlTokenKind.Whitespace or SqlTokenKind.Comment;

    /// <summary>True for an identifier, quoted or not.</summary>
    public bool IsIdentifier => Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier;

    /// <summary>True when the token is the word <paramref name="keyword"/> (case-insensitive).</summary>
    public bool IsWord(string sql, string keyword) =>
        Kind == SqlTokenKind.Word && Length == keyword.Length && string.Compare(sql, Start, keyword, 0, Length, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>The identifier's name: unquoted words in lower case (SQL folds them), quoted ones exactly.</summary>
    public string IdentifierName(string sql) => Kind == SqlTokenKind.QuotedIdentifier
        ? sql.Substring(Start + 1, Length - 2).Replace("\"\"", "\"", StringComparison.Ordinal)
        : sql.Substring(Start, Length).ToLowerInvariant();
}

/// <summary>
/// A small SQL tokenizer that is exact about what matters for rewriting: string literals, quoted identifiers and
/// comments are single tokens, so nothing inside them is ever taken for SQL. Unterminated literals run to the end.
/// </summary>
public static class SqlTokenizer
{
    /// <summary>Splits SQL into tokens covering the whole text.</summary>
    public static List<SqlToken> Tokenize(string sql)
    {
        var tokens = new List<SqlToken>();
        int i = 0;
        while (i < sql.Length)
        {
            int start = i;
            char c = sql[i];
            SqlTokenKind kind;
            if (char.IsWhiteSpace(c))
            {
                while (i < sql.Length && char.IsWhiteSpace(sql[i])) i++;
                kind = SqlTokenKind.Whitespace;
            }
            else if (c == '-' && Next(sql, i) == '-')
            {
                while (i < sql.Length && sql[i] != '\n') i++;
                kind = SqlTokenKind.Comment;
            }
            else if (c == '/' && Next(sql, i) == '*')
            {
                int end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
                kind = SqlTokenKind.Comment;
            }
            else if (c == '\'')
            {
                i = SkipQuoted(sql, i, '\'');
                kind = SqlTokenKind.String;
            }
            else if ((c is 'e' or 'E') && Next(sql, i) == '\'')
            {
                i = SkipEscapedString(sql, i + 1);
                kind = SqlTokenKind.String;
            }
            else if (c == '"')
            {
                i = SkipQuoted(sql, i, '"');
                kind = SqlTokenKind.QuotedIdentifier;
            }
            else if (c == '$' && TryDollarTag(sql, i, out string tag))
            {
                int end = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + tag.Length;
                kind = SqlTokenKind.String;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$')) i++;
                kind = SqlTokenKind.Word;
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Next(sql, i))))
            {
                while (i < sql.Length && (char.IsAsciiLetterOrDigit(sql[i]) || sql[i] is '.' or '_')) i++;
                kind = SqlTokenKind.Number;
            }
            else
            {
                i++;
                kind = SqlTokenKind.Symbol;
            }
            tokens.Add(new SqlToken(kind, start, i - start));
        }
        return tokens;
    }

    private static char Next(string sql, int i) => i + 1 < sql.Length ? sql[i + 1] : '\0';

    // 'it''s' and "a""b": a doubled quote is an escaped quote.
    private static int SkipQuoted(string sql, int i, char quote)
    {
        i++;
        while (i < sql.Length)
        {
            if (sql[i] == quote)
            {
                if (Next(sql, i) == quote) { i += 2; continue; }
                return i + 1;
            }
            i++;
        }
        return i;
    }

    // E'..\'..': backslash escapes as well as doubled quotes.
    private static int SkipEscapedString(string sql, int i)
    {
        i++;
        while (i < sql.Length)
        {
            if (sql[i] == '\\') { i += 2; continue; }
            if (sql[i] == '\'')
            {
                if (Next(sql, i) == '\'') { i += 2; continue; }
                return i + 1;
            }
            i++;
        }
        return Math.Min(i, sql.Length);
    }

    // $$...$$ or $tag$...$tag$
    private static bool TryDollarTag(string sql, int i, out string tag)
    {
        int j = i + 1;
        while (j < sql.Length && (char.IsLetterOrDigit(sql[j]) || sql[j] == '_')) j++;
        if (j < sql.Length && sql[j] == '$' && (j == i + 1 || !char.IsAsciiDigit(sql[i + 1])))
        {
            tag = sql.Substring(i, j - i + 1);
            return true;
        }
        tag = "";
        return false;
    }
}
