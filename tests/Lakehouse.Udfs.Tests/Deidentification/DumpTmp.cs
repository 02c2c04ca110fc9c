using Lakehouse.Udfs.Deidentification;
namespace Lakehouse.Udfs.Tests.Deidentification;
[Collection(SynthPhiCollection.Name)]
public class DumpTmp(SynthPhiCorpus corpus)
{
    [Fact]
    public void Dump()
    {
        Directory.CreateDirectory("/tmp/deid-out");
        foreach (var f in corpus.Files)
        {
            File.WriteAllText("/tmp/deid-out/" + f.Name + ".in.json", f.Json);
            File.WriteAllText("/tmp/deid-out/" + f.Name + ".out.json", DicomJsonDeidentifier.Deidentify(f.Json, DeidOptions.Default, DeidTestKeys.A, f.PatientId, new DeidAudit()));
        }
    }
}
