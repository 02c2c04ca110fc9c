using System.Text.Json;
using Lakehouse.Testing;

namespace Lakehouse.Udfs.Tests.Deidentification;

/// <summary>The synthphi-v1 files as dcm2json (dcmtk) output, with the manifest's patients and planted PHI strings.</summary>
public sealed class SynthPhiCorpus
{
    public sealed record File(string Name, string PatientId, string Json, string SopInstanceUid, string StudyInstanceUid, string SeriesInstanceUid);

    public IReadOnlyList<File> Files { get; }
    public IReadOnlyList<string> Needles { get; }

    public SynthPhiCorpus()
    {
        string dir = RepoPaths.SharedFile("deid", "synthphi-v1");
        using var manifest = JsonDocument.Parse(System.IO.File.ReadAllBytes(Path.Combine(dir, "manifest.json")));
        Needles = [.. manifest.RootElement.GetProperty("needles").EnumerateArray().Select(n => n.GetString()!)];
        string dcm2json = ExternalTool.Require("dcm2json");
        var files = new List<File>();
        foreach (var f in manifest.RootElement.GetProperty("files").EnumerateArray())
        {
            string name = f.GetProperty("file").GetString()!;
            var result = ExternalTool.Run(dcm2json, [Path.Combine(dir, name)]);
            if (!result.Succeeded)
            {
                // dcm2json 3.6.7 cannot write compressed pixel data as InlineBinary: drop Pixel Data from a copy
                // (it carries none of the planted PHI) and convert that.
                using var temp = new TempDirectory("deid-synthphi");
                string copy = temp.Combine(name);
                System.IO.File.Copy(Path.Combine(dir, name), copy);
                var modify = ExternalTool.Run(ExternalTool.Require("dcmodify"), ["-nb", "-ea", "(7fe0,0010)", copy]);
                if (!modify.Succeeded) throw new InvalidOperationException($"dcmodify failed on {name}: {modify.StdErr}");
                result = ExternalTool.Run(dcm2json, [copy]);
            }
            if (!result.Succeeded) throw new InvalidOperationException($"dcm2json failed on {name}: {result.StdErr}");
            files.Add(new File(name, f.GetProperty("patient_id").GetString()!, result.StdOut,
                f.GetProperty("sop_instance_uid").GetString()!, f.GetProperty("study_instance_uid").GetString()!,
                f.GetProperty("series_instance_uid").GetString()!));
        }
        Files = files;
    }
}

[CollectionDefinition(Name)]
public sealed class SynthPhiCollection : ICollectionFixture<SynthPhiCorpus>
{
    public const string Name = "synthphi";
}
