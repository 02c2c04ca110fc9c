using System.Text.Json;
using System.Text.Json.Nodes;
using Lakehouse.Testing;
using Lakehouse.Udfs.Deidentification;

namespace Lakehouse.Udfs.Tests.Deidentification;

/// <summary>Every row of PS3.15 Table E.1-1: the committed rule table matches the shared source, and our output obeys it.</summary>
public class BasicProfileTableTests
{
    private static readonly string[] OptionColumns =
    [
        "retainSafePrivate", "retainUIDs", "retainDeviceIdentity", "retainInstitutionIdentity", "retainPatientCharacteristics",
        "retainLongitudinalFullDates", "retainLongitudinalModifiedDates", "cleanDescriptors", "cleanStructuredContent", "cleanGraphics",
    ];

    private static readonly Lazy<JsonElement[]> SharedRows = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(RepoPaths.SharedFile("deid", "ps3.15-annex-e.json")));
        return [.. doc.RootElement.EnumerateArray().Select(e => e.Clone())];
    });

    public static TheoryData<string> SharedTags()
    {
        var data = new TheoryData<string>();
        foreach (var row in SharedRows.Value) data.Add(row.GetProperty("tag").GetString()!);
        return data;
    }

    private static JsonElement Shared(string tag) => SharedRows.Value.Single(r => r.GetProperty("tag").GetString() == tag);

    private static string OurTag(string sharedTag) =>
        sharedTag.StartsWith("gggg", StringComparison.OrdinalIgnoreCase) ? "ODDGROUP" : sharedTag.ToUpperInvariant().Replace('X', 'x');

    [Fact]
    public void Committed_table_has_every_row_of_the_shared_source()
    {
        DeidProfile.Rules.Should().HaveCount(SharedRows.Value.Length, "rerun udfs/tools/Lakehouse.DeidProfileGenerator");
        DeidProfile.SafePrivateCount.Should().BeGreaterThan(1000);
    }

    [Theory]
    [MemberData(nameof(SharedTags))]
    public void Committed_rule_matches_the_standard(string tag)
    {
        var row = Shared(tag);
        var rule = DeidProfile.Rules.Single(r => r.Tag == OurTag(tag));
        rule.Basic.Should().Be(row.GetProperty("basic").GetString());
        var options = row.GetProperty("options");
        for (int i = 0; i < OptionColumns.Length; i++)
            rule.Options[i].Should().Be(options.GetProperty(OptionColumns[i]).GetString()?[0] ?? '-', OptionColumns[i]);
    }

    /// <summary>A plausible value of each VR, in DICOM JSON.</summary>
    internal static JsonObject Attribute(string vr)
    {
        JsonNode? value = vr switch
        {
            "AE" => "STATION1",
            "AS" => "045Y",
            "CS" => "ABC",
            "DA" => "20200115",
            "DT" => "20200115103000",
            "TM" => "103000",
            "UI" => "1.2.3.4.5.6",
            "UR" => "http://example.org/x",
            "PN" => new JsonObject { ["Alphabetic"] = "TEST^PERSON" },
            "LO" or "LT" or "SH" or "ST" or "UC" or "UT" => "Some text 1",
            "DS" or "IS" or "FL" or "FD" or "SL" or "SS" or "UL" or "US" or "SV" or "UV" => 5,
            "SQ" => new JsonObject { ["00080100"] = new JsonObject { ["vr"] = "SH", ["Value"] = new JsonArray("T-123") } },
            _ => null,
        };
        var attr = new JsonObject { ["vr"] = vr };
        if (value is null) attr["InlineBinary"] = "AQID";
        else attr["Value"] = new JsonArray(value);
        return attr;
    }

    /// <summary>The action the standard asks for, given our documented choice among combined actions for an unknown Type.</summary>
    private static string Expected(string basic, string vr) => basic switch
    {
        "X/Z/U*" => "U",
        "Z/D" or "X/Z/D" => vr is "LO" or "SH" or "ST" or "LT" or "UT" or "UC" or "PN" or "CS" or "AE" or "UR" ? "Z" : "D",
        "X/D" => "D",
        "X/Z" => "Z",
        _ => basic,
    };

    private static (JsonObject Input, JsonNode? Output) Run(string tag, string vr, DeidOptions options)
    {
        var input = new JsonObject { [tag] = Attribute(vr) };
        string output = DicomJsonDeidentifier.Deidentify(input.ToJsonString(), options, DeidTestKeys.A, "ISSUER|PID-1", new DeidAudit());
        return (input, JsonNode.Parse(output)![tag]);
    }

    public static TheoryData<string> ExactTags()
    {
        var data = new TheoryData<string>();
        foreach (var r in DeidProfile.Rules.Where(r => !r.Tag.Contains('x', StringComparison.Ordinal) && r.Tag != "ODDGROUP")) data.Add(r.Tag);
        return data;
    }

    [Theory]
    [MemberData(nameof(ExactTags))]
    public void Basic_profile_action_is_applied(string tag)
    {
        var row = Shared(SharedRows.Value.Select(r => r.GetProperty("tag").GetString()!).Single(t => t.Equals(tag, StringComparison.OrdinalIgnoreCase)));
        string vr = row.GetProperty("vr").GetString() is { Length: 2 } v ? v : "UN";
        var (input, output) = Run(tag, vr, DeidOptions.Basic);
        if (tag is "00100010" or "00100020")
        {
            output!.ToJsonString().Should().Contain(Pseudonyms.Patient(DeidTestKeys.A, "ISSUER|PID-1"));
            return;
        }
        switch (Expected(row.GetProperty("basic").GetString()!, vr))
        {
            case "X":
                output.Should().BeNull();
                break;
            case "Z":
                output.Should().NotBeNull();
                output!["Value"].Should().BeNull();
                output["InlineBinary"].Should().BeNull();
                break;
            case "U":
                if (vr == "UI") output!["Value"]![0]!.GetValue<string>().Should().Be(UidRemapper.Remap(DeidTestKeys.A, "1.2.3.4.5.6"));
                else output!["Value"]!.AsArray().Should().HaveCount(1, "a sequence keeps its items, de-identified");
                break;
            case "D":
                output.Should().NotBeNull();
                if (vr is "OB" or "OW" or "UN") output!["InlineBinary"].Should().BeNull();
                else if (vr == "SQ") output!["Value"]!.AsArray().Should().HaveCount(1);
                else output!["Value"]![0]!.ToJsonString().Should().NotBe(input[tag]!["Value"]![0]!.ToJsonString(), "D replaces the value");
                break;
            default:
                throw new InvalidOperationException("unexpected basic action in the table");
        }
    }

    public static TheoryData<string, string> RetainedByOption()
    {
        var data = new TheoryData<string, string>();
        string[] supported = ["retainUIDs", "retainDeviceIdentity", "retainInstitutionIdentity", "retainPatientCharacteristics", "retainLongitudinalFullDates"];
        foreach (var row in SharedRows.Value)
        {
            string tag = row.GetProperty("tag").GetString()!;
            if (tag.Contains('x', StringComparison.Ordinal) || tag.StartsWith("gggg", StringComparison.Ordinal) || tag is "00100010" or "00100020") continue;
            foreach (string o in supported)
                if (row.GetProperty("options").GetProperty(o).GetString() == "K") data.Add(tag, o);
        }
        return data;
    }

    private static DeidOptions Only(string option) => option switch
    {
        "retainUIDs" => new DeidOptions { RetainUids = true },
        "retainDeviceIdentity" => new DeidOptions { RetainDeviceIdentity = true },
        "retainInstitutionIdentity" => new DeidOptions { RetainInstitutionIdentity = true },
        "retainPatientCharacteristics" => new DeidOptions { RetainPatientCharacteristics = true },
        "retainLongitudinalFullDates" => new DeidOptions { RetainLongitudinalFullDates = true },
        "retainLongitudinalModifiedDates" => new DeidOptions { RetainLongitudinalModifiedDates = true },
        "cleanDescriptors" => new DeidOptions { CleanDescriptors = true },
        _ => throw new ArgumentOutOfRangeException(nameof(option)),
    };

    [Theory]
    [MemberData(nameof(RetainedByOption))]
    public void Option_K_keeps_the_attribute(string tag, string option)
    {
        var row = Shared(tag);
        string vr = row.GetProperty("vr").GetString() is { Length: 2 } v ? v : "UN";
        var (input, output) = Run(tag.ToUpperInvariant(), vr, Only(option));
        output!.ToJsonString().Should().Be(input[tag.ToUpperInvariant()]!.ToJsonString());
    }

    public static TheoryData<string> ModifiedDates()
    {
        var data = new TheoryData<string>();
        foreach (var row in SharedRows.Value)
            if (row.GetProperty("options").GetProperty("retainLongitudinalModifiedDates").GetString() == "C"
                && row.GetProperty("vr").GetString() is "DA" or "DT" or "TM")
                data.Add(row.GetProperty("tag").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(ModifiedDates))]
    public void Modified_dates_option_shifts_dates_and_keeps_times(string tag)
    {
        string vr = Shared(tag).GetProperty("vr").GetString()!;
        var (input, output) = Run(tag.ToUpperInvariant(), vr, Only("retainLongitudinalModifiedDates"));
        var shift = DateShift.For(DeidTestKeys.A, "ISSUER|PID-1");
        string expected = vr switch
        {
            "DA" => shift.ShiftDicomDate("20200115")!,
            "DT" => shift.ShiftDicomDateTime("20200115103000")!,
            _ => "103000",
        };
        output!["Value"]![0]!.GetValue<string>().Should().Be(expected);
        input.Should().NotBeNull();
    }

    public static TheoryData<string> CleanedDescriptors()
    {
        var data = new TheoryData<string>();
        foreach (var row in SharedRows.Value)
            if (row.GetProperty("options").GetProperty("cleanDescriptors").GetString() == "C"
                && row.GetProperty("vr").GetString() is "LO" or "SH" or "ST" or "LT" or "UT" or "UC")
                data.Add(row.GetProperty("tag").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(CleanedDescriptors))]
    public void Clean_descriptors_keeps_the_text_without_the_headers_identifiers(string tag)
    {
        string vr = Shared(tag).GetProperty("vr").GetString()!;
        string t = tag.ToUpperInvariant();
        var input = new JsonObject
        {
            ["00100010"] = new JsonObject { ["vr"] = "PN", ["Value"] = new JsonArray(new JsonObject { ["Alphabetic"] = "PLUMTREE^OTTILIE" }) },
            ["00080050"] = new JsonObject { ["vr"] = "SH", ["Value"] = new JsonArray("ACQ778899") },
            [t] = new JsonObject { ["vr"] = vr, ["Value"] = new JsonArray("Knee Ottilie Plumtree ACQ778899") },
        };
        string output = DicomJsonDeidentifier.Deidentify(input.ToJsonString(), new DeidOptions { CleanDescriptors = true }, DeidTestKeys.A, "X|1", new DeidAudit());
        JsonNode.Parse(output)![t]!["Value"]![0]!.GetValue<string>().Should().Be("Knee [NAME] [NAME] [ID]");
    }
}
