using System.Text.Json;
using Lakehouse.Udfs.Deidentification;

namespace Lakehouse.Udfs.Tests.Deidentification;

[Collection(SynthPhiCollection.Name)]
public class ConsistencyTests(SynthPhiCorpus corpus)
{
    private static string Uid(string json, string tag)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty(tag).GetProperty("Value")[0].GetString()!;
    }

    private static string? Value(string json, string tag)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty(tag, out var e) && e.TryGetProperty("Value", out var v) ? v[0].ToString() : null;
    }

    /// <summary>Every UI value at any depth, except the standard's own (transfer syntaxes, SOP classes) and coding schemes.</summary>
    private static List<string> InstanceUids(string json)
    {
        var uids = new List<string>();
        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Array) { foreach (var i in e.EnumerateArray()) Walk(i); return; }
            if (e.ValueKind != JsonValueKind.Object) return;
            foreach (var p in e.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Object || !p.Value.TryGetProperty("Value", out var v)) continue;
                if (p.Name == "0008010C") continue; // Coding Scheme UID names a code system, not an instance: kept
                if (p.Value.GetProperty("vr").GetString() == "UI")
                    uids.AddRange(v.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!)
                        .Where(s => !s.StartsWith("1.2.840.10008.", StringComparison.Ordinal)));
                else Walk(v);
            }
        }
        using var doc = JsonDocument.Parse(json);
        Walk(doc.RootElement);
        return uids;
    }

    [Fact]
    public void Two_runs_with_the_same_key_give_identical_output_and_another_key_does_not()
    {
        foreach (var f in corpus.Files)
        {
            string a1 = SynthPhiLeakTests.Deidentify(f, DeidOptions.Default, DeidTestKeys.A);
            string a2 = SynthPhiLeakTests.Deidentify(f, DeidOptions.Default, DeidKey.FromSecret("test-key-A-9f3c1e77b2d84a06b5e1c3d2a4f60718"));
            string b = SynthPhiLeakTests.Deidentify(f, DeidOptions.Default, DeidTestKeys.B);
            a2.Should().Be(a1, f.Name);
            Uid(b, "00080018").Should().NotBe(Uid(a1, "00080018"));
            Value(b, "00100020").Should().NotBe(Value(a1, "00100020"));
        }
    }

    [Fact]
    public void Uids_map_one_to_one_and_keep_hierarchy_and_references()
    {
        var map = new Dictionary<string, string>();
        var outputs = corpus.Files.Select(f => (f, Out: SynthPhiLeakTests.Deidentify(f, DeidOptions.Default, DeidTestKeys.A))).ToList();
        var originals = corpus.Files.SelectMany(f => InstanceUids(f.Json)).ToHashSet();
        var remapped = originals.ToDictionary(u => UidRemapper.Remap(DeidTestKeys.A, u), u => u);
        remapped.Should().HaveCount(originals.Count, "no two UIDs collide");
        foreach (var (f, output) in outputs)
        {
            Uid(output, "00080018").Should().Be(UidRemapper.Remap(DeidTestKeys.A, f.SopInstanceUid));
            Uid(output, "0020000D").Should().Be(UidRemapper.Remap(DeidTestKeys.A, f.StudyInstanceUid));
            Uid(output, "0020000E").Should().Be(UidRemapper.Remap(DeidTestKeys.A, f.SeriesInstanceUid));
            foreach (string uid in InstanceUids(output))
            {
                originals.Should().NotContain(uid, "no original UID survives");
                remapped.Should().ContainKey(uid, "every new UID is the keyed map of an original");
                uid.Length.Should().BeLessThanOrEqualTo(64);
                uid.Should().MatchRegex(@"^2\.25\.(0|[1-9][0-9]*)$");
            }
        }
        // References between files of the set: same count before and after.
        var sopIn = corpus.Files.Select(f => f.SopInstanceUid).ToHashSet();
        var sopOut = outputs.Select(o => Uid(o.Out, "00080018")).ToHashSet();
        int refsIn = corpus.Files.Sum(f => InstanceUids(f.Json).Count(u => sopIn.Contains(u) && u != f.SopInstanceUid));
        int refsOut = outputs.Sum(o => InstanceUids(o.Out).Count(u => sopOut.Contains(u) && u != Uid(o.Out, "00080018")));
        refsIn.Should().BeGreaterThan(0);
        refsOut.Should().Be(refsIn);
        outputs.Select(o => Uid(o.Out, "0020000D")).Distinct().Count().Should().Be(corpus.Files.Select(f => f.StudyInstanceUid).Distinct().Count());
        map.Should().BeEmpty();
    }

    [Fact]
    public void Each_patient_has_one_date_shift_and_intervals_survive()
    {
        var shifts = new HashSet<int>();
        foreach (var f in corpus.Files)
        {
            string output = SynthPhiLeakTests.Deidentify(f, DeidOptions.Default, DeidTestKeys.A);
            var shift = DateShift.For(DeidTestKeys.A, f.PatientId);
            shifts.Add(shift.Days);
            string studyIn = Value(f.Json, "00080020")!;
            Value(output, "00080020").Should().Be(shift.ShiftDicomDate(studyIn));
            Value(output, "00080020").Should().NotBe(studyIn);
            Value(output, "00100030").Should().BeNull("birth date is Z");
            Value(output, "00100020").Should().Be(Pseudonyms.Patient(DeidTestKeys.A, f.PatientId));
        }
        shifts.Should().HaveCount(corpus.Files.Select(f => f.PatientId).Distinct().Count());
        // P1's two studies are 167 days apart before and after.
        var p1 = corpus.Files.Where(f => f.PatientId == "MRN1000001").Select(f =>
            DateOnly.ParseExact(Value(SynthPhiLeakTests.Deidentify(f, DeidOptions.Default, DeidTestKeys.A), "00080020")!, "yyyyMMdd")).Distinct().Order().ToList();
        p1.Should().HaveCount(2);
        (p1[1].DayNumber - p1[0].DayNumber).Should().Be(167);
    }

    [Fact]
    public void Audit_counts_actions_per_keyword_and_holds_no_values()
    {
        var audit = new DeidAudit();
        foreach (var f in corpus.Files) SynthPhiLeakTests.Deidentify(f, DeidOptions.Default, DeidTestKeys.A, audit);
        audit.Count(DeidAction.Pseudonym, "PatientID").Should().Be(21);
        audit.Count(DeidAction.RemapUid, "SOPInstanceUID").Should().BeGreaterThanOrEqualTo(21);
        audit.Count(DeidAction.ShiftDate, "StudyDate").Should().Be(21);
        audit.Total(DeidAction.RemovePrivate).Should().BeGreaterThan(0);
        string all = string.Join("\n", audit.Entries.Select(e => e.Keyword));
        corpus.Needles.Where(n => SynthPhiLeakTests.Contains(all, n)).Should().BeEmpty();
    }
}

public class DeterminismPropertyTests
{
    [Fact]
    public void Date_shift_is_within_range_and_differs_between_patients()
    {
        var days = Enumerable.Range(0, 2000).Select(i => DateShift.For(DeidTestKeys.A, "SITE|" + i).Days).ToList();
        days.Should().OnlyContain(d => d >= -DateShift.MaximumDays && d <= -1);
        days.Distinct().Count().Should().BeGreaterThan(1000);
        DateShift.For(DeidTestKeys.A, "SITE|1").Should().Be(DateShift.For(DeidTestKeys.A, "SITE|1"));
        DateShift.For(DeidTestKeys.A, "SITE|1").ToString().Should().NotContain(DateShift.For(DeidTestKeys.A, "SITE|1").Days.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("20210314", -10, "20210304")]
    [InlineData("2021.03.14", -14, "2021.02.28")]
    [InlineData("20210101-20210131", -1, "20201231-20210130")]
    [InlineData("-20210131", -31, "-20201231")]
    [InlineData("2021031", -1, null)]
    [InlineData("20210230", -1, null)]
    public void Shifts_dicom_dates(string input, int days, string? expected) =>
        new DateShift(days).ShiftDicomDate(input).Should().Be(expected);

    [Theory]
    [InlineData("20210314101500.123456+0100", -10, "20210304101500.123456+0100")]
    [InlineData("202103", -31, "202101")]
    [InlineData("2021", -1, "2020")]
    [InlineData("20210314T1015", -1, null)]
    public void Shifts_dicom_date_times_keeping_time_and_offset(string input, int days, string? expected) =>
        new DateShift(days).ShiftDicomDateTime(input).Should().Be(expected);

    [Theory]
    [InlineData("045Y", "045Y")]
    [InlineData("089Y", "089Y")]
    [InlineData("090Y", "090Y")]
    [InlineData("104Y", "090Y")]
    [InlineData("1100M", null)]
    [InlineData("999M", "069Y")]
    [InlineData("030D", "030D")]
    public void Groups_ages_of_90_and_over(string age, string? expected)
    {
        string? g = AgeGrouping.GroupDicomAge(age);
        if (expected == "069Y") g.Should().Be("999M"); // 83 years in months: unchanged
        else g.Should().Be(expected);
    }

    [Fact]
    public void Ages_in_months_weeks_days_of_90_years_are_grouped()
    {
        AgeGrouping.GroupDicomAge("999W").Should().Be("999W"); // 19 years
        AgeGrouping.GroupYears(95).Should().Be(90);
        AgeGrouping.GroupYears(42).Should().Be(42);
    }

    [Fact]
    public void Pseudonyms_and_uids_are_stable_short_and_key_dependent()
    {
        string p = Pseudonyms.Patient(DeidTestKeys.A, "ISSUER|123");
        p.Should().MatchRegex("^PT-[A-Z2-7]{16}$");
        Pseudonyms.Patient(DeidTestKeys.A, "ISSUER|123").Should().Be(p);
        Pseudonyms.Patient(DeidTestKeys.B, "ISSUER|123").Should().NotBe(p);
        Pseudonyms.Patient(DeidTestKeys.A, "ISSUER|124").Should().NotBe(p);
        string u = UidRemapper.Remap(DeidTestKeys.A, "1.2.3.4");
        u.Should().MatchRegex(@"^2\.25\.[1-9][0-9]{0,38}$");
        UidRemapper.Remap(DeidTestKeys.A, "1.2.3.4\0").Should().Be(u, "padding is not part of the UID");
        UidRemapper.Remap(DeidTestKeys.B, "1.2.3.4").Should().NotBe(u);
    }
}
