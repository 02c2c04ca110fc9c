using System.Text.Json;
using Lakehouse.Jobs.Sample;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Sample;

public class SampleArchiveTests(SampleArchiveFixture archive) : IClassFixture<SampleArchiveFixture>
{
    [Fact]
    public void Every_valid_file_passes_dcmdump_and_every_junk_or_truncated_file_is_rejected()
    {
        string dcmdump = ExternalTool.Require("dcmdump");
        var readable = archive.Files.Where(f => f["kind"] is "valid" or "duplicate").Select(f => archive.Full(f["path"])).ToList();
        readable.Count.Should().Be(archive.Summary.ValidFiles + archive.Files.Count(f => f["kind"] == "duplicate"));
        // Batches keep the number of processes low; one warning or error anywhere fails the batch.
        foreach (var batch in readable.Chunk(100))
        {
            var result = ExternalTool.Run(dcmdump, ["+E", "-q", .. batch]);
            result.ExitCode.Should().Be(0, result.StdErr);
            result.StdErr.Should().BeEmpty();
        }
        var broken = archive.Files.Where(f => f["kind"] is "junk" or "truncated").ToList();
        broken.Select(f => f["kind"]).Should().Contain(["junk", "truncated"]);
        foreach (var file in broken)
        {
            var result = ExternalTool.Run(dcmdump, ["+E", archive.Full(file["path"])]);
            (result.ExitCode != 0 || result.StdErr.Length > 0).Should().BeTrue($"{file["path"]} ({file["note"]}) must be rejected");
        }
    }

    [Fact]
    public void Same_seed_gives_a_byte_identical_archive_whatever_the_thread_count_and_another_seed_differs()
    {
        using var dir = new TempDirectory("sample-determinism");
        SampleArchiveGenerator.Generate(new SampleArchiveOptions
        {
            OutputDirectory = dir.Combine("same"), Patients = SampleArchiveFixture.Patients, Seed = SampleArchiveFixture.Seed, MaxDegreeOfParallelism = 1,
        });
        SampleArchiveGenerator.Generate(new SampleArchiveOptions
        {
            OutputDirectory = dir.Combine("other"), Patients = SampleArchiveFixture.Patients, Seed = SampleArchiveFixture.Seed + 1,
        });
        var original = SampleArchiveFixture.Hashes(archive.Root);
        original.Count.Should().BeGreaterThan(100);
        SampleArchiveFixture.Hashes(dir.Combine("same")).Should().Equal(original);
        var other = SampleArchiveFixture.Hashes(dir.Combine("other"));
        other.Values.Intersect(original.Values).Count().Should().BeLessThanOrEqualTo(5, "only the constant files (README.md, export.log, notat.DCM, EMPTY, preview.jpg) may coincide");
    }

    [Fact]
    public void Pydicom_reads_the_values_of_instances_csv()
    {
        const string script = """
import csv, json, sys, pydicom
out = []
for row in csv.DictReader(open(sys.argv[1], encoding='utf-8')):
    ds = pydicom.dcmread(sys.argv[2] + '/' + row['path'])
    out.append({
        'sop': ds.SOPInstanceUID, 'meta_sop': ds.file_meta.MediaStorageSOPInstanceUID, 'study': ds.StudyInstanceUID,
        'series': ds.SeriesInstanceUID, 'pid': ds.PatientID, 'issuer': ds.get('IssuerOfPatientID', ''), 'modality': ds.Modality,
        'ts': str(ds.file_meta.TransferSyntaxUID), 'charset': ds.get('SpecificCharacterSet', ''),
        'body': ds.get('BodyPartExamined', ''), 'desc': ds.StudyDescription, 'manufacturer': ds.Manufacturer,
        'age': ds.get('PatientAge', ''), 'sex': ds.get('PatientSex', ''), 'name': str(ds.PatientName),
        'contrast': ds.get('ContrastBolusAgent', ''), 'rows': ds.Rows, 'pixels': len(ds.PixelData)})
print(json.dumps(out, ensure_ascii=False))
""";
        var py = Pydicom.Run(script, Path.Combine(archive.Root, "ground-truth", "instances.csv"), archive.Root);
        py.ExitCode.Should().Be(0, py.StdErr);
        using var doc = JsonDocument.Parse(py.StdOut);
        var read = doc.RootElement.EnumerateArray().ToList();
        read.Should().HaveCount(archive.Instances.Count);
        var names = archive.Persons.ToDictionary(p => (p["site_id"], p["patient_id"]), p => p["patient_name"]);
        var syntaxes = new HashSet<string>();
        var charsets = new HashSet<string>();
        for (int i = 0; i < read.Count; i++)
        {
            var r = read[i];
            var expected = archive.Instances[i];
            string S(string key) => r.GetProperty(key).GetString()!;
            S("sop").Should().Be(expected["sop_instance_uid"]);
            S("meta_sop").Should().Be(expected["sop_instance_uid"]);
            S("study").Should().Be(expected["study_instance_uid"]);
            S("series").Should().Be(expected["series_instance_uid"]);
            S("pid").Should().Be(expected["patient_id"]);
            S("issuer").Should().Be(expected["issuer_of_patient_id"]);
            S("modality").Should().Be(expected["modality"]);
            S("ts").Should().Be(expected["transfer_syntax_uid"]);
            S("charset").Should().Be(expected["specific_character_set"]);
            S("body").Should().Be(expected["body_part_examined_raw"]);
            S("desc").Should().Be(expected["study_description"]);
            S("manufacturer").Should().Be(expected["manufacturer_raw"]);
            S("age").Should().Be(expected["patient_age_raw"]);
            S("sex").Should().Be(expected["sex"]);
            S("name").Should().Be(names[(expected["site_id"], expected["patient_id"])]);
            (S("contrast").Length > 0).Should().Be(expected["contrast"] == "yes");
            r.GetProperty("rows").GetInt32().Should().Be(8);
            r.GetProperty("pixels").GetInt32().Should().Be(128);
            syntaxes.Add(S("ts"));
            charsets.Add(S("charset"));
        }
        syntaxes.Should().HaveCountGreaterThan(1, "the archive mixes transfer syntaxes");
        charsets.Should().Contain(["ISO_IR 100", "ISO_IR 192"]);
    }

    [Fact]
    public void The_traps_are_in_the_ground_truth_and_in_the_files()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(archive.Root, "ground-truth", "traps.json")));
        var traps = doc.RootElement.EnumerateArray().ToDictionary(t => t.GetProperty("trap").GetString()!, t => t);
        traps.Keys.Should().BeEquivalentTo(["same_person_name_birthdate_sex", "linked_by_other_patient_ids",
            "shared_patient_id_different_people", "reexported_duplicate", "study_under_two_patient_ids"]);

        // Same person at two sites, identical name + birth date + sex, different patient IDs.
        string p1 = traps["same_person_name_birthdate_sex"].GetProperty("person_ids")[0].GetString()!;
        var regs = archive.Persons.Where(p => p["person_id"] == p1).ToList();
        regs.Select(r => r["site_id"]).Should().BeEquivalentTo(["S1", "S4"]);
        regs.Select(r => r["patient_name"]).Distinct().Should().HaveCount(1);
        regs.Select(r => r["patient_id"]).Distinct().Should().HaveCount(2);

        // Two different people share one PatientID string, without issuer.
        string shared = traps["shared_patient_id_different_people"].GetProperty("patient_ids")[0].GetString()!;
        var sharing = archive.Instances.Where(i => i["patient_id"] == shared).ToList();
        sharing.Select(i => i["person_id"]).Distinct().Should().HaveCount(2);
        sharing.Should().OnlyContain(i => i["issuer_of_patient_id"] == "");

        // A re-exported duplicate: identical bytes at two paths.
        var details = traps["reexported_duplicate"].GetProperty("details");
        File.ReadAllBytes(archive.Full(details[1].GetString()!)).Should().Equal(File.ReadAllBytes(archive.Full(details[2].GetString()!)));

        // One study's UIDs under two patient IDs of the same person.
        string study = traps["study_under_two_patient_ids"].GetProperty("details")[0].GetString()!;
        var twoIds = traps["study_under_two_patient_ids"].GetProperty("patient_ids").EnumerateArray().Select(e => e.GetString()).ToList();
        var copies = archive.Files.Where(f => f["note"] == "same_uids_other_patient_id").ToList();
        copies.Should().NotBeEmpty();
        const string readIds = """
import sys, pydicom
for p in sys.argv[1:]:
    ds = pydicom.dcmread(p)
    print(ds.StudyInstanceUID, ds.PatientID)
""";
        var original = archive.Instances.First(i => i["study_instance_uid"] == study);
        var py = Pydicom.Run(readIds, archive.Full(original["path"]), archive.Full(copies[0]["path"]));
        py.ExitCode.Should().Be(0, py.StdErr);
        py.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal($"{study} {twoIds[0]}", $"{study} {twoIds[1]}");

        // Linked only through OtherPatientIDsSequence.
        var linked = traps["linked_by_other_patient_ids"].GetProperty("patient_ids").EnumerateArray().Select(e => e.GetString()!).ToList();
        var s1File = archive.Instances.First(i => i["patient_id"] == linked[1]);
        const string readOther = "import sys, pydicom\nds = pydicom.dcmread(sys.argv[1])\nprint(ds.OtherPatientIDsSequence[0].PatientID, ds.OtherPatientIDsSequence[0].IssuerOfPatientID)";
        var other = Pydicom.Run(readOther, archive.Full(s1File["path"]));
        other.ExitCode.Should().Be(0, other.StdErr);
        other.StdOut.Trim().Should().Be($"{linked[0]} KLINIKUM_NORD");
        string linkedPerson = traps["linked_by_other_patient_ids"].GetProperty("person_ids")[0].GetString()!;
        archive.Persons.Where(p => p["person_id"] == linkedPerson).Select(p => p["patient_name"].ToUpperInvariant()).Distinct()
            .Should().HaveCount(2, "the names differ (transliterated), so only the ID sequence links the registrations");
    }

    [Fact]
    public void Reports_carry_their_fields_and_state_the_intended_labels()
    {
        var lines = File.ReadAllLines(Path.Combine(archive.Root, "reports.jsonl"));
        lines.Should().HaveCount(archive.Summary.Reports);
        var byId = new Dictionary<string, JsonElement>();
        foreach (string line in lines)
        {
            var e = JsonDocument.Parse(line).RootElement;
            foreach (string field in new[] { "report_id", "accession_number", "patient_id", "issuer_of_patient_id", "site", "report_date", "status", "text" })
                e.TryGetProperty(field, out _).Should().BeTrue(field);
            string text = e.GetProperty("text").GetString()!;
            text.Should().Contain(e.GetProperty("patient_id").GetString()!, "reports carry the MRN (PHI)");
            if (e.GetProperty("status").GetString() == "final") text.Should().Contain("FINDINGS:").And.Contain("IMPRESSION:");
            else e.GetProperty("status").GetString().Should().Be("addendum");
            byId[e.GetProperty("report_id").GetString()!] = e;
        }
        var truth = SampleArchiveFixture.ReadCsv(Path.Combine(archive.Root, "ground-truth", "reports.csv"));
        truth.Should().Contain(r => r["study_instance_uid"] == "", "some reports have no study in the archive");
        var studies = SampleArchiveFixture.ReadCsv(Path.Combine(archive.Root, "ground-truth", "studies.csv"));
        studies.Should().Contain(s => s["has_report"] == "false", "some studies have no report");

        // Each labeled observation is stated by its sentence form in the study's final report.
        var labels = SampleArchiveFixture.ReadCsv(Path.Combine(archive.Root, "ground-truth", "labels.csv"));
        labels.Should().NotBeEmpty();
        var finalByStudy = truth.Where(r => r["status"] == "final" && r["study_instance_uid"] != "")
            .ToDictionary(r => r["study_instance_uid"], r => byId[r["report_id"]].GetProperty("text").GetString()!);
        foreach (var row in labels)
        {
            string text = finalByStudy[row["study_instance_uid"]];
            if (row["pneumothorax"] == "0") text.Should().Contain("No pneumothorax.");
            if (row["pneumothorax"] == "1") text.Should().MatchRegex("There is a small (right|left apical) pneumothorax");
            if (row["pneumonia"] == "-1") text.Should().MatchRegex("(Cannot exclude|Possible) pneumonia");
            if (row["no_finding"] == "1") text.Should().Contain("No acute cardiopulmonary abnormality.");
            if (row["cardiomegaly"] == "") text.Should().NotContain("cardiomegaly");
        }
    }

    [Fact]
    public void Planted_phi_is_in_the_headers()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(archive.Root, "ground-truth", "phi.json")));
        var phi = doc.RootElement.EnumerateArray().Select(e => (Attribute: e.GetProperty("attribute").GetString()!, Value: e.GetProperty("value").GetString()!)).ToList();
        phi.Should().OnlyContain(p => p.Value.Length >= 4);
        phi.Should().NotContain(p => p.Value == "TRAUMA^ALPHA" || p.Value == "TRAUMA", "a placeholder name identifies nobody");
        foreach (string attribute in new[] { "PatientName", "PatientID", "PatientBirthDate", "AccessionNumber", "InstitutionName", "StationName", "DeviceSerialNumber", "PatientAddress", "report.patient_name" })
            phi.Should().Contain(p => p.Attribute == attribute, attribute);
        // Every patient ID is in the bytes of some valid file (ASCII, so no character set question).
        var someFile = archive.Instances.GroupBy(i => i["patient_id"]).Select(g => (Id: g.Key, Path: g.First()["path"]));
        foreach (var (id, path) in someFile)
        {
            // Deflated files hide their dataset; check those through the ground truth only.
            var row = archive.Instances.First(i => i["path"] == path);
            if (row["transfer_syntax_uid"] == "1.2.840.10008.1.2.1.99") continue;
            File.ReadAllBytes(archive.Full(path)).AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(id)).Should().BeGreaterThan(0);
        }
    }

    [Fact]
    public void Bad_options_are_user_errors_without_paths()
    {
        using var dir = new TempDirectory("sample-bad");
        var zero = () => SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = dir.Combine("x"), Patients = 0 });
        zero.Should().Throw<UserInputException>().WithMessage("*--patients*");
        var notEmpty = () => SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = archive.Root, Patients = 1 });
        notEmpty.Should().Throw<UserInputException>().Which.Message.Should().NotContain(archive.Root);
    }

    [Fact]
    public void Realistic_pixels_are_512_by_512_16_bit()
    {
        using var dir = new TempDirectory("sample-realistic");
        SampleArchiveGenerator.Generate(new SampleArchiveOptions { OutputDirectory = dir.Combine("a"), Patients = 1, Seed = 4, Pixels = PixelSize.Realistic });
        var instances = SampleArchiveFixture.ReadCsv(Path.Combine(dir.Combine("a"), "ground-truth", "instances.csv"));
        const string script = "import sys, pydicom\nds = pydicom.dcmread(sys.argv[1])\nprint(ds.Rows, ds.Columns, ds.BitsAllocated, len(ds.PixelData), int(ds.pixel_array.max()) > 1000)";
        var py = Pydicom.Run(script, Path.Combine([dir.Combine("a"), .. instances[0]["path"].Split('/')]));
        py.ExitCode.Should().Be(0, py.StdErr);
        py.StdOut.Trim().Should().Be($"512 512 16 {512 * 512 * 2} True");
        var dump = ExternalTool.Run(ExternalTool.Require("dcmdump"), ["+E", "-q", .. instances.Select(i => Path.Combine([dir.Combine("a"), .. i["path"].Split('/')]))]);
        dump.ExitCode.Should().Be(0, dump.StdErr);
        dump.StdErr.Should().BeEmpty();
    }
}
