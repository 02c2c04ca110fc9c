using System.Globalization;
using System.Text;
using System.Text.Json;
using Lakehouse.Testing;
using Lakehouse.Udfs.Dicom;
using Lakehouse.Udfs.Dicom.Json;
using Lakehouse.Udfs.Dicom.Reading;

namespace Lakehouse.Udfs.Tests.Dicom;

/// <summary>Our reader against pydicom and dcmtk on real files: pydicom's corpus and shared/deid/synthphi-v1.</summary>
public class DicomDifferentialTests
{
    // Files where a peer legitimately differs from us. Keep short and honest.
    private static readonly Dictionary<string, string> PydicomDiffers = new(StringComparer.Ordinal)
    {
        ["no_meta.dcm"] = "starts with a stray byte before (0008,0005); pydicom force=True returns an empty data set, dcmtk rejects it too, we report NotDicom",
        ["rtplan_truncated.dcm"] = "truncated inside a sequence; pydicom returns the elements before the cut, we report Truncated with the offset (dcmtk rejects it too)",
    };

    private static readonly (string Column, string Keyword)[] Compared =
    [
        ("patient_id", "PatientID"), ("patient_name", "PatientName"), ("issuer_of_patient_id", "IssuerOfPatientID"),
        ("other_patient_ids", "OtherPatientIDs"), ("patient_birth_date", "PatientBirthDate"), ("patient_sex", "PatientSex"),
        ("patient_age", "PatientAge"), ("study_instance_uid", "StudyInstanceUID"), ("series_instance_uid", "SeriesInstanceUID"),
        ("sop_instance_uid", "SOPInstanceUID"), ("sop_class_uid", "SOPClassUID"), ("accession_number", "AccessionNumber"),
        ("modality", "Modality"), ("study_date", "StudyDate"), ("study_time", "StudyTime"), ("series_date", "SeriesDate"),
        ("acquisition_date", "AcquisitionDate"), ("acquisition_time", "AcquisitionTime"), ("study_description", "StudyDescription"),
        ("series_description", "SeriesDescription"), ("manufacturer", "Manufacturer"), ("manufacturer_model_name", "ManufacturerModelName"),
        ("institution_name", "InstitutionName"), ("station_name", "StationName"), ("body_part_examined", "BodyPartExamined"),
        ("slice_thickness", "SliceThickness"), ("pixel_spacing", "PixelSpacing"), ("rows", "Rows"), ("columns", "Columns"),
        ("number_of_frames", "NumberOfFrames"), ("specific_character_set", "SpecificCharacterSet"),
    ];

    public static IReadOnlyList<string> Corpus() => [.. DicomOracles.PydicomCorpus(), .. DicomOracles.SynthPhiCorpus()];

    [Fact]
    public void Key_attributes_equal_pydicom_on_every_corpus_file()
    {
        var files = Corpus();
        files.Count.Should().BeGreaterThan(90, "pydicom's corpus and synthphi-v1 are installed");
        var peer = DicomOracles.Pydicom(Compared.Select(c => c.Keyword), files);
        var columns = DicomKeyAttributes.BronzeColumns.ToDictionary(c => c.ColumnName);
        var mismatches = new List<string>();
        int compared = 0;
        foreach (string file in files)
        {
            string name = Path.GetFileName(file);
            var ours = DicomFileReader.ReadHeader(File.ReadAllBytes(file), name);
            var theirs = peer[file];
            if (PydicomDiffers.ContainsKey(name))
            {
                ours.IsSuccess.Should().BeFalse(name + ": " + PydicomDiffers[name]);
                continue;
            }
            if (theirs is null)
            {
                ours.IsSuccess.Should().BeFalse($"{name}: pydicom rejects it");
                continue;
            }
            ours.IsSuccess.Should().BeTrue($"{name}: {ours.Error}");
            foreach (var (column, keyword) in Compared)
            {
                object? value = columns[column].Get(ours.Keys!);
                string? expected = Normalize(keyword, theirs[keyword]);
                string? actual = Format(value);
                if (keyword is "StudyTime" or "AcquisitionTime") expected = Format(DicomValues.ParseTime(expected));
                // A typed column holds no invalid number; pydicom keeps the text (badVR.dcm has "1A" frames).
                if (keyword is "NumberOfFrames") expected = Format((int?)DicomValues.ParseInteger(expected));
                if (keyword is "SliceThickness") expected = Format(DicomValues.ParseDecimal(expected));
                if (keyword is "PixelSpacing") expected = expected is null ? null : string.Join('\\', expected.Split('\\').Select(v => Format(DicomValues.ParseDecimal(v))));
                if (keyword.EndsWith("Date", StringComparison.Ordinal)) expected = Format(DicomValues.ParseDate(expected));
                if (!string.Equals(actual, expected, StringComparison.Ordinal)) mismatches.Add($"{name} {column}: ours [{actual}] pydicom [{expected}]");
                compared++;
            }
            string? ts = theirs["TransferSyntaxUID"];
            if (ts is not null && ours.Keys!.TransferSyntaxUid != ts) mismatches.Add($"{name} transfer_syntax_uid");
        }
        mismatches.Should().BeEmpty();
        compared.Should().BeGreaterThan(2500);
    }

    private const string FileMetaScript = """
import json, sys, warnings
warnings.simplefilter('ignore')
import pydicom
out = {}
for path in sys.argv[1:]:
    try:
        ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
        fm = getattr(ds, 'file_meta', None) or {}
        out[path] = {f'{e.tag.group:04X}{e.tag.element:04X}': (e.value.hex() if isinstance(e.value, bytes) else str(e.value).strip()) for e in fm}
    except Exception:
        out[path] = None
print(json.dumps(out))
""";

    // The reader keeps the File Meta Information as bytes and materializes it on demand: every element, on both read paths
    // (the materializing one and ingestion's one-pass JSON), equals what pydicom reads.
    [Fact]
    public void File_meta_equals_pydicom_on_every_corpus_file()
    {
        var files = Corpus();
        var r = ExternalTool.Run(DicomOracles.Python, ["-c", FileMetaScript, .. files], TimeSpan.FromMinutes(5));
        r.Succeeded.Should().BeTrue(r.StdErr);
        var peer = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>?>>(r.StdOut)!;
        var mismatches = new List<string>();
        int compared = 0, withMeta = 0;
        foreach (string file in files)
        {
            string name = Path.GetFileName(file);
            if (peer[file] is not { } theirs || PydicomDiffers.ContainsKey(name)) continue;
            byte[] bytes = File.ReadAllBytes(file);
            var json = new System.Buffers.ArrayBufferWriter<byte>();
            foreach (var ours in new[] { DicomFileReader.ReadHeader(bytes, name), DicomFileReader.ReadHeaderJson(bytes, name, json) })
            {
                ours.IsSuccess.Should().BeTrue($"{name}: {ours.Error}");
                var meta = ours.FileMeta!;
                var mine = meta.Elements.ToDictionary(e => e.Tag.Value.ToString("X8", CultureInfo.InvariantCulture), e => e.VR switch
                {
                    DicomVR.UL or DicomVR.US => DicomValues.GetInteger(e, 0).ToString(CultureInfo.InvariantCulture),
                    _ when DicomVRInfo.IsText(e.VR) => DicomValues.GetString(e)?.Trim() ?? "",
                    _ => Convert.ToHexStringLower(e.Value.Span),
                });
                if (mine.Count != theirs.Count || mine.Any(kv => !theirs.TryGetValue(kv.Key, out var v) || v != kv.Value))
                    mismatches.Add($"{name}: ours {JsonSerializer.Serialize(mine)} pydicom {JsonSerializer.Serialize(theirs)}");
                compared++;
                if (meta.Count > 0) withMeta++;
            }
        }
        mismatches.Should().BeEmpty();
        compared.Should().BeGreaterThan(180);
        withMeta.Should().BeGreaterThan(150);
    }

    // pydicom keeps trailing empty PN components ("^^^^"); PS3.5 6.2.1 makes them equivalent to none.
    private static string? Normalize(string keyword, string? value)
    {
        if (value is null) return null;
        if (keyword == "PatientName") value = DicomValues.NormalizePersonName(value);
        value = value.Trim();
        return value.Length == 0 ? null : value;
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        DateOnly d => d.ToString("yyyyMMdd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        double x => x.ToString("R", CultureInfo.InvariantCulture),
        double[] xs => string.Join('\\', xs.Select(x => x.ToString("R", CultureInfo.InvariantCulture))),
        int i => i.ToString(CultureInfo.InvariantCulture),
        string s => s,
        _ => value.ToString(),
    };

    // dcmtk converts text to UTF-8 and rewrites (0008,0005) to ISO_IR 192; its iconv lacks ISO 2022 IR 87/159.
    private static readonly Dictionary<string, string> Dcm2JsonSkips = new(StringComparer.Ordinal)
    {
        ["no_meta.dcm"] = "dcmtk rejects it (stray leading byte); we report NotDicom",
        ["rtplan_truncated.dcm"] = "dcmtk rejects it (truncated); we report Truncated",
        ["meta_missing_tsyntax.dcm"] = "dcmtk writes the undefined-length element of unknown group 0001 as UN InlineBinary; we read it as an implicit-VR sequence (PS3.5 6.2.2), as pydicom does",
        ["nested_priv_SQ.dcm"] = "same as meta_missing_tsyntax.dcm",
        ["chrSQEncoding.dcm"] = "the sequence item declares its own ISO 2022 IR 13/87 character set; dcmtk decodes the item with the data set's UTF-8 and emits escape codes, we honour the item's set (PS3.5 6.1.2.5.2) as pydicom does",
        ["SC_rgb_jpeg.dcm"] = "meta says explicit VR, data set is implicit VR: dcmtk rejects it, we (like pydicom) detect it from the first element",
    };

    [Fact]
    public void Json_equals_dcm2json_on_every_file_dcmtk_reads()
    {
        using var temp = new TempDirectory("dicom-json");
        string dcmodify = ExternalTool.Require("dcmodify");
        var differences = new List<string>();
        int compared = 0;
        foreach (string file in Corpus())
        {
            string name = Path.GetFileName(file);
            if (Dcm2JsonSkips.ContainsKey(name)) continue;
            // dcm2json cannot write encapsulated pixel data inline: remove Pixel Data from a copy first.
            string copy = temp.Combine(name);
            File.Copy(file, copy, overwrite: true);
            ExternalTool.Run(dcmodify, ["-nb", "-q", "-ea", "(7fe0,0010)", copy]);
            using var theirs = DicomOracles.Dcm2Json(copy);
            if (theirs is null) continue; // dcmtk's iconv cannot convert ISO 2022 IR 87/159 (chrH31, chrJapMulti...)
            var ours = DicomFileReader.ReadHeader(File.ReadAllBytes(file), name);
            ours.IsSuccess.Should().BeTrue($"{name}: {ours.Error}");
            using var mine = JsonDocument.Parse(DicomJson.Serialize(ours.Dataset!));
            CompareJson(mine.RootElement, theirs.RootElement, name, differences, top: true);
            compared++;
        }
        compared.Should().BeGreaterThan(60);
        differences.Should().BeEmpty();
    }

    private static void CompareJson(JsonElement ours, JsonElement theirs, string path, List<string> differences, bool top = false)
    {
        if (ours.ValueKind == JsonValueKind.Object && theirs.ValueKind == JsonValueKind.Object)
        {
            var a = ours.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
            var b = theirs.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
            foreach (string key in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
            {
                // dcmtk writes text as UTF-8 and says so in (0008,0005); it keeps elements after Pixel Data (trailing padding).
                if (key == "00080005" && top) continue;
                if (top && string.CompareOrdinal(key, "7FE00010") > 0) continue;
                if (!a.TryGetValue(key, out var x)) { differences.Add($"{path}/{key} missing in ours"); continue; }
                if (!b.TryGetValue(key, out var y)) { differences.Add($"{path}/{key} extra in ours"); continue; }
                if (key == "InlineBinary" && IsNulPadded(x.GetString()!, y.GetString()!)) continue;
                CompareJson(x, y, path + "/" + key, differences);
            }
            return;
        }
        if (ours.ValueKind == JsonValueKind.Array && theirs.ValueKind == JsonValueKind.Array)
        {
            int n = ours.GetArrayLength();
            if (n != theirs.GetArrayLength()) { differences.Add($"{path}: {n} values, dcmtk {theirs.GetArrayLength()}"); return; }
            for (int i = 0; i < n; i++) CompareJson(ours[i], theirs[i], $"{path}[{i}]", differences);
            return;
        }
        if (ours.ValueKind == JsonValueKind.Number && theirs.ValueKind == JsonValueKind.Number)
        {
            double x = ours.GetDouble(), y = theirs.GetDouble();
            if (Math.Abs(x - y) > 1e-6 * Math.Max(1, Math.Abs(y))) differences.Add($"{path}: number differs");
            return;
        }
        if (ours.ValueKind == JsonValueKind.String && theirs.ValueKind == JsonValueKind.String)
        {
            if (ours.GetString() != theirs.GetString()) differences.Add($"{path}: string differs");
            return;
        }
        if (ours.ValueKind != theirs.ValueKind || ours.GetRawText() != theirs.GetRawText())
            differences.Add($"{path}: {ours.ValueKind} differs from dcmtk's {theirs.ValueKind}");
    }

    // dcmtk pads odd-length binary values with a NUL on reading; we keep the bytes as encoded.
    private static bool IsNulPadded(string ours, string theirs)
    {
        byte[] a = Convert.FromBase64String(ours), b = Convert.FromBase64String(theirs);
        return a.Length % 2 == 1 && b.Length == a.Length + 1 && b[^1] == 0 && b.AsSpan(0, a.Length).SequenceEqual(a);
    }

    [Fact]
    public void Character_sets_decode_as_the_standards_examples()
    {
        // The names are PS3.5 Annex H/I/J examples and pydicom's charset files, not patient data.
        string Name(string file) => DicomFileReader.ReadHeader(File.ReadAllBytes(DicomOracles.PydicomFile("charset_files", file)), file).Keys!.PatientName!;
        Name("chrGerm.dcm").Should().Be("Äneas^Rüdiger");
        Name("chrRuss.dcm").Should().Be("Люкceмбypг");
        Name("chrGreek.dcm").Should().Be("Διονυσιος");
        Name("chrX1.dcm").Should().Be("Wang^XiaoDong=王^小東");
        Name("chrX2.dcm").Should().Be("Wang^XiaoDong=王^小东");
        Name("chrH31.dcm").Should().Be("Yamada^Tarou=山田^太郎=やまだ^たろう");
        Name("chrH32.dcm").Should().Be("ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう");
        Name("chrI2.dcm").Should().Be("Hong^Gildong=洪^吉洞=홍^길동");
        string json = DicomJson.Serialize(DicomFileReader.ReadHeader(File.ReadAllBytes(DicomOracles.PydicomFile("charset_files", "chrH31.dcm")), "h31").Dataset!);
        using var doc = JsonDocument.Parse(json);
        var pn = doc.RootElement.GetProperty("00100010").GetProperty("Value")[0];
        pn.GetProperty("Alphabetic").GetString().Should().Be("Yamada^Tarou");
        pn.GetProperty("Ideographic").GetString().Should().Be("山田^太郎");
        pn.GetProperty("Phonetic").GetString().Should().Be("やまだ^たろう");
    }

    [Fact]
    public void Every_synthphi_transfer_syntax_reads_the_same_patient()
    {
        var results = DicomOracles.SynthPhiCorpus()
            .Where(f => Path.GetFileName(f).StartsWith("p2_mr_", StringComparison.Ordinal))
            .Select(f => DicomFileReader.ReadHeader(File.ReadAllBytes(f), Path.GetFileName(f)))
            .ToList();
        results.Should().HaveCountGreaterThanOrEqualTo(4);
        results.Select(r => r.TransferSyntax!.Uid).Should().Contain(["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.5"]);
        results.Select(r => string.Join('|', DicomKeyAttributes.BronzeColumns.Where(c => c.ColumnName != "transfer_syntax_uid").Select(c => Format(c.Get(r.Keys!)))))
            .Distinct().Should().HaveCount(1, "the same instance in every transfer syntax");
        // Private attributes read with implicit VR have no dictionary VR (UN); compare the standard ones.
        foreach (var r in results)
            foreach (var tag in r.Dataset!.Elements.Where(e => e.Tag.IsPrivate).Select(e => e.Tag).ToList()) r.Dataset.Remove(tag);
        results.Select(r => DicomJson.Serialize(r.Dataset!)).Distinct().Should().HaveCount(1, "values are kept little-endian whatever the file's byte order");
    }
}
