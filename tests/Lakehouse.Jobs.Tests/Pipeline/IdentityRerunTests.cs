using Lakehouse.Engine;
using Lakehouse.Jobs.Identity;
using Lakehouse.Jobs.Pipeline;
using Lakehouse.Jobs.Silver;
using Lakehouse.Tables;
using Lakehouse.Testing;
using Lakehouse.Udfs.Deidentification;
using Lakehouse.Udfs.Identity;

namespace Lakehouse.Jobs.Tests.Pipeline;

/// <summary>A new identity (restricted.patient_persons) alone must re-run the silver jobs that carry the person key.</summary>
public class IdentityRerunTests(PipelineArchiveFixture archive) : IClassFixture<PipelineArchiveFixture>
{
    [Fact]
    public void A_new_link_patients_result_re_runs_normalize_and_deidentify_and_silver_takes_the_new_persons()
    {
        using var dir = new TempDirectory("identity-rerun");
        string file = dir.Combine("pipelines", "identity.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, $"""
            pipeline: identity
            sources:
              dicom: {archive.Archive}/dicom
              reports: {archive.Archive}/reports.jsonl
            deidentify: {"{"} generate_key_if_missing: true {"}"}
            jobs: [ingest-dicom, ingest-reports, link-patients, load-ref, normalize, deidentify]
            """);
        var config = PipelineConfig.Load(file);
        var lake = new LakeStore(dir.Combine("lake"));
        var log = new StringWriter();
        PipelineRunSummary Run() => new PipelineRunner(JobCatalog.Default, log).Run(config, lake);

        var first = Run();
        first.Succeeded.Should().BeTrue(log.ToString());
        first["deidentify"].Status.Should().Be(PipelineJobStatus.Ran);
        var personsBefore = PersonIds(lake);
        Run()["deidentify"].Status.Should().Be(PipelineJobStatus.Skipped, "nothing changed");

        // Identity recomputed outside the pipeline with other rules (as `lakehouse link-patients --no-name-match` does):
        // bronze is unchanged, so link-patients itself stays skipped in the next run.
        new LinkPatientsJob(lake, new IdentityOptions { LinkByNameBirthDateSex = false, LinkBySharedStudyInstanceUid = false }).Run();
        var personsAfter = PersonIds(lake);
        personsAfter.Distinct().Count().Should().BeGreaterThan(personsBefore.Distinct().Count(),
            "the sample links keys by name and shared studies, so without those rules there are more persons (else this test could not fail)");

        var second = Run();
        second.Succeeded.Should().BeTrue(log.ToString());
        second["link-patients"].Status.Should().Be(PipelineJobStatus.Skipped);
        second["normalize"].Status.Should().Be(PipelineJobStatus.Ran, "restricted.patient_persons is an input of normalize");
        second["deidentify"].Status.Should().Be(PipelineJobStatus.Ran, "its input restricted.instances_normalized has a new version");

        var key = DeidKey.FromFile(Path.Combine(lake.Root, "restricted", PipelineRunner.GeneratedKeyFileName));
        var deid = DeidentificationUdfs.For(key, DeidOptions.Default);
        var expected = personsAfter.Select(p => deid.Patient("person:" + p)).ToHashSet(StringComparer.Ordinal);
        var silver = DeltaTable.Open(lake.PathOf(SilverTables.Instances)).Snapshot().ReadRows().Select(r => (string)r["person_id"]!).ToHashSet(StringComparer.Ordinal);
        silver.Should().BeSubsetOf(expected).And.HaveCount(expected.Count, "every person of the new identity has instances in silver");

        Run().Jobs.Where(j => j.Job is "normalize" or "deidentify").Should().OnlyContain(j => j.Status == PipelineJobStatus.Skipped, "settled again");
    }

    private static List<string> PersonIds(LakeStore lake) =>
        DeltaTable.Open(lake.PathOf(IdentityTables.PatientPersons)).Snapshot().ReadRows().Select(r => (string)r["person_id"]!).ToList();
}
