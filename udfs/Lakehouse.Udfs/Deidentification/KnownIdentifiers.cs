using System.Text.Json;
using Lakehouse.Udfs.Dicom;

namespace Lakehouse.Udfs.Deidentification;

/// <summary>
/// Collects the identifiers a header holds, so that cleaning its descriptors can scrub them: every person name, and the
/// text of every attribute the profile removes, empties or replaces (IDs, accession numbers, institutions, stations,
/// addresses, private text), at any depth.
/// </summary>
internal static class KnownIdentifiers
{
    public static ReportScrubContext Collect(JsonElement root, DeidOptions options, DateShift shift)
    {
        var names = new List<string>();
        var ids = new List<string>();
        var institutions = new List<string>();
        Walk(root, options, names, ids, institutions);
        return new ReportScrubContext
        {
            KnownNames = names,
            KnownIdentifiers = ids,
            InstitutionNames = institutions,
            DateShift = options.RetainLongitudinalModifiedDates ? shift : null,
        };
    }

    private static void Walk(JsonElement node, DeidOptions options, List<string> names, List<string> ids, List<string> institutions)
    {
        if (node.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in node.EnumerateArray()) Walk(item, options, names, ids, institutions);
            return;
        }
        if (node.ValueKind != JsonValueKind.Object) return;
        foreach (var p in node.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Object || !DicomTag.TryParse(p.Name, out var tag)) continue;
            string vr = p.Value.TryGetProperty("vr", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "UN";
            if (!p.Value.TryGetProperty("Value", out var values) || values.ValueKind != JsonValueKind.Array) continue;
            if (vr == "SQ") { Walk(values, options, names, ids, institutions); continue; }
            if (vr == "PN")
            {
                foreach (var pn in values.EnumerateArray())
                    if (pn.ValueKind == JsonValueKind.Object)
                        foreach (var rep in pn.EnumerateObject())
                            if (rep.Value.ValueKind == JsonValueKind.String) names.Add(rep.Value.GetString()!);
                continue;
            }
            if (!DeidProfile.IsTextVR(vr) || vr == "CS") continue;
            bool identifying;
            if (tag.IsPrivate) identifying = !tag.IsPrivateCreator;
            else
            {
                var rule = DeidProfile.Find(tag);
                identifying = rule is not null && DeidProfile.Resolve(rule, options, vr) is 'X' or 'Z' or 'D';
            }
            if (!identifying) continue;
            var target = tag.Value is 0x00080080 or 0x00081040 ? institutions : ids;
            foreach (var s in values.EnumerateArray())
                if (s.ValueKind == JsonValueKind.String) target.Add(s.GetString()!);
        }
    }
}
