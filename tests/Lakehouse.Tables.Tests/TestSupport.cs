using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Lakehouse.Testing;

namespace Lakehouse.Tables.Tests;

internal static class TestSupport
{
    public static string ConformanceRoot => RepoPaths.SharedFile("delta-conformance");

    /// <summary>Copies a directory tree (conformance tables are read-only and some tests touch mtimes).</summary>
    public static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            File.Copy(file, target);
            File.SetAttributes(target, FileAttributes.Normal);
        }
    }

    /// <summary>Rows DuckDB reads from the given Parquet files, rendered as sorted strings (for set comparison).</summary>
    public static List<string> DuckDbRows(IEnumerable<string> files, IReadOnlyList<string> columns)
    {
        var list = files.ToList();
        if (list.Count == 0) return [];
        using var conn = new DuckDBConnection("Data Source=:memory:");
        conn.Open();
        using var cmd = conn.CreateCommand();
        string fileList = string.Join(", ", list.Select(f => "'" + f.Replace("'", "''", StringComparison.Ordinal) + "'"));
        cmd.CommandText = $"SELECT {string.Join(", ", columns.Select(c => "\"" + c + "\""))} FROM read_parquet([{fileList}], union_by_name=true)";
        using var reader = cmd.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            var sb = new StringBuilder();
            for (int i = 0; i < reader.FieldCount; i++) sb.Append(Render(reader.IsDBNull(i) ? null : reader.GetValue(i))).Append('|');
            rows.Add(sb.ToString());
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    public static List<string> Rendered(IEnumerable<IReadOnlyDictionary<string, object?>> rows, IReadOnlyList<string> columns)
    {
        var list = rows.Select(r => string.Concat(columns.Select(c => Render(r[c]) + "|"))).ToList();
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    public static string Render(object? v) => v switch
    {
        null => "null",
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        byte[] b => Convert.ToHexString(b),
        Stream st => Convert.ToHexString(ReadAll(st)),
        decimal m => m.ToString("0.############", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        string s => s,
        System.Collections.IDictionary d => "{" + string.Join(",", d.Keys.Cast<object>().Select(k => Render(k) + ":" + Render(d[k])).Order(StringComparer.Ordinal)) + "}",
        System.Collections.IEnumerable e => "[" + string.Join(",", e.Cast<object?>().Select(Render)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static byte[] ReadAll(Stream s)
    {
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>The TestWriter console next to this test assembly's build configuration.</summary>
    public static string TestWriterDll
    {
        get
        {
            // .../tests/Lakehouse.Tables.Tests/bin/<Configuration>/net10.0/
            var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            string framework = baseDir.Name, configuration = baseDir.Parent!.Name;
            string dll = Path.Combine(RepoPaths.Root, "tests", "Lakehouse.Tables.Tests", "TestWriter", "bin", configuration, framework, "Lakehouse.Tables.TestWriter.dll");
            if (!File.Exists(dll)) throw new FileNotFoundException("TestWriter not built", dll);
            return dll;
        }
    }
}
