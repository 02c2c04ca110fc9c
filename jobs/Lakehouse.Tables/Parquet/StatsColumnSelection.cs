using System.Globalization;
using System.Text;
using Lakehouse.Tables.Schema;

namespace Lakehouse.Tables.Parquet;

/// <summary>
/// Which leaf columns of a data file get nullCount/min/max statistics, from the table properties
/// <see cref="DataSkippingProperties.StatsColumns"/> (named columns; a struct names all its leaves; takes precedence) or
/// <see cref="DataSkippingProperties.NumIndexedCols"/> (the first N leaf columns of the data schema in schema order, each
/// nested struct field counted on its own, arrays and maps counting one each; partition columns do not count, as in Spark).
/// </summary>
internal sealed class StatsColumnSelection
{
    /// <summary>Spark's default: the first 32 leaf columns.</summary>
    public static readonly StatsColumnSelection Default = new(DataSkippingProperties.DefaultNumIndexedCols, null);

    private readonly int _numIndexedCols;
    private readonly string[][]? _columns;

    private StatsColumnSelection(int numIndexedCols, string[][]? columns)
    {
        _numIndexedCols = numIndexedCols;
        _columns = columns;
    }

    /// <summary>True when the leaf at <paramref name="path"/> (the <paramref name="leafIndex"/>-th leaf of the data schema) gets statistics.</summary>
    public bool Includes(string[] path, int leafIndex) =>
        _columns is not null ? _columns.Any(c => c.Length <= path.Length && c.AsSpan().SequenceEqual(path.AsSpan(0, c.Length)))
        : _numIndexedCols < 0 || leafIndex < _numIndexedCols;

    /// <summary>
    /// Reads and validates the two properties against <paramref name="schema"/>; throws <see cref="DeltaErrorKind.InvalidArgument"/>
    /// naming the property and the reason. Column names in messages are schema names, never data values.
    /// </summary>
    public static StatsColumnSelection FromConfiguration(string table, StructType schema, IReadOnlyList<string> partitionColumns,
        IReadOnlyDictionary<string, string> configuration)
    {
        int numIndexed = DataSkippingProperties.DefaultNumIndexedCols;
        if (configuration.TryGetValue(DataSkippingProperties.NumIndexedCols, out string? n)
            && (!int.TryParse(n, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out numIndexed) || numIndexed < -1))
            throw Invalid(table, DataSkippingProperties.NumIndexedCols, "must be an integer >= -1 (-1: every column)", "Use e.g. 32, 0 or -1.");
        if (!configuration.TryGetValue(DataSkippingProperties.StatsColumns, out string? list))
            return numIndexed == DataSkippingProperties.DefaultNumIndexedCols ? Default : new StatsColumnSelection(numIndexed, null);

        var resolved = new List<string[]>();
        foreach (var names in ParseList(table, list))
        {
            var path = Resolve(table, schema, names);
            if (partitionColumns.Contains(path[0], StringComparer.Ordinal))
                throw Invalid(table, DataSkippingProperties.StatsColumns, $"names partition column '{string.Join('.', path)}'",
                    "Partition columns are skipped on by their partition values; leave them out.");
            foreach (var other in resolved)
            {
                int common = Math.Min(other.Length, path.Length);
                if (other.AsSpan(0, common).SequenceEqual(path.AsSpan(0, common)))
                    throw Invalid(table, DataSkippingProperties.StatsColumns, $"names column '{string.Join('.', path)}' twice (or inside a listed struct)");
            }
            resolved.Add(path);
        }
        return new StatsColumnSelection(numIndexed, resolved.ToArray());
    }

    /// <summary>Comma-separated names, nested parts joined by dots; a part may be `back-quoted` (`` for a back-quote).</summary>
    private static List<List<string>> ParseList(string table, string value)
    {
        var columns = new List<List<string>>();
        var parts = new List<string>();
        var part = new StringBuilder();
        bool quoted = false, wasQuoted = false;
        void EndPart()
        {
            string p = wasQuoted ? part.ToString() : part.ToString().Trim();
            if (p.Length == 0)
                throw Invalid(table, DataSkippingProperties.StatsColumns, "has an empty column name", "List column names separated by commas, nested fields as parent.child.");
            parts.Add(p);
            part.Clear();
            wasQuoted = false;
        }
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (quoted)
            {
                if (c != '`') part.Append(c);
                else if (i + 1 < value.Length && value[i + 1] == '`') { part.Append('`'); i++; }
                else quoted = false;
            }
            else if (c == '`')
            {
                if (wasQuoted || part.ToString().Trim().Length > 0) throw Invalid(table, DataSkippingProperties.StatsColumns, "has a back-quote inside a name");
                part.Clear();
                quoted = wasQuoted = true;
            }
            else if (c == '.') EndPart();
            else if (c == ',') { EndPart(); columns.Add([.. parts]); parts.Clear(); }
            else if (!wasQuoted) part.Append(c);
            else if (!char.IsWhiteSpace(c)) throw Invalid(table, DataSkippingProperties.StatsColumns, "has text after a back-quoted name");
        }
        if (quoted) throw Invalid(table, DataSkippingProperties.StatsColumns, "has an unclosed back-quote");
        EndPart();
        columns.Add([.. parts]);
        return columns;
    }

    /// <summary>The schema path (schema spelling) of a listed name; names match case-insensitively, as in Spark.</summary>
    private static string[] Resolve(string table, StructType schema, List<string> names)
    {
        var path = new string[names.Count];
        DeltaType current = schema;
        for (int i = 0; i < names.Count; i++)
        {
            var field = current is StructType s
                ? s.Fields.FirstOrDefault(f => f.Name == names[i]) ?? s.Fields.FirstOrDefault(f => string.Equals(f.Name, names[i], StringComparison.OrdinalIgnoreCase))
                : null;
            if (field is null)
                throw Invalid(table, DataSkippingProperties.StatsColumns, $"names column '{string.Join('.', names)}', which is not in the table schema",
                    "List existing columns; nested fields as parent.child.");
            path[i] = field.Name;
            current = field.Type;
        }
        if (current is ArrayType or MapType)
            throw Invalid(table, DataSkippingProperties.StatsColumns, $"names column '{string.Join('.', path)}', {(current is ArrayType ? "an array" : "a map")}, which has no statistics");
        return path;
    }

    private static DeltaException Invalid(string table, string property, string reason, string? help = null) =>
        new(DeltaErrorKind.InvalidArgument, table, $"table property {property} {reason}", help);
}
