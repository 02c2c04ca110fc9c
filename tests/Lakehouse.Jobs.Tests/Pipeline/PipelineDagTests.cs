using Lakehouse.Jobs.Pipeline;

namespace Lakehouse.Jobs.Tests.Pipeline;

public class PipelineDagTests
{
    private static (ILakeJob, IReadOnlyDictionary<string, string>, IReadOnlyList<string>) J(string name, string[] inputs, string[] outputs, params string[] after) =>
        (new FakeJob(name, inputs, outputs), new Dictionary<string, string>(), after);

    [Fact]
    public void Jobs_run_after_the_writers_of_their_inputs_and_after_their_explicit_after_whatever_the_file_order()
    {
        // Listed backwards on purpose: the order comes from the tables, not the file.
        var steps = PipelineDag.Order(
        [
            J("export", [], [], "release"),
            J("release", ["gold.splits", "gold.study_labels"], ["gold.releases"]),
            J("split", ["silver.instances"], ["gold.splits"]),
            J("label-studies", ["silver.instances", "silver.reports"], ["gold.study_labels"]),
            J("deidentify", ["bronze.dicom_instances", "bronze.reports", "restricted.patient_persons"], ["silver.instances", "silver.reports"]),
            J("link-patients", ["bronze.dicom_instances", "bronze.dicom_duplicates"], ["restricted.patient_persons"]),
            J("ingest-reports", [], ["bronze.reports"]),
            J("ingest-dicom", [], ["bronze.dicom_instances", "bronze.dicom_duplicates"]),
        ]);
        var order = steps.Select(s => s.Job.Name).ToList();
        order.Should().Equal("ingest-reports", "ingest-dicom", "link-patients", "deidentify", "split", "label-studies", "release", "export");
        steps.Single(s => s.Job.Name == "deidentify").DependsOn.Should().BeEquivalentTo("ingest-dicom", "ingest-reports", "link-patients");
        steps.Single(s => s.Job.Name == "export").DependsOn.Should().Equal("release");
    }

    [Fact]
    public void A_cycle_is_a_user_error_naming_the_jobs()
    {
        var act = () => PipelineDag.Order([J("a", ["gold.b"], ["gold.a"]), J("b", [], ["gold.b"], "c"), J("c", ["gold.a"], ["gold.c"])]);
        act.Should().Throw<UserInputException>().WithMessage("*cycle*a (waits for b)*b (waits for c)*c (waits for a)*");
    }

    [Fact]
    public void Two_writers_of_one_table_is_a_user_error()
    {
        var act = () => PipelineDag.Order([J("a", [], ["gold.t"]), J("b", [], ["gold.t"])]);
        act.Should().Throw<UserInputException>().WithMessage("*'a' and 'b' both write gold.t*");
    }
}
