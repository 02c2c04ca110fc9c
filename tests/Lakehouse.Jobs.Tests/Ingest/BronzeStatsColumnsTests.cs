using System.Text.Json.Nodes;
using Lakehouse.Engine;
using Lakehouse.Jobs.Ingest;
using Lakehouse.Tables;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Ingest;

/// <summary>
/// Bronze tables keep statistics (copies of values in the Delta log) only for columns worth skipping on: the large,
/// PHI-dense ones (tags_json, source_path, report text, error messages) have none in the log of a real ingestion.
/// </summary>
public class BronzeStatsColumnsTests(IngestFixture fx) : IClassFixture<IngestFixture>
{
    /// <summary>The columns named in each add's stats (nullCount, minValues, maxValues) of the table's committed log.</summary>
    private List<(HashSet<string> NullCount, HashSet<string> Min, long Records)> AddStats(LakeTableName name)
    {
        var stats = new List<(HashSet<string>, HashSet<string>, long)>();
        foreach (string commit in Directory.GetFiles(Path.Combine(fx.Lake.PathOf(name), "_delta_log"), "*.json"))
            foreach (string line in File.ReadLines(commit))
                if (JsonNode.Parse(line)?["add"]?["stats"] is JsonValue s && JsonNode.Parse(s.GetValue<string>()) is JsonObject o)
                    stats.Add((Keys(o["nullCount"]), Keys(o["minValues"]).Union(Keys(o["maxValues"])).ToHashSet(), o["numRecords"]!.GetValue<long>()));
        return stats;
    }

    private static HashSet<string> Keys(JsonNode? section) => section is JsonObject o ? o.Select(kv => kv.Key).ToHashSet() : [];

    [Fact]
    public void Dicom_instances_log_has_stats_for_uids_but_none_for_tags_json_or_source_path()
    {
        var table = DeltaTable.Open(fx.Lake.PathOf(BronzeTables.DicomInstances));
        table.Snapshot().Metadata.Configuration.Should().ContainKey(DataSkippingProperties.StatsColumns);
        var stats = AddStats(BronzeTables.DicomInstances);
        stats.Should().NotBeEmpty();
        stats.Sum(s => s.Records).Should().Be(fx.Rows(BronzeTables.DicomInstances).Count);
        foreach (var (nullCount, min, _) in stats)
        {
            nullCount.Should().Contain(["sop_instance_uid", "study_instance_uid", "modality", "study_date", "file_size", "ingest_run_id"]);
            min.Should().Contain("sop_instance_uid");
            nullCount.Should().NotContain(["tags_json", "source_path", "patient_name"]);
            min.Should().NotContain(["tags_json", "source_path", "patient_name"]);
        }
    }

    [Fact]
    public void Report_log_has_stats_for_ids_but_none_for_text_or_source_path()
    {
        var stats = AddStats(BronzeTables.Reports);
        stats.Should().NotBeEmpty();
        foreach (var (nullCount, min, _) in stats)
        {
            nullCount.Should().Contain(["report_id", "report_date", "ingest_run_id"]);
            min.Should().Contain("report_id");
            nullCount.Union(min).Should().NotContain(["text", "findings", "impression", "source_path"]);
        }
    }

    [Fact]
    public void Every_bronze_table_property_names_columns_of_its_schema()
    {
        // DeltaTable.Create validates the property against the schema, so a renamed column fails here, not in production.
        using var dir = new TempDirectory("bronze-stats-props");
        var lake = new LakeStore(dir.Path);
        var lineage = new CommitLineage("bronze-stats-test");
        foreach (var (name, schema) in new[]
        {
            (BronzeTables.DicomInstances, BronzeTables.DicomInstancesSchema), (BronzeTables.DicomDuplicates, BronzeTables.DicomDuplicatesSchema),
            (BronzeTables.DicomErrors, BronzeTables.DicomErrorsSchema), (BronzeTables.Reports, ReportIngestJob.ReportsSchema),
            (BronzeTables.ReportErrors, ReportIngestJob.ReportErrorsSchema),
        })
        {
            var properties = BronzeTables.PropertiesOf(name);
            properties.Should().NotBeNull(name.ToString());
            var table = lake.OpenOrCreate(name, schema, lineage, properties: properties);
            table.Snapshot().Metadata.Configuration[DataSkippingProperties.StatsColumns].Should().Be(properties![DataSkippingProperties.StatsColumns]);
            properties[DataSkippingProperties.StatsColumns].Split(',').Should().NotContain(["tags_json", "source_path", "message", "text", "patient_name"]);
        }
        BronzeTables.PropertiesOf(new LakeTableName("silver", "instances")).Should().BeNull();
    }
}
