using System.Globalization;
using System.Text;

namespace Lakehouse.Engine;

/// <summary>A time-travel clause found in SQL: the table, the version asked for, and the text it spans.</summary>
/// <param name="Table">The table named before the clause.</param>
/// <param name="Spec">The version or timestamp.</param>
/// <param name="Start">Offset of the table name.</param>
/// <param name="End">Offset just past the clause.</param>
/// <param name="HasAlias">True when the user wrote an alias after the clause.</param>
public sealed record TimeTravelClause(LakeTableName Table, TableVersionSpec Spec, int Start, int End, bool HasAlias);

/// <summary>
/// Finds Databricks' <c>table VERSION AS OF n</c> and <c>table TIMESTAMP AS OF 'ts'</c> and rewrites each into a reference
/// to a view pinned to that version, which DuckDB understands. Works on tokens, so literals, comments and quoted identifiers
/// are never rewritten. Also lists the lake tables a statement names, so the engine mounts only those.
/// </summary>
public static class TimeTravelRewriter
{
    // Words after a table reference that are not an alias.
    private static readonly HashSet<string> NotAlias = new(StringComparer.OrdinalIgnoreCase)
    {
        "where", "join", "inner", "left", "right", "full", "cross", "natural", "positional", "asof", "anti", "semi", "on", "using",
        "group", "order", "limit", "offset", "having", "window", "qualify", "union", "except", "intersect", "tablesample",
        "using", "pivot", "unpivot", "returning", "set", "values", "select", "from", "lateral",
    };

    /// <summary>The time-travel clauses of a statement, in order.</summary>
    /// <exception cref="LakeSqlException">A clause is malformed (no number after VERSION AS OF, no literal after TIMESTAMP AS OF, no table).</exception>
    public static IReadOnlyList<TimeTravelClause> Find(string sql)
    {
        var tokens = Significant(sql);
        var clauses = new List<TimeTravelClause>();
        for (int k = 0; k + 2 < tokens.Count; k++)
        {
            bool version = tokens[k].IsWord(sql, "version");
            bool timestamp = tokens[k].IsWord(sql, "timestamp");
            if (!(version || timestamp) || !tokens[k + 1].IsWord(sql, "as") || !tokens[k + 2].IsWord(sql, "of")) continue;
            // The name before: ident ( . ident )*
            int first = k - 1;
            if (first < 0 || !tokens[first].IsIdentifier)
                throw new LakeSqlException($"{(version ? "VERSION" : "TIMESTAMP")} AS OF must follow a table name");
            while (first >= 2 && tokens[first - 1] is { Kind: SqlTokenKind.Symbol, Length: 1 } dot && sql[dot.Start] == '.' && tokens[first - 2].IsIdentifier)
                first -= 2;
            int parts = (k - first + 1) / 2;
            if (parts != 2)
                throw new LakeSqlException("time travel needs a schema-qualified lake table, such as bronze.dicom_instances VERSION AS OF 3");
            var table = new LakeTableName(tokens[first].IdentifierName(sql), tokens[first + 2].IdentifierName(sql));
            if (k + 3 >= tokens.Count)
                throw new LakeSqlException($"{table} {(version ? "VERSION" : "TIMESTAMP")} AS OF needs a value");
            SqlToken value = tokens[k + 3];
            TableVersionSpec spec;
            if (version)
            {
                if (value.Kind != SqlTokenKind.Number || !long.TryParse(value.Text(sql), NumberStyles.None, CultureInfo.InvariantCulture, out long v))
                    throw new LakeSqlException($"{table} VERSION AS OF needs a version number");
                spec = TableVersionSpec.AtVersion(v);
            }
            else
            {
                if (value.Kind != SqlTokenKind.String || sql[value.Start] != '\'')
                    throw new LakeSqlException($"{table} TIMESTAMP AS OF needs a timestamp string such as '2026-01-01T00:00:00Z'");
                string text = sql.Substring(value.Start + 1, value.Length - 2).Replace("''", "'", StringComparison.Ordinal);
                spec = TableVersionSpec.ParseTimestamp(text);
            }
            bool hasAlias = k + 4 < tokens.Count && (tokens[k + 4].IsWord(sql, "as")
                || tokens[k + 4].Kind == SqlTokenKind.QuotedIdentifier
                || (tokens[k + 4].Kind == SqlTokenKind.Word && !NotAlias.Contains(tokens[k + 4].Text(sql))));
            clauses.Add(new TimeTravelClause(table, spec, tokens[first].Start, value.Start + value.Length, hasAlias));
            k += 3;
        }
        return clauses;
    }

    /// <summary>
    /// Rewrites every clause into <paramref name="pinnedReference"/>'s SQL for the table and version, adding the table
    /// name as alias when the user wrote none (so <c>dicom_instances.col</c> still resolves).
    /// </summary>
    public static string Rewrite(string sql, Func<LakeTableName, TableVersionSpec, string> pinnedReference)
    {
        var clauses = Find(sql);
        if (clauses.Count == 0) return sql;
        var sb = new StringBuilder(sql.Length + 64);
        int at = 0;
        foreach (var c in clauses)
        {
            sb.Append(sql, at, c.Start - at);
            sb.Append(pinnedReference(c.Table, c.Spec));
            if (!c.HasAlias) sb.Append(" AS ").Append(Sql.Identifier(c.Table.Table));
            at = c.End;
        }
        sb.Append(sql, at, sql.Length - at);
        return sb.ToString();
    }

    /// <summary>The distinct two-part names <c>schema.table</c> in the statement whose schema is one of <paramref name="schemas"/>.</summary>
    public static IReadOnlyList<LakeTableName> ReferencedTables(string sql, IReadOnlySet<string> schemas)
    {
        var tokens = Significant(sql);
        var found = new List<LakeTableName>();
        for (int k = 0; k + 2 < tokens.Count; k++)
        {
            if (!tokens[k].IsIdentifier || tokens[k + 1] is not { Kind: SqlTokenKind.Symbol } dot || sql[dot.Start] != '.' || !tokens[k + 2].IsIdentifier)
                continue;
            if (k > 0 && tokens[k - 1].Kind == SqlTokenKind.Symbol && sql[tokens[k - 1].Start] == '.') continue; // catalog.schema.table or a.b.c
            string schema = tokens[k].IdentifierName(sql);
            if (!schemas.Contains(schema)) continue;
            var name = new LakeTableName(schema, tokens[k + 2].IdentifierName(sql));
            if (!found.Contains(name)) found.Add(name);
        }
        return found;
    }

    /// <summary>The SQL without trailing semicolons and comments, so it can be wrapped in a subquery.</summary>
    public static string WithoutTrailingSemicolon(string sql)
    {
        var tokens = Significant(sql);
        int k = tokens.Count - 1;
        while (k >= 0 && tokens[k].Kind == SqlTokenKind.Symbol && sql[tokens[k].Start] == ';') k--;
        return k < 0 ? "" : sql[..(tokens[k].Start + tokens[k].Length)];
    }

    private static List<SqlToken> Significant(string sql) => SqlTokenizer.Tokenize(sql).Where(t => !t.IsTrivia).ToList();
}
