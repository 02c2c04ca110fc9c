namespace Lakehouse.Udfs.Normalization;

/// <summary>
/// One reference mapping file parsed from CSV text: its version, header and rows.
/// Format: leading <c>#</c> comment lines, the first of which is <c># version: X</c>; then a header row;
/// then RFC 4180 rows (quoted fields may hold commas, doubled quotes and line breaks). Blank lines and
/// lines starting with <c>#</c> are skipped anywhere.
/// </summary>
public sealed class ReferenceTable
{
    private readonly Dictionary<string, int> _columnIndex;

    private ReferenceTable(string name, string version, string[] columns, List<ReferenceRow> rows)
    {
        Name = name;
        Version = version;
        Columns = columns;
        Rows = rows;
        _columnIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < columns.Length; i++) _columnIndex[columns[i]] = i;
    }

    /// <summary>The file's name without extension, e.g. <c>body_part_alias</c>.</summary>
    public string Name { get; }

    /// <summary>The version from the first comment line.</summary>
    public string Version { get; }

    /// <summary>Column names of the header row, trimmed.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Data rows in file order.</summary>
    public IReadOnlyList<ReferenceRow> Rows { get; }

    /// <summary>The index of a required column.</summary>
    /// <exception cref="ReferenceDataException">The header lacks it.</exception>
    public int Column(string name) =>
        _columnIndex.TryGetValue(name, out int i) ? i
        : throw new ReferenceDataException(Name, 0, $"missing column '{name}' in the header row");

    /// <summary>The index of an optional column, or -1.</summary>
    public int OptionalColumn(string name) => _columnIndex.TryGetValue(name, out int i) ? i : -1;

    /// <summary>Parses CSV text. <paramref name="name"/> labels errors.</summary>
    /// <exception cref="ReferenceDataException">No version line, no header, a row with the wrong field count or an unterminated quote.</exception>
    public static ReferenceTable Parse(string name, string csvText)
    {
        ArgumentNullException.ThrowIfNull(csvText);
        var reader = new Reader(name, csvText);
        string? version = null;
        string[]? header = null;
        var rows = new List<ReferenceRow>();
        while (reader.NextRecord(out int line, out List<string>? fields))
        {
            if (fields is null)
            {
                // A comment line: the first one before the header carries the version.
                if (version is null && header is null && rows.Count == 0)
                    version = ParseVersion(reader.LastComment);
                continue;
            }
            if (header is null)
            {
                if (version is null)
                    throw new ReferenceDataException(name, line, "the first line must be a '# version: X' comment");
                header = fields.Select(f => f.Trim()).ToArray();
                continue;
            }
            if (fields.Count != header.Length)
                throw new ReferenceDataException(name, line, $"expected {header.Length} fields, found {fields.Count}");
            for (int i = 0; i < fields.Count; i++) fields[i] = fields[i].Trim();
            rows.Add(new ReferenceRow(line, fields.ToArray()));
        }
        if (version is null) throw new ReferenceDataException(name, 1, "the first line must be a '# version: X' comment");
        if (header is null) throw new ReferenceDataException(name, 0, "no header row");
        return new ReferenceTable(name, version, header, rows);
    }

    private static string? ParseVersion(string comment)
    {
        ReadOnlySpan<char> text = comment.AsSpan().TrimStart('#').Trim();
        const string Prefix = "version:";
        if (!text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)) return null;
        ReadOnlySpan<char> value = text[Prefix.Length..].Trim();
        return value.IsEmpty ? null : value.ToString();
    }

    /// <summary>Reads records of RFC 4180 text; a comment or blank line yields null fields.</summary>
    private sealed class Reader(string name, string text)
    {
        private int _pos;
        private int _line = 1;

        public string LastComment { get; private set; } = "";

        public bool NextRecord(out int line, out List<string>? fields)
        {
            fields = null;
            while (true)
            {
                line = _line;
                if (_pos >= text.Length) return false;
                if (_pos == 0 && text[0] == '\uFEFF') _pos++;
                int lineEnd = text.IndexOf('\n', _pos);
                if (lineEnd < 0) lineEnd = text.Length;
                ReadOnlySpan<char> raw = text.AsSpan(_pos, lineEnd - _pos).TrimEnd('\r');
                if (raw.IsWhiteSpace())
                {
                    Advance(lineEnd);
                    continue;
                }
                if (raw.TrimStart()[0] == '#')
                {
                    LastComment = raw.ToString();
                    Advance(lineEnd);
                    return true;
                }
                fields = ReadFields(line);
                return true;
            }
        }

        private void Advance(int lineEnd)
        {
            _pos = lineEnd + 1;
            _line++;
        }

        private List<string> ReadFields(int startLine)
        {
            var fields = new List<string>();
            var field = new System.Text.StringBuilder();
            bool quoted = false, wasQuoted = false;
            while (_pos < text.Length)
            {
                char c = text[_pos];
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (_pos + 1 < text.Length && text[_pos + 1] == '"') { field.Append('"'); _pos += 2; continue; }
                        quoted = false;
                        _pos++;
                        continue;
                    }
                    if (c == '\n') _line++;
                    field.Append(c);
                    _pos++;
                    continue;
                }
                if (c == '"' && field.ToString().Trim().Length == 0 && !wasQuoted)
                {
                    field.Clear();
                    quoted = wasQuoted = true;
                    _pos++;
                    continue;
                }
                if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    wasQuoted = false;
                    _pos++;
                    continue;
                }
                if (c == '\n')
                {
                    _pos++;
                    _line++;
                    fields.Add(field.ToString());
                    return fields;
                }
                if (c != '\r') field.Append(c);
                _pos++;
            }
            if (quoted) throw new ReferenceDataException(name, startLine, "unterminated quoted field");
            _line++;
            fields.Add(field.ToString());
            return fields;
        }
    }
}

/// <summary>A data row of a <see cref="ReferenceTable"/>: its 1-based line number and trimmed fields.</summary>
/// <param name="Line">Line number in the file, for error messages.</param>
/// <param name="Fields">Field values in header order.</param>
public sealed record ReferenceRow(int Line, string[] Fields)
{
    /// <summary>The field at a column index.</summary>
    public string this[int column] => Fields[column];
}

/// <summary>A reference mapping file is malformed or inconsistent: names the file, the line and the reason.</summary>
public sealed class ReferenceDataException : Exception
{
    /// <summary>Creates the error for <paramref name="file"/> at <paramref name="line"/> (0 when not tied to a line).</summary>
    public ReferenceDataException(string file, int line, string reason)
        : base(line > 0 ? $"reference file '{file}', line {line}: {reason}" : $"reference file '{file}': {reason}")
    {
        File = file;
        Line = line;
        Reason = reason;
    }

    /// <summary>The reference file's name.</summary>
    public string File { get; }

    /// <summary>The 1-based line, or 0.</summary>
    public int Line { get; }

    /// <summary>What is wrong.</summary>
    public string Reason { get; }
}
