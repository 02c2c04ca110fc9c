using Lakehouse.Jobs.Sample;
using Lakehouse.Testing;

namespace Lakehouse.Cli.Tests.Notebooks;

/// <summary>The <c>lakehouse run</c> verb end to end (the notebooks' lake is built the same way).</summary>
public class RunCommandTests
{
    [Fact]
    public void Run_ingests_then_a_second_run_commits_nothing_and_an_unknown_job_is_a_one_line_error()
    {
        using var dir = new TempDirectory("run-verb");
        File.WriteAllText(dir.Combine("p.yaml"), $"""
            pipeline: verb
            sample: {"{"} folder: archive, patients: 8, seed: 6 {"}"}
            sources: {"{"} dicom: archive/{SampleArchiveGenerator.DicomFolder}, reports: archive/reports.jsonl {"}"}
            jobs: [ingest-dicom, ingest-reports]
            """);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Cli.Run(["run", "--pipeline", dir.Combine("p.yaml"), "--lake", dir.Combine("lake")], stdout, stderr).Should().Be(Cli.Success, stderr.ToString());
        stdout.ToString().Should().Contain("[1/2] ingest-dicom: ran").And.Contain("pipeline verb: 2 ran, 0 skipped, 0 failed");
        string log = Path.Combine(dir.Combine("lake"), "bronze", "dicom_instances", "_delta_log");
        int commits = Directory.GetFiles(log, "*.json").Length;

        stdout = new StringWriter();
        Cli.Run(["run", "--pipeline", dir.Combine("p.yaml"), "--lake", dir.Combine("lake")], stdout, stderr).Should().Be(Cli.Success);
        Directory.GetFiles(log, "*.json").Should().HaveCount(commits);

        stdout = new StringWriter();
        Cli.Run(["run", "--pipeline", dir.Combine("p.yaml"), "--lake", dir.Combine("lake"), "--plan"], stdout, stderr).Should().Be(Cli.Success);
        stdout.ToString().Should().Be("ingest-dicom\ningest-reports\n".ReplaceLineEndings());

        File.WriteAllText(dir.Combine("bad.yaml"), "pipeline: verb\njobs: [ingest-dicom, link-patients-from-the-future]\n");
        stderr = new StringWriter();
        Cli.Run(["run", "--pipeline", dir.Combine("bad.yaml"), "--lake", dir.Combine("lake")], new StringWriter(), stderr).Should().Be(Cli.UserError);
        stderr.ToString().TrimEnd().Should().StartWith("lakehouse: pipeline verb: job 'link-patients-from-the-future' is not in the job catalog")
            .And.NotContain("\n");
    }
}
