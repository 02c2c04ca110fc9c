using System.Text.Json.Nodes;
using Lakehouse.Engine;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Jobs.Pipeline;
using Lakehouse.Tables;
using Lakehouse.Testing;
using Lakehouse.Udfs.Deidentification;

namespace Lakehouse.Jobs.Tests.Pipeline;

public class PipelineRunnerTests(PipelineArchiveFixture archive) : IClassFixture<PipelineArchiveFixture>
{
    private const string Jobs = """
        jobs:
          - ingest-dicom
          - ingest-reports
          - count-studies
          - count-total
        """;

    private static PipelineConfig Write(TempDirectory dir, string yaml)
    {
        string file = dir.Combine("pipelines", "test.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, yaml);
        return PipelineConfig.Load(file);
    }

    private string Sources => $"sources:\n  dicom: {archive.Archive}/dicom\n  reports: {archive.Archive}/reports.jsonl\n";

    private static Dictionary<string, long> Versions(LakeStore lake) =>
        lake.ListTables().ToDictionary(t => t.ToString(), t => DeltaTable.Open(lake.PathOf(t)).Snapshot().Version);

    private static PipelineRunSummary Run(PipelineConfig config, LakeStore lake, bool force = false) =>
        new PipelineRunner(PipelineTestJobs.Catalog, new StringWriter()) { Force = force }.Run(config, lake);

    [Fact]
    public void A_second_run_with_nothing_new_skips_every_table_job_and_commits_nothing()
    {
        using var dir = new TempDirectory("pipeline");
        var config = Write(dir, "pipeline: twice\n" + Sources + Jobs);
        var lake = new LakeStore(dir.Combine("lake"));
        var log = new StringWriter();

        var first = new PipelineRunner(PipelineTestJobs.Catalog, log).Run(config, lake);
        first.Succeeded.Should().BeTrue(log.ToString());
        first.Jobs.Select(j => j.Job).Should().Equal("ingest-dicom", "ingest-reports", "count-studies", "count-total");
        first.Jobs.Should().OnlyContain(j => j.Status == PipelineJobStatus.Ran);
        first["count-studies"].Committed.Should().ContainKey("gold.test_modality_counts");
        string printed = log.ToString();
        printed.Should().Contain("[3/4] count-studies: ran").And.Contain("job ").And.Contain("committed").And.Contain("gold.test_total@v1");
        printed.Should().NotContain(archive.Archive, "source paths can name patients");

        // Lineage: the job's own (input versions) plus the pipeline name and run id the runner adds.
        var commit = DeltaTable.Open(lake.PathOf(new LakeTableName("gold", "test_total"))).History()[0].Raw!["lakehouseLineage"]!;
        ((string?)commit["parameters"]!["pipeline"]).Should().Be("twice");
        ((string?)commit["parameters"]!["pipeline_run_id"]).Should().Be(first.RunId);
        ((long?)commit["inputVersions"]!["gold.test_modality_counts"]).Should().Be(first["count-studies"].Committed["gold.test_modality_counts"]);

        var before = Versions(lake);
        var second = Run(config, lake);
        second.Succeeded.Should().BeTrue();
        second["ingest-dicom"].Status.Should().Be(PipelineJobStatus.Ran, "ingestion always runs: its inputs are files");
        second["ingest-dicom"].Committed.Should().BeEmpty();
        second["ingest-reports"].Committed.Should().BeEmpty();
        second["count-studies"].Status.Should().Be(PipelineJobStatus.Skipped);
        second["count-total"].Status.Should().Be(PipelineJobStatus.Skipped);
        Versions(lake).Should().Equal(before, "nothing new means no commit anywhere, run state included");

        DeltaCheck.Check(lake.PathOf(PipelineRunState.Table)).Succeeded.Should().BeTrue();

        var forced = Run(config, lake, force: true);
        forced["count-studies"].Status.Should().Be(PipelineJobStatus.Ran);
        forced["count-total"].Status.Should().Be(PipelineJobStatus.Ran);
    }

    [Fact]
    public void After_a_failure_dependents_are_blocked_others_go_on_and_the_next_run_resumes()
    {
        using var dir = new TempDirectory("pipeline");
        string marker = dir.Combine("fail-now");
        File.WriteAllText(marker, "");
        var config = Write(dir, "pipeline: resume\n" + Sources + $"""
            jobs:
              - ingest-dicom
              - count-studies
              - job: flaky
                parameters: {"{"} fail_if_exists: {marker} {"}"}
              - after-flaky
              - count-total
            """);
        var lake = new LakeStore(dir.Combine("lake"));

        var failed = Run(config, lake);
        failed.Succeeded.Should().BeFalse();
        failed["count-studies"].Status.Should().Be(PipelineJobStatus.Ran);
        failed["flaky"].Status.Should().Be(PipelineJobStatus.Failed);
        failed["flaky"].Detail.Should().Be("flaky: injected failure");
        failed["after-flaky"].Status.Should().Be(PipelineJobStatus.Blocked);
        failed["count-total"].Status.Should().Be(PipelineJobStatus.Ran, "it does not wait for the failed job");
        lake.Exists(new LakeTableName("gold", "test_after_flaky")).Should().BeFalse();

        File.Delete(marker);
        var resumed = Run(config, lake);
        resumed.Succeeded.Should().BeTrue();
        resumed["count-studies"].Status.Should().Be(PipelineJobStatus.Skipped);
        resumed["count-total"].Status.Should().Be(PipelineJobStatus.Skipped);
        resumed["flaky"].Status.Should().Be(PipelineJobStatus.Ran);
        resumed["after-flaky"].Status.Should().Be(PipelineJobStatus.Ran);

        var state = DeltaTable.Open(lake.PathOf(PipelineRunState.Table)).Snapshot().ReadRows();
        state.Where(r => (string)r["job"]! == "flaky").Select(r => (string)r["status"]!).Should().BeEquivalentTo("failed", "succeeded");
    }

    [Fact]
    public void A_changed_input_or_parameter_runs_the_job_again()
    {
        using var dir = new TempDirectory("pipeline");
        var lake = new LakeStore(dir.Combine("lake"));
        var config = Write(dir, "pipeline: change\n" + Sources + "jobs: [ingest-dicom, count-studies, count-total]\n");
        Run(config, lake).Succeeded.Should().BeTrue();

        // A new version of count-studies' output (a re-run by hand) is a changed input for count-total only.
        new SqlLakeJob(new SqlJob("count-studies", [BronzeTables.DicomInstances], new LakeTableName("gold", "test_modality_counts"),
            "SELECT 'XX' AS modality, 1::BIGINT AS studies", JobWriteMode.Overwrite)).Run(new JobContext(lake, new Dictionary<string, string>(), TextWriter.Null));
        var second = Run(config, lake);
        second["count-studies"].Status.Should().Be(PipelineJobStatus.Skipped);
        second["count-total"].Status.Should().Be(PipelineJobStatus.Ran);

        var changed = Write(dir, "pipeline: change\n" + Sources + "jobs: [ingest-dicom, count-studies, {job: count-total, parameters: {note: v2}}]\n");
        Run(changed, lake)["count-total"].Status.Should().Be(PipelineJobStatus.Ran);
    }

    [Fact]
    public void A_job_the_catalog_does_not_know_is_a_config_error_naming_it()
    {
        using var dir = new TempDirectory("pipeline");
        var config = Write(dir, "pipeline: p\n" + Sources + "jobs: [ingest-dicom, link-patients-not-landed]\n");
        var act = () => Run(config, new LakeStore(dir.Combine("lake")));
        act.Should().Throw<UserInputException>().WithMessage("pipeline p: job 'link-patients-not-landed' is not in the job catalog (known jobs: *ingest-dicom*");
        Directory.Exists(dir.Combine("lake")).Should().BeFalse("nothing runs before the whole pipeline is valid");

        var disabled = Write(dir, "pipeline: p\n" + Sources + "jobs: [ingest-dicom, {job: link-patients-not-landed, enabled: false}]\n");
        new PipelineRunner(PipelineTestJobs.Catalog, TextWriter.Null).Plan(disabled, new LakeStore(dir.Combine("lake"))).Should().ContainSingle();
    }

    [Fact]
    public void First_run_generates_the_sample_and_the_sample_key_under_restricted()
    {
        using var dir = new TempDirectory("pipeline");
        var config = Write(dir, """
            pipeline: sample
            sample: { folder: ../sample, patients: 8, seed: 2 }
            sources: { dicom: ../sample/dicom, reports: ../sample/reports.jsonl }
            deidentify: { generate_key_if_missing: true }
            jobs: [ingest-dicom, ingest-reports, deidentify]
            """);
        var lake = new LakeStore(dir.Combine("lake"));
        var log = new StringWriter();
        var summary = new PipelineRunner(PipelineTestJobs.Catalog, log).Run(config, lake);
        summary.Succeeded.Should().BeTrue(log.ToString());
        Directory.EnumerateFiles(dir.Combine("sample", "dicom"), "*", SearchOption.AllDirectories).Should().NotBeEmpty();
        log.ToString().Should().Contain("sample: generating");
        DeltaTable.Open(lake.PathOf(BronzeTables.DicomInstances)).Snapshot().ReadRows().Should().NotBeEmpty();

        string keyFile = Path.Combine(lake.Root, "restricted", PipelineRunner.GeneratedKeyFileName);
        ParameterProbeJob.LastParameters!["key_file"].Should().Be(keyFile);
        string key = File.ReadAllText(keyFile).Trim();
        key.Should().MatchRegex("^[0-9a-f]{64}$");
        DeidKey.FromFile(keyFile).Fingerprint.Should().HaveLength(12);
        if (!OperatingSystem.IsWindows()) File.GetUnixFileMode(keyFile).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        foreach (string log2 in Directory.EnumerateFiles(lake.Root, "*.json", SearchOption.AllDirectories))
            File.ReadAllText(log2).Should().NotContain(key, "the key never reaches a commit log");
        log.ToString().Should().NotContain(key);

        // Second run: the sample and the key are kept as they are.
        var second = new StringWriter();
        new PipelineRunner(PipelineTestJobs.Catalog, second).Run(config, lake).Succeeded.Should().BeTrue();
        second.ToString().Should().NotContain("sample: generating");
        File.ReadAllText(keyFile).Trim().Should().Be(key);
    }

    [Fact]
    public void A_configured_key_file_that_does_not_exist_is_an_error_naming_the_key()
    {
        using var dir = new TempDirectory("pipeline");
        var config = Write(dir, "pipeline: p\n" + Sources + "deidentify: { key_file: missing.key, generate_key_if_missing: true }\njobs: [ingest-dicom, deidentify]\n");
        var act = () => Run(config, new LakeStore(dir.Combine("lake")));
        act.Should().Throw<UserInputException>().WithMessage("pipeline p: deidentify.key_file: the key file missing.key does not exist*");
        File.Exists(dir.Combine("pipelines", "missing.key")).Should().BeFalse();
    }
}
