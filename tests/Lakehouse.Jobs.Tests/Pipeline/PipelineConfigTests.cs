using Lakehouse.Jobs.Pipeline;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Pipeline;

public class PipelineConfigTests
{
    private static PipelineConfig Parse(string yaml) => PipelineConfig.Parse(yaml, "/data/pipelines/test.yaml", "test.yaml");

    [Theory]
    [InlineData("pipeline: p\nsourcs:\n  dicom: x\njobs: [ingest-dicom]\n", "sourcs (line 2): unknown key")]
    [InlineData("pipeline: p\nsplit:\n  seed: abc\njobs: [split]\n", "split.seed (line 3): expected an integer, got 'abc'")]
    [InlineData("pipeline: p\nsplit:\n  ratios: { train: 0.8, validation: 0.1, test: 0.2 }\njobs: [split]\n", "split.ratios (line 3): must add up to 1")]
    [InlineData("pipeline: p\nsplit:\n  ratios: { train: 0.8, valid: 0.2 }\njobs: [split]\n", "split.ratios.valid (line 3): unknown key")]
    [InlineData("pipeline: p\nsample:\n  folder: s\n  patients: 0\njobs: [ingest-dicom]\n", "sample.patients (line 4): must be between 1 and")]
    [InlineData("pipeline: p\n", "jobs (line 1): is required")]
    [InlineData("jobs: [a]\n", "pipeline (line 1): is required")]
    [InlineData("pipeline: p\njobs:\n  - job: a\n  - job: b\n    after: [c]\n", "jobs[1].after")]
    [InlineData("pipeline: p\njobs:\n  - job: a\n    enabled: maybe\n", "jobs[0].enabled (line 4): expected true or false, got 'maybe'")]
    [InlineData("pipeline: p\njobs:\n  - jobb: a\n", "jobs[0].jobb (line 3): unknown key")]
    [InlineData("pipeline: p\njobs: [a, a]\n", "job 'a' is listed twice")]
    [InlineData("pipeline: p\ndeidentify:\n  key: 0123456789abcdef\njobs: [deidentify]\n", "deidentify.key (line 3): unknown key")]
    [InlineData("pipeline: p\ndeidentify:\n  key_env: 'abc def!'\njobs: [deidentify]\n", "deidentify.key_env (line 3): must be the name of an environment variable")]
    [InlineData("pipeline: p\njobs: [a\n", "not valid YAML at line")]
    public void Errors_are_one_line_naming_the_file_and_the_key(string yaml, string expected)
    {
        var act = () => Parse(yaml);
        var error = act.Should().Throw<UserInputException>().Which;
        error.Message.Should().StartWith("pipeline test.yaml: ").And.Contain(expected).And.NotContain("\n");
    }

    [Fact]
    public void Paths_resolve_against_the_file_folder_and_sections_become_job_parameters()
    {
        var config = Parse("""
            pipeline: local
            lake: ../lake
            sources: { dicom: ../sample/dicom, reports: /abs/reports.jsonl }
            deidentify: { key_env: MY_KEY, options: { keep_descriptions: "true" } }
            split: { ratios: { train: 0.7, validation: 0.2, test: 0.1 }, seed: 7 }
            release: { name: r1, export_dir: out }
            jobs:
              - ingest-dicom
              - ingest-reports
              - deidentify
              - split
              - job: normalize
                parameters: { ref_dir: ref, mode: strict }
              - job: export
                after: release
                enabled: false
              - release
            """);
        config.Name.Should().Be("local");
        config.Lake.Should().Be("/data/lake");
        config.ParametersFor(config.Jobs[0]).Should().Equal(new Dictionary<string, string> { ["source"] = "/data/sample/dicom" });
        config.ParametersFor(config.Jobs[1])["source"].Should().Be("/abs/reports.jsonl");
        config.ParametersFor(config.Jobs[2]).Should().BeEquivalentTo(new Dictionary<string, string> { ["key_env"] = "MY_KEY", ["keep_descriptions"] = "true" });
        config.ParametersFor(config.Jobs[3]).Should().BeEquivalentTo(new Dictionary<string, string> { ["ratios"] = "train=0.7,validation=0.2,test=0.1", ["seed"] = "7" });
        config.ParametersFor(config.Jobs[4]).Should().BeEquivalentTo(new Dictionary<string, string> { ["ref_dir"] = "/data/pipelines/ref", ["mode"] = "strict" });
        config.Jobs[5].Enabled.Should().BeFalse();
        config.Jobs[5].After.Should().Equal("release");
        config.ParametersFor(config.Jobs[5]).Should().BeEquivalentTo(new Dictionary<string, string> { ["release"] = "r1", ["export_dir"] = "/data/pipelines/out" });
    }

    [Fact]
    public void The_shipped_local_pipeline_parses_and_names_the_whole_chain()
    {
        var config = PipelineConfig.Load(Path.Combine(RepoPaths.Root, "pipelines", "local.yaml"));
        config.Jobs.Select(j => j.Job).Should().ContainInOrder("ingest-dicom", "ingest-reports", "link-patients", "normalize", "deidentify",
            "label-studies", "split", "profile", "release", "export");
        config.Sample!.Patients.Should().Be(50);
        config.Deidentify!.GenerateKeyIfMissing.Should().BeTrue();
        config.Deidentify.KeyFile.Should().BeNull("the sample key is generated under the lake, never shipped");
    }

    [Fact]
    public void A_missing_file_is_a_user_error()
    {
        var act = () => PipelineConfig.Load("/nonexistent/pipeline.yaml");
        act.Should().Throw<UserInputException>().WithMessage("*pipeline.yaml does not exist*");
    }
}

public class DatabricksWorkflowTests
{
    [Fact]
    public void The_workflow_has_a_task_per_pipeline_job_and_its_edges_follow_the_local_order()
    {
        var local = PipelineConfig.Load(Path.Combine(RepoPaths.Root, "pipelines", "local.yaml"));
        var workflow = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "pipelines", "databricks-workflow.json")))!;
        var tasks = workflow["tasks"]!.AsArray().Select(t => (
            Key: (string)t!["task_key"]!,
            Deps: t["depends_on"]?.AsArray().Select(d => (string)d!["task_key"]!).ToList() ?? [])).ToList();
        var order = local.Jobs.Select(j => j.Job).ToList();

        tasks.Select(t => t.Key).Should().Contain(order, "every job of the local pipeline runs on Databricks too");
        tasks.Select(t => t.Key).Should().OnlyHaveUniqueItems();
        foreach (var (key, deps) in tasks)
        {
            deps.Where(d => !tasks.Any(t => t.Key == d)).Should().BeEmpty($"{key} depends on existing tasks");
            if (order.Contains(key))
                deps.Where(d => order.IndexOf(d) < 0 || order.IndexOf(d) >= order.IndexOf(key)).Should().BeEmpty($"{key} waits only for jobs before it in local.yaml");
        }
        workflow["job_clusters"]![0]!["new_cluster"]!["spark_env_vars"]!["LAKEHOUSE_DEID_KEY"]!.ToString().Should().StartWith("{{secrets/",
            "the key comes from a secret scope, never a literal");
    }
}
