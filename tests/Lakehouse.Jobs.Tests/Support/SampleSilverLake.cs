using Lakehouse.Engine;
using Lakehouse.Jobs.Identity;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Sample;
using Lakehouse.Jobs.Silver;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Support;

/// <summary>
/// A generated sample archive taken through bronze to silver with the real jobs (ingest DICOM and reports, optionally
/// link-patients, load-ref, normalize, deidentify), for end-to-end tests of what comes after silver.
/// </summary>
/// <param name="Archive">The sample archive root (ground truth in <c>ground-truth/</c>).</param>
/// <param name="Lake">The lake.</param>
/// <param name="Context">A job context carrying the key file, for the silver jobs.</param>
public sealed record SampleSilverLake(string Archive, LakeStore Lake, JobContext Context)
{
    /// <summary>A context without parameters, for the gold jobs.</summary>
    public JobContext Plain => Context with { Parameters = new Dictionary<string, string>() };

    /// <summary>A ground-truth file's path.</summary>
    public string Truth(string file) => Path.Combine(Archive, "ground-truth", file);

    /// <summary>Generates the archive into <paramref name="dir"/> and runs the chain up to silver.</summary>
    public static SampleSilverLake Build(TempDirectory dir, int patients, int seed, string keySecret, bool linkPatients = false)
    {
        string archive = dir.Combine("archive");
        SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = archive, Patients = patients, Seed = seed });
        var lake = new LakeStore(dir.Combine("lake"));
        string keyFile = dir.Combine("deid.key");
        File.WriteAllText(keyFile, keySecret);
        new DicomIngestJob(lake, new DicomIngestOptions(Path.Combine(archive, SampleArchiveGenerator.DicomFolder))).Run();
        new ReportIngestJob(lake, Path.Combine(archive, "reports.jsonl")).Run();
        if (linkPatients) new LinkPatientsJob(lake).Run();
        var context = new JobContext(lake, new Dictionary<string, string> { [DeidentifyJob.KeyFileParameter] = keyFile }, TextWriter.Null);
        new LoadRefJob().Run(context);
        new NormalizeJob().Run(context);
        new DeidentifyJob().Run(context);
        return new SampleSilverLake(archive, lake, context);
    }
}
