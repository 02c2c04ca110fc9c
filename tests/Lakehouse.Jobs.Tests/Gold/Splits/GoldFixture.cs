using System.Collections;
using Lakehouse.Engine;
using Lakehouse.Tables;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;
using Lakehouse.Udfs.Labeling;

namespace Lakehouse.Jobs.Tests.Gold.Splits;

/// <summary>One row of the silver.instances fixture (the columns gold jobs read, plus a few realistic ones).</summary>
public sealed record FixtureInstance(
    string? PersonId, string? PatientId, string? StudyUid, string? SeriesUid, string? SopUid,
    string? Site, string? Modality, string? Vendor, string? Model, string? BodyPart, string? StudyType,
    string? AgeBand, string? Sex, string DeidOptions = "basic,retain-longitudinal-modified-dates,clean-descriptors", string Unmapped = "");

/// <summary>One row of the gold.study_labels fixture: the study and its 14 labels (1/0/-1/null).</summary>
public sealed record FixtureLabel(string StudyUid, string PersonId, string PatientId, int?[] Labels);

/// <summary>
/// Builds small silver.instances and gold.study_labels tables to the contract with DeltaTable.Create + ColumnBatch,
/// so the gold jobs are tested before the silver and labels jobs exist.
/// </summary>
public static class GoldFixture
{
    public static readonly StructType InstancesSchema = new(
        new StructField("person_id", DeltaType.String), new StructField("patient_id", DeltaType.String),
        new StructField("study_instance_uid", DeltaType.String), new StructField("series_instance_uid", DeltaType.String),
        new StructField("sop_instance_uid", DeltaType.String), new StructField("accession_number", DeltaType.String),
        new StructField("study_date", DeltaType.Date), new StructField("modality", DeltaType.String),
        new StructField("manufacturer", DeltaType.String), new StructField("patient_sex", DeltaType.String),
        new StructField("site", DeltaType.String), new StructField("country", DeltaType.String), new StructField("body_part", DeltaType.String),
        new StructField("vendor", DeltaType.String), new StructField("model", DeltaType.String),
        new StructField("study_type", DeltaType.String), new StructField("age_years", DeltaType.Double),
        new StructField("age_band", DeltaType.String), new StructField("sex", DeltaType.String),
        new StructField("unmapped", DeltaType.String), new StructField("deid_key_fingerprint", DeltaType.String),
        new StructField("deid_options", DeltaType.String));

    public static readonly StructType LabelsSchema = new(
        [new StructField("study_instance_uid", DeltaType.String), new StructField("person_id", DeltaType.String),
        new StructField("patient_id", DeltaType.String), new StructField("accession_number", DeltaType.String),
        .. ChexpertObservations.All.Select(o => new StructField(o.ColumnName(), DeltaType.Integer)),
        new StructField("evidence", DeltaType.String), new StructField("method", DeltaType.String),
        new StructField("report_ids", DeltaType.String), new StructField("labeler_version", DeltaType.String)]);

    static readonly string[] Sites = ["SITE-A", "SITE-B", "SITE-C"];
    static readonly (string Modality, string BodyPart, string StudyType)[] Exams =
        [("CR", "CHEST", "XR CHEST 2 VIEWS"), ("DX", "CHEST", "XR CHEST 1 VIEW"), ("CT", "CHEST", "CT CHEST WITH CONTRAST"), ("DX", "HAND", "XR HAND")];
    static readonly (string Vendor, string Model)[] Scanners = [("GE", "Optima XR240"), ("Siemens", "Ysio Max"), ("Philips", "DigitalDiagnost"), ("Canon", "Aquilion One")];
    static readonly string[] Bands = ["0-17", "18-39", "40-64", "65-89", "90+"];

    /// <summary>
    /// A realistic fixture of persons <paramref name="firstPerson"/>.. (count <paramref name="persons"/>): each person has
    /// 1-4 studies of 1-2 series of 1-3 instances; every 7th person has a second patient id at another site; every 11th
    /// person's first study was re-exported under a separate patient id (same study UID, no person link).
    /// </summary>
    public static List<FixtureInstance> Realistic(int persons, int firstPerson = 0, int seed = 7)
    {
        var rng = new Random(seed + firstPerson);
        var rows = new List<FixtureInstance>();
        for (int p = firstPerson; p < firstPerson + persons; p++)
        {
            string person = $"PS{p:D5}";
            string site = Sites[rng.Next(Sites.Length)];
            string sex = rng.Next(20) == 0 ? null! : rng.Next(2) == 0 ? "F" : "M";
            string? band = rng.Next(25) == 0 ? null : Bands[Math.Min(4, (int)(rng.NextDouble() * rng.NextDouble() * 6))];
            var patientIds = new List<(string Id, string Site)> { ($"PT{p:D5}a", site) };
            if (p % 7 == 3) patientIds.Add(($"PT{p:D5}b", Sites[(Array.IndexOf(Sites, site) + 1) % Sites.Length]));
            int studies = 1 + rng.Next(4);
            for (int s = 0; s < studies; s++)
            {
                var (patient, studySite) = patientIds[s % patientIds.Count];
                var exam = Exams[rng.Next(Exams.Length)];
                var scanner = Scanners[rng.Next(Scanners.Length)];
                string study = $"2.25.{p}.{s}";
                int series = 1 + rng.Next(2);
                for (int se = 0; se < series; se++)
                    for (int i = 0, n = 1 + rng.Next(3); i < n; i++)
                    {
                        var row = new FixtureInstance(person, patient, study, $"{study}.{se}", $"{study}.{se}.{i}", studySite, exam.Modality,
                            scanner.Vendor, scanner.Model, exam.BodyPart, exam.StudyType, band, sex);
                        rows.Add(row);
                        // Re-export of the first study under an unlinked patient id at the same site.
                        if (p % 11 == 5 && s == 0) rows.Add(row with { PersonId = $"PS{p:D5}x", PatientId = $"PT{p:D5}x" });
                    }
            }
        }
        return rows;
    }

    /// <summary>Labels for 4 of every 5 studies: no_finding or a mix of findings.</summary>
    public static List<FixtureLabel> LabelsFor(IEnumerable<FixtureInstance> rows, int seed = 3)
    {
        var rng = new Random(seed);
        var labels = new List<FixtureLabel>();
        foreach (var study in rows.Where(r => r.StudyUid is not null).GroupBy(r => r.StudyUid!).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (rng.Next(5) == 0) continue;
            var first = study.First();
            var values = new int?[ChexpertObservations.Count];
            if (rng.Next(3) == 0) values[(int)ChexpertObservation.NoFinding] = 1;
            else
                for (int i = 1; i < values.Length; i++)
                {
                    int r = rng.Next(12);
                    values[i] = r == 0 ? 1 : r == 1 ? -1 : r == 2 ? 0 : null;
                }
            labels.Add(new FixtureLabel(study.Key, first.PersonId!, first.PatientId!, values));
        }
        return labels;
    }

    /// <summary>Creates (or appends to) silver.instances.</summary>
    public static long WriteInstances(LakeStore lake, IReadOnlyList<FixtureInstance> rows)
    {
        var table = lake.OpenOrCreate(new LakeTableName("silver", "instances"), InstancesSchema, new CommitLineage("fixture"));
        var cols = new IList[]
        {
            rows.Select(r => r.PersonId).ToList(), rows.Select(r => r.PatientId).ToList(), rows.Select(r => r.StudyUid).ToList(),
            rows.Select(r => r.SeriesUid).ToList(), rows.Select(r => r.SopUid).ToList(),
            rows.Select(r => r.StudyUid is null ? null : "AC-" + r.StudyUid.GetHashCode(StringComparison.Ordinal).ToString("x8")).ToList(),
            rows.Select(_ => (object)new DateOnly(2020, 1, 1)).ToList(), rows.Select(r => r.Modality).ToList(),
            rows.Select(r => r.Vendor is null ? null : r.Vendor + " Medical").ToList(), rows.Select(r => r.Sex).ToList(),
            rows.Select(r => r.Site).ToList(), rows.Select(r => r.Site switch { "SITE-A" => "DE", "SITE-B" => "US", _ => null }).ToList(),
            rows.Select(r => r.BodyPart).ToList(), rows.Select(r => r.Vendor).ToList(),
            rows.Select(r => r.Model).ToList(), rows.Select(r => r.StudyType).ToList(),
            rows.Select(r => r.AgeBand switch { null => (object?)null, "0-17" => 9.0, "18-39" => 30.0, "40-64" => 50.0, "65-89" => 70.0, _ => 90.0 }).ToList(),
            rows.Select(r => r.AgeBand).ToList(), rows.Select(r => r.Sex).ToList(), rows.Select(r => r.Unmapped).ToList(),
            rows.Select(_ => "fp-3f2a9c").ToList(), rows.Select(r => r.DeidOptions).ToList(),
        };
        var tx = table.NewTransaction(DeltaOperation.Append, new CommitLineage("fixture"));
        tx.Write(new ColumnBatch(InstancesSchema, cols));
        return tx.Commit();
    }

    /// <summary>Creates (or appends to) gold.study_labels.</summary>
    public static long WriteLabels(LakeStore lake, IReadOnlyList<FixtureLabel> labels)
    {
        var table = lake.OpenOrCreate(new LakeTableName("gold", "study_labels"), LabelsSchema, new CommitLineage("fixture"));
        var cols = new List<IList>
        {
            labels.Select(l => l.StudyUid).ToList(), labels.Select(l => l.PersonId).ToList(), labels.Select(l => l.PatientId).ToList(),
            labels.Select(l => "AC-x").ToList(),
        };
        for (int i = 0; i < ChexpertObservations.Count; i++) cols.Add(labels.Select(l => (object?)l.Labels[i]).ToList());
        cols.Add(labels.Select(_ => "[]").ToList());
        cols.Add(labels.Select(_ => "accession").ToList());
        cols.Add(labels.Select(_ => "RP-1").ToList());
        cols.Add(labels.Select(_ => "chexpert-rules-1").ToList());
        var tx = table.NewTransaction(DeltaOperation.Append, new CommitLineage("fixture"));
        tx.Write(new ColumnBatch(LabelsSchema, cols));
        return tx.Commit();
    }

    /// <summary>Runs a query on the lake and returns its rows as object arrays.</summary>
    public static List<object?[]> Query(LakeStore lake, string sql)
    {
        using var engine = new LakeEngine(new DeltaLakeSource(lake), DeltaLakeSource.EngineOptions());
        using var reader = engine.ExecuteReader(sql);
        return DataRows.ReadAll(reader);
    }

    /// <summary>patient_id → split of one split version.</summary>
    public static Dictionary<string, string> Splits(LakeStore lake, string? version = null) =>
        Query(lake, "SELECT patient_id, split FROM gold.splits" + (version is null ? "" : $" WHERE split_version = {Sql.String(version)}"))
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!, StringComparer.Ordinal);
}
