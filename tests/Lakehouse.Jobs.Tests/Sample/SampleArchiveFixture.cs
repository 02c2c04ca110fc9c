using System.Security.Cryptography;
using Lakehouse.Jobs.Sample;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Sample;

/// <summary>One small archive (12 people, seed 7) shared by the tests of a class.</summary>
public sealed class SampleArchiveFixture : IDisposable
{
    public const int Patients = 12;
    public const long Seed = 7;

    private readonly TempDirectory _dir = new("sample-archive");

    public SampleArchiveFixture()
    {
        Root = _dir.Combine("archive");
        Summary = SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = Root, Patients = Patients, Seed = Seed });
        Files = ReadCsv(Path.Combine(Root, "ground-truth", "files.csv"));
        Instances = ReadCsv(Path.Combine(Root, "ground-truth", "instances.csv"));
        Persons = ReadCsv(Path.Combine(Root, "ground-truth", "persons.csv"));
    }

    public string Root { get; }
    public SampleArchiveSummary Summary { get; }
    public List<Dictionary<string, string>> Files { get; }
    public List<Dictionary<string, string>> Instances { get; }
    public List<Dictionary<string, string>> Persons { get; }

    public string Full(string relative) => Path.Combine([Root, .. relative.Split('/')]);

    /// <summary>A small RFC 4180 reader: enough for our own ground-truth files.</summary>
    public static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var rows = new List<List<string>>();
        string text = File.ReadAllText(path);
        var row = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (c == '\n') { row.Add(cell.ToString()); cell.Clear(); rows.Add(row); row = []; }
            else cell.Append(c);
        }
        var header = rows[0];
        return rows.Skip(1).Select(r => header.Select((h, i) => (h, r[i])).ToDictionary(x => x.h, x => x.Item2)).ToList();
    }

    /// <summary>SHA-256 of every file under a folder, by relative path.</summary>
    public static SortedDictionary<string, string> Hashes(string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            result[Path.GetRelativePath(root, file)] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));
        return result;
    }

    public void Dispose() => _dir.Dispose();
}
