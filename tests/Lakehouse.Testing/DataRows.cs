using System.Data;

namespace Lakehouse.Testing;

/// <summary>Rows of a query result as tests compare them.</summary>
public static class DataRows
{
    /// <summary>Every remaining row of <paramref name="reader"/>, its values in column order (null for SQL NULL).</summary>
    public static List<object?[]> ReadAll(IDataReader reader)
    {
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }
}
