using Lakehouse.Engine;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Sample;
using Lakehouse.Tables;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Ingest;

/// <summary>A small sample archive ingested once into a lake, shared by the ingestion tests that only read.</summary>
public sealed class IngestFixture : IDisposable
{
    public IngestFixture()
    {
        Archive = SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = Dir.Combine("archive"), Patients = 12, Seed = 5 });
        Lake = new LakeStore(Dir.Combine("lake"));
        FirstRun = new DicomIngestJob(Lake, new DicomIngestOptions(DicomRoot) { BatchSize = 200 }).Run();
        ReportsRun = new ReportIngestJob(Lake, Path.Combine(ArchiveRoot, "reports.jsonl")).Run();
    }

    public TempDirectory Dir { get; } = new("ingest");
    public SampleArchiveSummary Archive { get; }
    public LakeStore Lake { get; }
    public DicomIngestSummary FirstRun { get; }
    public ReportIngestSummary ReportsRun { get; }
    public string ArchiveRoot => Dir.Combine("archive");

    /// <summary>Where the DICOM files of the sample are (the archive root minus ground truth and reports, when the generator separates them).</summary>
    public string DicomRoot => Directory.Exists(Path.Combine(ArchiveRoot, "dicom")) ? Path.Combine(ArchiveRoot, "dicom") : ArchiveRoot;

    public GroundTruthFiles Truth => new(Path.Combine(ArchiveRoot, "ground-truth"));

    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows(Engine.LakeTableName name) =>
        DeltaTable.Open(Lake.PathOf(name)).Snapshot().ReadRows();

    public void Dispose() => Dir.Dispose();
}

/// <summary>Reads the sample archive's ground-truth CSV files (simple CSV: quoted fields allowed).</summary>
public sealed class GroundTruthFiles(string dir)
{
    public IReadOnlyList<Dictionary<string, string>> Read(string file)
    {
        using var reader = new StreamReader(Path.Combine(dir, file));
        var records = global::Lakehouse.Jobs.Labels.CsvRecordReader.Read(reader, file).ToList();
        string[] header = records[0].Fields;
        return records.Skip(1).Select(r => header.Select((h, i) => (h, v: r.Fields[i])).ToDictionary(x => x.h, x => x.v)).ToList();
    }
}
