using System.Text.Json;
using Lakehouse.Engine;
using Lakehouse.Udfs.Labeling;
using Lakehouse.Udfs.Registry;

namespace Lakehouse.Jobs.Tests.Gold.Labels;

/// <summary>The labeling UDFs as SQL sees them: registered by default, called through DuckDB.</summary>
public sealed class LabelingUdfsTests
{
    private const string Report = "FINDINGS:\nNo pneumothorax. Possible left pleural effusion.\n\nIMPRESSION:\nMild cardiomegaly.\n";

    private static object? Scalar(string sql)
    {
        using var engine = new LakeEngine(null);
        return engine.ExecuteScalar(sql);
    }

    private static string Quoted(string text) => Sql.String(text);

    [Fact]
    public void The_registry_has_the_labeling_functions()
    {
        foreach (string name in new[] { "chexpert_labels_json", "chexpert_label", "chexpert_json_label", "chexpert_json_evidence", "chexpert_labeler_version" })
            UdfRegistry.Default.TryGet(name, out _).Should().BeTrue(name);
    }

    [Fact]
    public void Chexpert_label_gives_one_value_per_observation()
    {
        Scalar($"SELECT chexpert_label({Quoted(Report)}, 'pneumothorax')").Should().Be(0);
        Scalar($"SELECT chexpert_label({Quoted(Report)}, 'Pleural Effusion')").Should().Be(-1);
        Scalar($"SELECT chexpert_label({Quoted(Report)}, 'cardiomegaly')").Should().Be(1);
        Scalar($"SELECT chexpert_label({Quoted(Report)}, 'edema')").Should().BeNull();
        Scalar("SELECT chexpert_label(NULL, 'edema')").Should().BeNull();
    }

    [Fact]
    public void The_json_document_holds_all_14_values_and_evidence_spans()
    {
        string json = (string)Scalar($"SELECT chexpert_labels_json({Quoted(Report)})")!;
        using var doc = JsonDocument.Parse(json);
        var labels = doc.RootElement.GetProperty("labels");
        labels.EnumerateObject().Select(p => p.Name).Should().Equal(ChexpertObservations.All.Select(o => o.ColumnName()));
        doc.RootElement.GetProperty("labeler_version").GetString().Should().StartWith("chexpert-rules/lexicon-");

        Scalar($"SELECT chexpert_json_label(chexpert_labels_json({Quoted(Report)}), 'pleural_effusion')").Should().Be(-1);
        Scalar($"SELECT chexpert_json_label(chexpert_labels_json({Quoted(Report)}), 'no_finding')").Should().BeNull();
        string evidence = (string)Scalar($"SELECT chexpert_json_evidence(chexpert_labels_json({Quoted(Report)}), 'pleural_effusion', 'RP-1')")!;
        using var e = JsonDocument.Parse(evidence);
        e.RootElement.GetProperty("source_id").GetString().Should().Be("RP-1");
        int start = e.RootElement.GetProperty("start").GetInt32(), end = e.RootElement.GetProperty("end").GetInt32();
        Report[start..end].Should().Be(e.RootElement.GetProperty("mention").GetString());
        e.RootElement.GetProperty("cue").GetString().Should().Be("Possible");
        Scalar($"SELECT chexpert_json_evidence(chexpert_labels_json({Quoted(Report)}), 'edema', 'RP-1')").Should().BeNull();
    }

    [Fact]
    public void An_unknown_observation_is_an_error_without_the_text()
    {
        var act = () => Scalar("SELECT chexpert_label('Secret Name has pneumonia', 'lung_cancer')");
        act.Should().Throw<LakeSqlException>().Which.Message.Should().Contain("chexpert_label").And.NotContain("Secret");
    }
}
