using System.Text;
using Lakehouse.Engine;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Sample;
using Lakehouse.Jobs.Silver;
using Lakehouse.Jobs.Tests.Sample;
using Lakehouse.Tables;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Silver;

/// <summary>
/// A 12-person sample archive ingested into a lake, normalized, and de-identified with key A (once), plus helpers to
/// copy the normalized lake and de-identify a copy with another key.
/// </summary>
public sealed class SilverFixture : IDisposable
{
    public const string KeyA = "k3Y-A_9f8e7d6c5b4a3928171605f4e3d2c1b0a99887766554433";
    public const string KeyB = "Zq7-B_0a1b2c3d4e5f60718293a4b5c6d7e8f9fedcba98765432";

    public SilverFixture()
    {
        Archive = Dir.Combine("archive");
        SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = Archive, Patients = 12, Seed = 5 });
        Lake = new LakeStore(Dir.Combine("lake"));
        new DicomIngestJob(Lake, new DicomIngestOptions(Path.Combine(Archive, "dicom")) { BatchSize = 500 }).Run();
        new ReportIngestJob(Lake, Path.Combine(Archive, "reports.jsonl")).Run();
        NormalizeResult = new NormalizeJob().Run(new JobContext(Lake, new Dictionary<string, string>(), Log));
        Normalized = CopyLake("normalized");
        KeyFileA = WriteKey("a.key", KeyA);
        KeyFileB = WriteKey("b.key", KeyB);
        DeidResult = Deidentify(Lake, KeyFileA);
        Instances = SampleArchiveFixture.ReadCsv(Path.Combine(Archive, "ground-truth", "instances.csv"));
        Studies = SampleArchiveFixture.ReadCsv(Path.Combine(Archive, "ground-truth", "studies.csv"));
        Persons = SampleArchiveFixture.ReadCsv(Path.Combine(Archive, "ground-truth", "persons.csv"));
        using var phi = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Archive, "ground-truth", "phi.json")));
        Phi = phi.RootElement.EnumerateArray().Select(e => (e.GetProperty("value").GetString()!, e.GetProperty("attribute").GetString()!)).ToList();
    }

    public TempDirectory Dir { get; } = new("silver");
    public string Archive { get; }
    public LakeStore Lake { get; }

    /// <summary>A copy of the lake right after normalize (no silver instances yet).</summary>
    public string Normalized { get; }
    public string KeyFileA { get; }
    public string KeyFileB { get; }
    public StringWriter Log { get; } = new();
    public JobResult NormalizeResult { get; }
    public JobResult DeidResult { get; }
    public List<Dictionary<string, string>> Instances { get; }
    public List<Dictionary<string, string>> Studies { get; }
    public List<Dictionary<string, string>> Persons { get; }
    public List<(string Value, string Attribute)> Phi { get; }

    public JobResult Deidentify(LakeStore lake, string keyFile, IReadOnlyDictionary<string, string>? extra = null)
    {
        var parameters = new Dictionary<string, string>(extra ?? new Dictionary<string, string>()) { [DeidentifyJob.KeyFileParameter] = keyFile };
        return new DeidentifyJob().Run(new JobContext(lake, parameters, Log));
    }

    /// <summary>A fresh copy of the normalized lake, under a new folder.</summary>
    public LakeStore CopyNormalized(string name)
    {
        string target = Dir.Combine(name);
        Copy(Normalized, target);
        return new LakeStore(target);
    }

    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows(LakeStore lake, LakeTableName table) =>
        DeltaTable.Open(lake.PathOf(table)).Snapshot().ReadRows();

    private string CopyLake(string name)
    {
        string target = Dir.Combine(name);
        Copy(Lake.Root, target);
        return target;
    }

    private string WriteKey(string name, string key)
    {
        string path = Dir.Combine(name);
        File.WriteAllText(path, key + "\n", Encoding.ASCII);
        return path;
    }

    private static void Copy(string from, string to)
    {
        foreach (string dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }

    public void Dispose() => Dir.Dispose();
}

[CollectionDefinition(Name)]
public sealed class SilverCollection : ICollectionFixture<SilverFixture>
{
    public const string Name = "silver";
}
