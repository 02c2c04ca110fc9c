using System.Text.Json;

namespace Lakehouse.Udfs.Identity;

/// <summary>One other identity of the same patient: a PatientID and its issuer when the source names one.</summary>
/// <param name="PatientId">The other PatientID, trimmed.</param>
/// <param name="Issuer">Its Issuer of Patient ID, or null (the bare retired Other Patient IDs carry none).</param>
public readonly record struct OtherPatientId(string PatientId, string? Issuer)
{
    /// <summary>No values: this is PHI.</summary>
    public override string ToString() => "OtherPatientId";
}

/// <summary>Reads the other identities a header lists: Other Patient IDs (0010,1000) and Other Patient IDs Sequence (0010,1002).</summary>
public static class OtherPatientIds
{
    /// <summary>The DICOM JSON key of Other Patient IDs Sequence.</summary>
    public const string SequenceKey = "00101002";

    /// <summary>The values of Other Patient IDs as stored in bronze (backslash-joined), without empties and duplicates.</summary>
    public static IReadOnlyList<OtherPatientId> FromOtherPatientIds(string? backslashJoined)
    {
        if (string.IsNullOrWhiteSpace(backslashJoined)) return [];
        var result = new List<OtherPatientId>();
        foreach (string value in backslashJoined.Split('\\'))
            if (PatientKey.NormalizePatientId(value) is { } id && !result.Contains(new OtherPatientId(id, null)))
                result.Add(new OtherPatientId(id, null));
        return result;
    }

    /// <summary>
    /// The items of an Other Patient IDs Sequence given as its DICOM JSON element (<c>{"vr":"SQ","Value":[{...}]}</c>, PS3.18
    /// F.2): each item's Patient ID (0010,0020) with its Issuer of Patient ID (0010,0021). Items without a Patient ID are
    /// skipped. False (and an empty list) when the text is not such JSON; never throws.
    /// </summary>
    public static bool TryParseSequence(string? elementJson, out IReadOnlyList<OtherPatientId> items)
    {
        items = [];
        if (string.IsNullOrWhiteSpace(elementJson)) return true;
        try
        {
            using var doc = JsonDocument.Parse(elementJson);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Null) return true;
            if (root.ValueKind != JsonValueKind.Object) return false;
            if (!root.TryGetProperty("Value", out var value)) return true; // an empty sequence
            if (value.ValueKind != JsonValueKind.Array) return false;
            var result = new List<OtherPatientId>();
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object) return false;
                string? id = PatientKey.NormalizePatientId(FirstString(item, "00100020"));
                if (id is null) continue;
                var other = new OtherPatientId(id, PatientKey.NormalizeIssuer(FirstString(item, "00100021")));
                if (!result.Contains(other)) result.Add(other);
            }
            items = result;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The Other Patient IDs Sequence of a whole DICOM JSON data set (bronze tags_json); false when it is not JSON.</summary>
    public static bool TryParseFromDataset(string? tagsJson, out IReadOnlyList<OtherPatientId> items)
    {
        items = [];
        if (string.IsNullOrWhiteSpace(tagsJson)) return true;
        try
        {
            using var doc = JsonDocument.Parse(tagsJson);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return false;
            return !doc.RootElement.TryGetProperty(SequenceKey, out var seq) || TryParseSequence(seq.GetRawText(), out items);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? FirstString(JsonElement item, string tag)
    {
        if (!item.TryGetProperty(tag, out var element) || element.ValueKind != JsonValueKind.Object) return null;
        if (!element.TryGetProperty("Value", out var values) || values.ValueKind != JsonValueKind.Array) return null;
        foreach (var v in values.EnumerateArray())
            return v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return null;
    }
}
