using Lakehouse.Engine;
using Lakehouse.Jobs.Gold.Labels;
using Lakehouse.Tables;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;

namespace Lakehouse.Jobs.Tests.Gold.Labels;

/// <summary>One silver instance row (the columns label-studies reads, as in the silver.instances contract).</summary>
public sealed record SilverInstance(string SopInstanceUid, string StudyInstanceUid, string? PersonId, string? PatientId,
    string? AccessionNumber, DateOnly? StudyDate, string? Modality, string? BodyPart);

/// <summary>One silver report row (the silver.reports contract).</summary>
public sealed record SilverReport(string ReportId, string? PersonId, string? AccessionNumber, DateOnly? ReportDate, string Status, string Text);

/// <summary>Writes small silver.instances / silver.reports Delta tables to the contract, standing in for the deidentify job.</summary>
public static class SilverFixture
{
    public static readonly StructType InstancesSchema = new(
    [
        new("sop_instance_uid", DeltaType.String), new("study_instance_uid", DeltaType.String), new("person_id", DeltaType.String),
        new("patient_id", DeltaType.String), new("accession_number", DeltaType.String), new("study_date", DeltaType.Date),
        new("modality", DeltaType.String), new("body_part_examined", DeltaType.String), new("body_part", DeltaType.String),
        new("site", DeltaType.String),
    ]);

    public static readonly StructType ReportsSchema = new(
    [
        new("report_id", DeltaType.String), new("person_id", DeltaType.String), new("patient_id", DeltaType.String),
        new("accession_number", DeltaType.String), new("site", DeltaType.String), new("report_date", DeltaType.Date),
        new("status", DeltaType.String), new("text", DeltaType.String), new("findings", DeltaType.String),
        new("impression", DeltaType.String), new("deid_key_fingerprint", DeltaType.String),
    ]);

    public static void Write(LakeStore lake, IEnumerable<SilverInstance> instances, IEnumerable<SilverReport> reports)
    {
        Commit(lake, LabelStudiesJob.Instances, InstancesSchema, instances.Select(i => new Dictionary<string, object?>
        {
            ["sop_instance_uid"] = i.SopInstanceUid, ["study_instance_uid"] = i.StudyInstanceUid, ["person_id"] = i.PersonId,
            ["patient_id"] = i.PatientId, ["accession_number"] = i.AccessionNumber, ["study_date"] = i.StudyDate,
            ["modality"] = i.Modality, ["body_part_examined"] = i.BodyPart, ["body_part"] = i.BodyPart, ["site"] = "S1",
        }));
        Commit(lake, LabelStudiesJob.Reports, ReportsSchema, reports.Select(r => new Dictionary<string, object?>
        {
            ["report_id"] = r.ReportId, ["person_id"] = r.PersonId, ["patient_id"] = r.PersonId is null ? null : "PT-" + r.PersonId,
            ["accession_number"] = r.AccessionNumber, ["site"] = "S1", ["report_date"] = r.ReportDate, ["status"] = r.Status,
            ["text"] = r.Text, ["findings"] = null, ["impression"] = null, ["deid_key_fingerprint"] = "test",
        }));
    }

    private static void Commit(LakeStore lake, LakeTableName name, StructType schema, IEnumerable<Dictionary<string, object?>> rows)
    {
        var lineage = new CommitLineage("test-silver-fixture");
        var table = lake.OpenOrCreate(name, schema, lineage);
        var tx = table.NewTransaction(DeltaOperation.Overwrite, lineage);
        tx.Write(ColumnBatch.FromRows(schema, rows.Cast<IReadOnlyDictionary<string, object?>>()));
        tx.Commit();
    }

    /// <summary>Runs label-studies on the lake with these parameters.</summary>
    public static JobResult Run(LakeStore lake, params (string Name, string Value)[] parameters) =>
        new LabelStudiesJob().Run(new JobContext(lake, parameters.ToDictionary(p => p.Name, p => p.Value), TextWriter.Null));

    /// <summary>Rows of a query as dictionaries (column → value, DBNull as null).</summary>
    public static List<Dictionary<string, object?>> Query(LakeStore lake, string sql)
    {
        using var engine = new LakeEngine(new DeltaLakeSource(lake), DeltaLakeSource.EngineOptions());
        using var reader = engine.ExecuteReader(sql);
        var rows = new List<Dictionary<string, object?>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (int i = 0; i < reader.FieldCount; i++) row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>The alignment SQL of the job run over the lake's silver tables (labels are not needed for it).</summary>
    public static List<Dictionary<string, object?>> Alignment(LakeStore lake, LabelStudiesOptions options)
    {
        using var engine = new LakeEngine(new DeltaLakeSource(lake), DeltaLakeSource.EngineOptions());
        foreach (var statement in LabelStudiesSql.LabelReports()) engine.ExecuteNonQuery(statement);
        using var reader = engine.ExecuteReader(LabelStudiesSql.Alignment(options));
        var rows = new List<Dictionary<string, object?>>();
        while (reader.Read())
            rows.Add(new Dictionary<string, object?>
            {
                ["report_id"] = reader.GetString(0), ["study_instance_uid"] = reader.GetString(1), ["method"] = reader.GetString(2),
            });
        return rows;
    }
}
