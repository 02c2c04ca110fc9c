using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Lakehouse.Udfs.Dicom.Writing;

namespace Lakehouse.Jobs.Sample;

/// <summary>Writes reports.jsonl and the ground-truth folder. Rows are in a stable order (by path or id), so output is byte-identical.</summary>
internal static class SampleGroundTruth
{
    private static readonly UTF8Encoding Utf8 = new(false);
    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static long Write(string root, SamplePlan plan)
    {
        string gt = Path.Combine(root, "ground-truth");
        Directory.CreateDirectory(gt);
        long bytes = 0;
        bytes += Save(Path.Combine(root, "reports.jsonl"), ReportsJsonl(plan));
        bytes += Save(Path.Combine(gt, "files.csv"), Files(plan));
        bytes += Save(Path.Combine(gt, "instances.csv"), Instances(plan));
        bytes += Save(Path.Combine(gt, "studies.csv"), Studies(plan));
        bytes += Save(Path.Combine(gt, "labels.csv"), Labels(plan));
        bytes += Save(Path.Combine(gt, "reports.csv"), Reports(plan));
        bytes += Save(Path.Combine(gt, "persons.csv"), Persons(plan));
        bytes += Save(Path.Combine(gt, "phi.json"), Phi(plan));
        bytes += Save(Path.Combine(gt, "traps.json"), Traps(plan));
        bytes += Save(Path.Combine(gt, "README.md"), Readme);
        return bytes;
    }

    private static long Save(string path, string text)
    {
        byte[] b = Utf8.GetBytes(text);
        File.WriteAllBytes(path, b);
        return b.Length;
    }

    private static string Csv(IEnumerable<string> header, IEnumerable<IEnumerable<string?>> rows)
    {
        var sb = new StringBuilder();
        void Line(IEnumerable<string?> cells)
        {
            bool first = true;
            foreach (string? cell in cells)
            {
                if (!first) sb.Append(',');
                first = false;
                string v = cell ?? "";
                if (v.AsSpan().IndexOfAny(",\"\n\r") >= 0) sb.Append('"').Append(v.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
                else sb.Append(v);
            }
            sb.Append('\n');
        }
        Line(header);
        foreach (var row in rows) Line(row);
        return sb.ToString();
    }

    private static string ReportsJsonl(SamplePlan plan)
    {
        var sb = new StringBuilder();
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        foreach (var r in plan.Reports)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, options))
            {
                w.WriteStartObject();
                w.WriteString("report_id", r.ReportId);
                if (r.AccessionNumber is null) w.WriteNull("accession_number");
                else w.WriteString("accession_number", r.AccessionNumber);
                w.WriteString("patient_id", r.Record.PatientId);
                if (r.Record.IssuerOfPatientId is null) w.WriteNull("issuer_of_patient_id");
                else w.WriteString("issuer_of_patient_id", r.Record.IssuerOfPatientId);
                w.WriteString("site", r.Record.Site.SiteId);
                w.WriteString("report_date", r.ReportDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("status", r.Status);
                w.WriteString("text", r.Text);
                w.WriteEndObject();
            }
            sb.Append(Utf8.GetString(ms.ToArray())).Append('\n');
        }
        return sb.ToString();
    }

    private static string Files(SamplePlan plan) => Csv(
        ["path", "kind", "sop_instance_uid", "person_id", "note"],
        plan.Files.Select(f => new[]
        {
            f.Path, f.Kind.ToString().ToLowerInvariant(), f.Instance?.SopInstanceUid, f.Instance is null ? null : (f.RecordOverride ?? f.Instance.Study.Record).Person.PersonId, f.Note,
        }));

    private static string Instances(SamplePlan plan) => Csv(
        ["sop_instance_uid", "study_instance_uid", "series_instance_uid", "patient_id", "issuer_of_patient_id", "site_id", "person_id",
         "modality", "transfer_syntax_uid", "specific_character_set", "study_description", "body_part_examined_raw", "body_part",
         "body_part_snomed", "manufacturer_raw", "manufacturer", "patient_age_raw", "age_years", "sex", "contrast", "path"],
        plan.Files.Where(f => f.Kind == SampleFileKind.Valid).Select(f =>
        {
            var i = f.Instance!;
            var s = i.Study;
            var r = s.Record;
            return new[]
            {
                i.SopInstanceUid, s.StudyInstanceUid, i.Series.SeriesInstanceUid, r.PatientId, r.IssuerOfPatientId, r.Site.SiteId,
                r.Person.PersonId, s.Template.Modality, DicomTransferSyntaxInfo.Uid(s.TransferSyntax),
                DicomCharacterSetInfo.DefinedTerm(r.CharacterSet), s.Description, s.BodyPartExamined, s.Template.BodyPart,
                SampleVocabulary.BodyPartSnomed[s.Template.BodyPart].Code, s.Device.ManufacturerSpelling, s.Device.Manufacturer.Canonical,
                s.PatientAge, s.AgeYears?.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Person.Sex, s.Template.Contrast, f.Path,
            };
        }));

    private static string Studies(SamplePlan plan)
    {
        var reported = plan.Reports.Where(r => r.Study is not null && r.Status == "final").Select(r => r.Study!).ToHashSet();
        return Csv(
            ["study_instance_uid", "accession_number", "person_id", "patient_id", "site_id", "study_date", "modality", "body_part", "instances", "has_report"],
            plan.Studies.OrderBy(s => s.StudyInstanceUid, StringComparer.Ordinal).Select(s => new[]
            {
                s.StudyInstanceUid, s.AccessionNumber, s.Record.Person.PersonId, s.Record.PatientId, s.Record.Site.SiteId,
                SamplePlanner.Dicom(s.StudyDate), s.Template.Modality, s.Template.BodyPart,
                s.Series.Sum(x => x.Instances.Count).ToString(System.Globalization.CultureInfo.InvariantCulture), reported.Contains(s) ? "true" : "false",
            }));
    }

    private static string Labels(SamplePlan plan)
    {
        var rows = plan.Reports.Where(r => r.Status == "final" && r.Study?.Labels is not null)
            .Select(r => r.Study!).Distinct().OrderBy(s => s.StudyInstanceUid, StringComparer.Ordinal)
            .Select(s => new[] { s.StudyInstanceUid, s.AccessionNumber }.Concat(s.Labels!.Select(l => l?.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        return Csv(new[] { "study_instance_uid", "accession_number" }.Concat(SampleReports.Observations), rows);
    }

    private static string Reports(SamplePlan plan) => Csv(
        ["report_id", "study_instance_uid", "status", "match"],
        plan.Reports.Select(r => new[] { r.ReportId, r.Study?.StudyInstanceUid, r.Status, r.Match }));

    private static string Persons(SamplePlan plan) => Csv(
        ["person_id", "site_id", "patient_id", "issuer_of_patient_id", "patient_name", "birth_date", "sex"],
        plan.Persons.SelectMany(p => p.Records.Select(r => new[]
        {
            p.PersonId, r.Site.SiteId, r.PatientId, r.IssuerOfPatientId, r.PatientName, SamplePlanner.Dicom(p.BirthDate), p.Sex,
        })));

    private static string Phi(SamplePlan plan)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, JsonOptions))
        {
            w.WriteStartArray();
            foreach (var (attribute, value) in plan.Phi.OrderBy(p => p.Attribute, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("value", value);
                w.WriteString("attribute", attribute);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return Utf8.GetString(ms.ToArray()) + "\n";
    }

    private static string Traps(SamplePlan plan)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, JsonOptions))
        {
            w.WriteStartArray();
            foreach (var t in plan.Traps)
            {
                w.WriteStartObject();
                w.WriteString("trap", t.Trap);
                w.WriteString("description", t.Description);
                w.WriteStartArray("person_ids");
                foreach (string p in t.PersonIds) w.WriteStringValue(p);
                w.WriteEndArray();
                w.WriteStartArray("patient_ids");
                foreach (string p in t.PatientIds) w.WriteStringValue(p);
                w.WriteEndArray();
                w.WriteStartArray("details");
                foreach (string p in t.Details) w.WriteStringValue(p);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return Utf8.GetString(ms.ToArray()) + "\n";
    }

    private const string Readme = """
# Ground truth of the synthetic sample archive

Written by `lakehouse sample`. Everything here is synthetic, including the PHI: it is planted on purpose so that
de-identification, linking and splitting can be checked. The same seed gives byte-identical files.

| file | one row per | columns / content |
|---|---|---|
| `files.csv` | file under the archive root (except `reports.jsonl` and this folder) | `path` (relative, `/`), `kind` (`valid`, `junk`, `truncated`, `duplicate`), `sop_instance_uid` (empty for junk), `person_id` (true identity; empty for junk), `note` (`reexport_identical_bytes`, `same_uids_other_patient_id`, `cut_inside_header`, `text`, `empty`, `random_bytes`, `jpeg`, ...) |
| `instances.csv` | valid instance (duplicates and truncated files excluded) | UIDs, `patient_id`, `issuer_of_patient_id`, `site_id`, `person_id`, `modality`, `transfer_syntax_uid`, `specific_character_set`, raw header values (`study_description`, `body_part_examined_raw`, `manufacturer_raw`, `patient_age_raw`) and the **intended normalized values**: `body_part` in {CHEST, HEAD, BRAIN, ABDOMEN, PELVIS, BREAST, KNEE, CSPINE, LSPINE} with `body_part_snomed` (816094009, 69536005, 12738006, 818981001, 816092008, 76752008, 72696002, 122494005, 122496007), `manufacturer` in {GE HealthCare, Siemens Healthineers, Philips, Canon Medical Systems, Fujifilm, Hologic, Agfa, Carestream}, `age_years` (full years at the study date, from the birth date; equal to PatientAge when that is in years), `sex` (M, F, O or empty), `contrast` (`yes`: ContrastBolusAgent is present and the description says with contrast; `no`: the description says without; `unknown`: radiographs, mammograms, ultrasound), `path` |
| `studies.csv` | study | `study_instance_uid`, `accession_number`, `person_id`, `patient_id`, `site_id`, `study_date` (YYYYMMDD), `modality`, `body_part`, `instances`, `has_report` (a final report exists) |
| `labels.csv` | chest study (CR, DX, CT chest) with a final report | `study_instance_uid`, `accession_number`, then the 14 CheXpert observations in snake_case: `1` positive, `0` negative ("No X."), `-1` uncertain ("Cannot exclude X." / "Possible X."), empty not mentioned. `no_finding` is 1 when no pathology (all but support devices) is 1 or -1, else empty. Non-chest studies have no row. |
| `reports.csv` | line of `../reports.jsonl` | `report_id`, `study_instance_uid` (empty: the study is not in the archive), `status` (`final`, `addendum`), `match` (`accession`; `patient_and_date`: the report has no accession and its `report_date` is the study date of the only study of that patient on that day; `none`) |
| `persons.csv` | registration of a true person at a site | `person_id`, `site_id`, `patient_id`, `issuer_of_patient_id`, `patient_name` (as written), `birth_date`, `sex` |
| `phi.json` | planted PHI string (length >= 4) | `value`, `attribute`: a DICOM keyword (`PatientName`, `PatientID`, `AccessionNumber`, `InstitutionName`, `StationName`, `DeviceSerialNumber`, `StudyDate`, ...), `PatientName.family` (the family name alone) or `report.*` (the form used in report text, e.g. `report.patient_name` "Given Family", `report.birth_date` MM/DD/YYYY). None may appear in de-identified output. Folder names also contain names and patient IDs. The private block `SYNTHVENDOR PATIENT INFO` (0009,10xx) copies PatientName and PatientID. |
| `traps.json` | planted identity or leakage trap | `trap`, `description`, `person_ids`, `patient_ids`, `details` (UIDs, paths) |

Traps (present when the archive has at least 8 patients): `same_person_name_birthdate_sex` (one person at S1 and S4, linked
only by exact name + birth date + sex), `linked_by_other_patient_ids` (S2 and S1, linked by OtherPatientIDsSequence, name
transliterated), `shared_patient_id_different_people` (same PatientID string at S4 and S5, no IssuerOfPatientID, two people),
`reexported_duplicate` (identical file at two paths), `study_under_two_patient_ids` (one study's UIDs under the real ID and a
temporary emergency ID).

Sites: S1 Riverside Medical Center (issuer RIVERSIDE_MC, ASCII), S2 Klinikum Nordstadt Hamburg (KLINIKUM_NORD, ISO_IR 100),
S3 Fjordvik Sykehus (FJORDVIK_HF, ISO_IR 192), S4 St. Anne Community Hospital (no issuer, ASCII), S5 Sakura Imaging Clinic
(no issuer, ISO_IR 192 with ideographic names).
""";
}
