using System.Collections;
using Lakehouse.Tables.Schema;

namespace Lakehouse.Tables.Transaction;

/// <summary>
/// Rows to write, column by column: one list per schema field, all of the same length. Values use the CLR shapes documented
/// on <see cref="DeltaType"/> (null for a null value); partition columns are included like any other column.
/// </summary>
public sealed class ColumnBatch
{
    /// <summary>Creates a batch; <paramref name="columns"/>[i] holds the values of <paramref name="schema"/>.Fields[i].</summary>
    public ColumnBatch(StructType schema, IReadOnlyList<IList> columns)
    {
        if (columns.Count != schema.Fields.Count)
            throw new ArgumentException($"the batch has {columns.Count} columns but its schema {schema.Fields.Count}", nameof(columns));
        int rows = columns.Count == 0 ? 0 : columns[0].Count;
        for (int i = 0; i < columns.Count; i++)
            if (columns[i].Count != rows) throw new ArgumentException($"column '{schema.Fields[i].Name}' has {columns[i].Count} values, expected {rows}", nameof(columns));
        Schema = schema;
        Columns = columns;
        RowCount = rows;
    }

    /// <summary>The batch's schema (a subset or superset of the table schema: see mergeSchema).</summary>
    public StructType Schema { get; }
    /// <summary>The column values, parallel to <see cref="Schema"/>.Fields.</summary>
    public IReadOnlyList<IList> Columns { get; }
    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>Builds a batch from row dictionaries (missing keys are null).</summary>
    public static ColumnBatch FromRows(StructType schema, IEnumerable<IReadOnlyDictionary<string, object?>> rows)
    {
        var columns = schema.Fields.Select(_ => (IList)new List<object?>()).ToArray();
        foreach (var row in rows)
            for (int i = 0; i < columns.Length; i++) columns[i].Add(row.GetValueOrDefault(schema.Fields[i].Name));
        return new ColumnBatch(schema, columns);
    }

    /// <summary>The values of the column named <paramref name="name"/>, or null when the batch has no such column.</summary>
    internal IList? Column(string name)
    {
        for (int i = 0; i < Schema.Fields.Count; i++) if (Schema.Fields[i].Name == name) return Columns[i];
        return null;
    }

    internal Dictionary<string, object?> Row(int index)
    {
        var d = new Dictionary<string, object?>(Columns.Count, StringComparer.Ordinal);
        for (int i = 0; i < Columns.Count; i++) d[Schema.Fields[i].Name] = Columns[i][index];
        return d;
    }
}
