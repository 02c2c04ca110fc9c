using System.Collections;
using Lakehouse.Engine;
using Lakehouse.Jobs.Export;
using Lakehouse.Tables;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Release;

/// <summary>
/// A small lake built to the silver/gold contract with several versions per table, plus bronze and restricted tables
/// holding PHI-looking values the exports must never contain.
/// </summary>
internal sealed class ReleaseLake : IDisposable
{
    public static readonly StructType InstancesSchema = new(
        [.. new[] { "person_id", "patient_id", "study_instance_uid", "series_instance_uid", "sop_instance_uid", "site", "modality",
            "body_part", "vendor", "model", "study_type", "contrast" }.Select(n => new StructField(n, DeltaType.String)),
        new StructField("age_years", DeltaType.Double), new StructField("age_band", DeltaType.String), new StructField("sex", DeltaType.String),
        new StructField("tags_json", DeltaType.String)]);

    public static readonly StructType LabelsSchema = new(
        [.. new[] { "study_instance_uid", "person_id", "patient_id", "accession_number" }.Select(n => new StructField(n, DeltaType.String)),
        .. ExportSchema.Labels.Select(l => new StructField(l, DeltaType.Integer)),
        .. new[] { "evidence", "method", "report_ids", "labeler_version" }.Select(n => new StructField(n, DeltaType.String))]);

    public static readonly StructType SplitsSchema = new(
        new StructField("patient_id", DeltaType.String), new StructField("person_id", DeltaType.String), new StructField("split", DeltaType.String),
        new StructField("split_version", DeltaType.String), new StructField("assigned_at", DeltaType.Timestamp));

    /// <summary>PHI-looking values put only into bronze and restricted tables.</summary>
    public static readonly string[] PhiValues = ["DOE^JANE", "MRN7730021", "1.2.840.99999.7.7.7", "ACC998877", "/data/patients/DOE_JANE/img1.dcm"];

    private readonly TempDirectory dir = new("lakehouse-release");
    private int nextInstance;

    public ReleaseLake()
    {
        Lake = new LakeStore(dir.Combine("lake"));
        Root = dir.Path;
        var lineage = new CommitLineage("fixture");
        Instances = DeltaTable.Create(Lake.PathOf(new("silver", "instances")), InstancesSchema, lineage: lineage);
        Labels = DeltaTable.Create(Lake.PathOf(new("gold", "study_labels")), LabelsSchema, lineage: lineage);
        Splits = DeltaTable.Create(Lake.PathOf(new("gold", "splits")), SplitsSchema, lineage: lineage);
        var siteSchema = new StructType(new StructField("site", DeltaType.String), new StructField("name", DeltaType.String));
        var sites = DeltaTable.Create(Lake.PathOf(new("ref", "sites")), siteSchema, lineage: lineage);
        Append(sites, new ColumnBatch(siteSchema, [new List<object?> { "S1", "S2", "S3" }, new List<object?> { "north", "south", "east" }]));

        // Patients 0..59 in two appends (silver.instances v1, v2), labels and splits once each (v1).
        AddPatients(0, 30);
        AddPatients(30, 60);
        WriteSplits("sv1", 0, 60, shift: 0, DeltaOperation.Append);

        // PHI lives only here.
        var bronzeSchema = new StructType(new StructField("patient_name", DeltaType.String), new StructField("patient_id", DeltaType.String),
            new StructField("sop_instance_uid", DeltaType.String), new StructField("accession_number", DeltaType.String), new StructField("source_path", DeltaType.String));
        var bronze = DeltaTable.Create(Lake.PathOf(new("bronze", "dicom_instances")), bronzeSchema, lineage: lineage);
        Append(bronze, new ColumnBatch(bronzeSchema, PhiValues.Select(v => (IList)new List<object?> { v }).ToList()));
        var crosswalkSchema = new StructType(new[] { "run_id", "key_fingerprint", "kind", "original", "pseudonym", "source_table" }.Select(n => new StructField(n, DeltaType.String)).ToList());
        var crosswalk = DeltaTable.Create(Lake.PathOf(new("restricted", "crosswalk")), crosswalkSchema, lineage: lineage);
        Append(crosswalk, ColumnBatch.FromRows(crosswalkSchema, PhiValues.Select(v => new Dictionary<string, object?>
        {
            ["run_id"] = "r", ["key_fingerprint"] = "k", ["kind"] = "patient_key", ["original"] = v, ["pseudonym"] = "PT-0000", ["source_table"] = "bronze.dicom_instances",
        })));
    }

    public LakeStore Lake { get; }
    public string Root { get; }
    public DeltaTable Instances { get; }
    public DeltaTable Labels { get; }
    public DeltaTable Splits { get; }

    public static string PatientId(int p) => $"PT-{p:D4}";

    /// <summary>Adds patients [from, to): one person each, two studies of two instances; appends instances and labels.</summary>
    public void AddPatients(int from, int to)
    {
        var random = new Random(from * 7919 + to);
        var instances = new List<Dictionary<string, object?>>();
        var labels = new List<Dictionary<string, object?>>();
        string[] sites = ["S1", "S2", "S3"];
        for (int p = from; p < to; p++)
        {
            double age = 20 + random.Next(0, 70);
            string sex = random.Next(2) == 0 ? "M" : "F";
            string site = sites[p % 3];
            for (int s = 0; s < 2; s++)
            {
                string study = $"2.25.{p}.{s}";
                for (int k = 0; k < 2; k++)
                {
                    int n = nextInstance++;
                    // SOP UIDs not in insertion order, so ORDER BY is exercised.
                    instances.Add(new()
                    {
                        ["person_id"] = $"PS-{p:D4}", ["patient_id"] = PatientId(p), ["study_instance_uid"] = study,
                        ["series_instance_uid"] = $"{study}.1", ["sop_instance_uid"] = $"2.25.9{(n * 7919) % 10007:D5}.{n}",
                        ["site"] = site, ["modality"] = k == 0 ? "CR" : "DX", ["body_part"] = "CHEST", ["vendor"] = "GE", ["model"] = "DEFINIUM 8000",
                        ["study_type"] = "XR CHEST", ["contrast"] = "no", ["age_years"] = age,
                        ["age_band"] = age < 40 ? "18-39" : age < 65 ? "40-64" : "65-89", ["sex"] = sex, ["tags_json"] = "{}",
                    });
                }
                // Cardiomegaly mostly in the old: a learnable signal; about 10% noise and some uncertain/missing labels.
                bool old = age >= 60;
                int? cardio = random.Next(20) == 0 ? null : random.Next(20) == 0 ? -1 : (random.Next(10) == 0 ? !old : old) ? 1 : 0;
                var row = new Dictionary<string, object?>
                {
                    ["study_instance_uid"] = study, ["person_id"] = $"PS-{p:D4}", ["patient_id"] = PatientId(p), ["accession_number"] = $"AC-{p}{s}",
                    ["evidence"] = "[]", ["method"] = "accession", ["report_ids"] = $"RP-{p}{s}", ["labeler_version"] = "1",
                };
                foreach (string l in ExportSchema.Labels) row[l] = random.Next(3) == 0 ? null : random.Next(2);
                row["cardiomegaly"] = cardio;
                labels.Add(row);
            }
        }
        Append(Instances, ColumnBatch.FromRows(InstancesSchema, instances));
        Append(Labels, ColumnBatch.FromRows(LabelsSchema, labels));
    }

    /// <summary>Writes a split version for patients [from, to): 70/15/15 by a patient hash, rotated by <paramref name="shift"/>.</summary>
    public void WriteSplits(string splitVersion, int from, int to, int shift, DeltaOperation operation)
    {
        var rows = Enumerable.Range(from, to - from).Select(p =>
        {
            int bucket = (p * 37 + shift) % 20;
            return new Dictionary<string, object?>
            {
                ["patient_id"] = PatientId(p), ["person_id"] = $"PS-{p:D4}", ["split"] = bucket < 14 ? "train" : bucket < 17 ? "validation" : "test",
                ["split_version"] = splitVersion, ["assigned_at"] = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
            };
        });
        Commit(Splits, ColumnBatch.FromRows(SplitsSchema, rows), operation);
    }

    public static long Append(DeltaTable table, ColumnBatch batch) => Commit(table, batch, DeltaOperation.Append);

    public static long Commit(DeltaTable table, ColumnBatch batch, DeltaOperation operation, CommitLineage? lineage = null)
    {
        var tx = table.NewTransaction(operation, lineage ?? new CommitLineage("fixture"));
        tx.Write(batch);
        return tx.Commit();
    }

    public void Dispose() => dir.Dispose();
}
