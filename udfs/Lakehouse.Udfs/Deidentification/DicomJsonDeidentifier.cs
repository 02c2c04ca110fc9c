using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Lakehouse.Udfs.Dicom;

namespace Lakehouse.Udfs.Deidentification;

/// <summary>
/// Applies the Basic Application Level Confidentiality Profile (PS3.15 Annex E, Table E.1-1) with <see cref="DeidOptions"/>
/// to one header in DICOM JSON (PS3.18 F.2), recursively into sequences. Decisions beyond the table:
/// <list type="bullet">
/// <item>Patient ID and Patient's Name get the patient pseudonym (a consistent dummy, allowed by Z and Z/D).</item>
/// <item>Combined actions (X/Z, Z/D, X/D, X/Z/D, X/Z/U*): see <see cref="DeidProfile.ChooseBasic"/>.</item>
/// <item>D writes a dummy of the VR: "ANONYMOUS" (PN), "ANONYMIZED" (text), 19000101 / 000000 (dates, times), 0 (numbers),
/// a remapped UID (UI), de-identified items (SQ), an empty value (binary VRs).</item>
/// <item>C: dates and date-times are shifted by the patient's <see cref="DateShift"/>, times are kept, UIDs remapped,
/// sequences de-identified item by item, free text scrubbed by <see cref="ReportTextDeidentifier"/> with every
/// identifier the same header holds (names, IDs, institutions), ages grouped at 90.</item>
/// <item>Attributes the table does not list are kept (PS3.15 allows it), except: group lengths are removed; unlisted DA/DT
/// are shifted under Modified Dates, kept under Full Dates and removed otherwise; unlisted PN are emptied; unlisted free text (ST, LT, UT, such as SR Text Value) is cleaned; ages (AS)
/// are always grouped at 90; a BulkDataURI (it may hold a file path) is dropped, leaving the attribute empty.</item>
/// <item>Private attributes are removed, unless Retain Safe Private is on and (group, private creator, element) is on the
/// TCIA safe list; a private creator element is kept when its block has safe elements.</item>
/// </list>
/// </summary>
public static class DicomJsonDeidentifier
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);
    private static readonly DicomTag PatientId = new(0x0010, 0x0020);

    /// <summary>
    /// The de-identified header. <paramref name="patientKey"/> (e.g. "issuer|patientid") seeds the pseudonym and the date
    /// shift; <paramref name="audit"/> receives action × keyword counts.
    /// </summary>
    /// <exception cref="FormatException">The input is not DICOM JSON; the message gives the position, never content.</exception>
    public static string Deidentify(string dicomJson, DeidOptions options, DeidKey key, string patientKey, DeidAudit audit)
    {
        ArgumentNullException.ThrowIfNull(dicomJson);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(patientKey);
        ArgumentNullException.ThrowIfNull(audit);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(dicomJson);
        }
        catch (JsonException e)
        {
            throw new FormatException($"DICOM JSON is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }
        using (doc)
        {
            var session = new Session(options, key, patientKey, audit, doc.RootElement);
            var buffer = new ArrayBufferWriter<byte>(dicomJson.Length);
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                if (doc.RootElement.ValueKind == JsonValueKind.Object) session.WriteDataset(writer, doc.RootElement);
                else if (doc.RootElement.ValueKind == JsonValueKind.Array)
                {
                    writer.WriteStartArray();
                    foreach (var ds in doc.RootElement.EnumerateArray())
                    {
                        if (ds.ValueKind != JsonValueKind.Object) throw new FormatException("DICOM JSON array holds a non-object");
                        session.WriteDataset(writer, ds);
                    }
                    writer.WriteEndArray();
                }
                else throw new FormatException("DICOM JSON must be an object (one data set) or an array of objects");
            }
            return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
    }

    private sealed class Session(DeidOptions options, DeidKey key, string patientKey, DeidAudit audit, JsonElement root)
    {
        private readonly Dictionary<string, string> _uids = new(StringComparer.Ordinal);
        private readonly DateShift _shift = DateShift.For(key, patientKey);
        private string? _pseudonym;
        private ReportScrubContext? _scrub;

        private string Pseudonym => _pseudonym ??= Pseudonyms.Patient(key, patientKey);

        public void WriteDataset(Utf8JsonWriter w, JsonElement dataset)
        {
            Dictionary<int, string>? creators = null;
            foreach (var p in dataset.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Object || !DicomTag.TryParse(p.Name, out var tag) || p.Name.Length != 8)
                    throw new FormatException("DICOM JSON data set has a key that is not a tag (GGGGEEEE) or a non-object attribute");
                if (tag.IsPrivateCreator && p.Value.TryGetProperty("Value", out var cv) && cv.ValueKind == JsonValueKind.Array
                    && cv.GetArrayLength() > 0 && cv[0].ValueKind == JsonValueKind.String)
                    (creators ??= [])[(tag.Group << 8) | tag.Element] = cv[0].GetString()!;
            }
            w.WriteStartObject();
            foreach (var p in dataset.EnumerateObject())
            {
                _ = DicomTag.TryParse(p.Name, out var tag);
                WriteElement(w, p.Name, tag, p.Value, creators);
            }
            w.WriteEndObject();
        }

        private void WriteElement(Utf8JsonWriter w, string name, DicomTag tag, JsonElement el, Dictionary<int, string>? creators)
        {
            string vr = el.TryGetProperty("vr", out var vrEl) && vrEl.ValueKind == JsonValueKind.String ? vrEl.GetString()! : "UN";
            if (tag.IsGroupLength) { audit.Record(DeidAction.Remove, "GroupLength"); return; }
            if (tag.IsPrivate) { WritePrivate(w, name, tag, vr, el, creators); return; }
            if (tag == PatientId || tag == PatientName)
            {
                audit.Record(DeidAction.Pseudonym, tag == PatientId ? "PatientID" : "PatientName");
                w.WriteStartObject(name);
                w.WriteString("vr", vr);
                w.WriteStartArray("Value");
                if (vr == "PN") { w.WriteStartObject(); w.WriteString("Alphabetic", Pseudonym); w.WriteEndObject(); }
                else w.WriteStringValue(Pseudonym);
                w.WriteEndArray();
                w.WriteEndObject();
                return;
            }
            var rule = DeidProfile.Find(tag);
            string keyword = rule?.Keyword ?? (DicomDictionary.TryGet(tag, out var entry) && entry.Keyword.Length > 0 ? entry.Keyword : tag.ToString());
            char action = rule is not null ? DeidProfile.Resolve(rule, options, vr) : Unlisted(tag, vr);
            Apply(w, name, vr, el, action, keyword);
        }

        private char Unlisted(DicomTag tag, string vr)
        {
            if (tag.Group == 0x0002) return 'K';
            return vr switch
            {
                "DA" or "DT" => options.RetainLongitudinalFullDates ? 'K' : options.RetainLongitudinalModifiedDates ? 'C' : 'X',
                "PN" => 'Z',
                "ST" or "LT" or "UT" => 'C', // free text the table does not list (e.g. SR TextValue): scrubbed
                _ => 'K',
            };
        }

        private void WritePrivate(Utf8JsonWriter w, string name, DicomTag tag, string vr, JsonElement el, Dictionary<int, string>? creators)
        {
            if (options.RetainSafePrivate)
            {
                if (tag.IsPrivateCreator)
                {
                    string? creator = creators?.GetValueOrDefault((tag.Group << 8) | tag.Element);
                    if (creator is not null && DeidProfile.IsSafeCreator(tag.Group, creator))
                    {
                        audit.Record(DeidAction.KeepSafePrivate, "PrivateCreator:" + creator.Trim());
                        w.WritePropertyName(name);
                        el.WriteTo(w);
                        return;
                    }
                }
                else if (tag.Element >= 0x1000)
                {
                    string? creator = creators?.GetValueOrDefault((tag.Group << 8) | (tag.Element >> 8));
                    if (creator is not null && DeidProfile.IsSafePrivate(tag.Group, creator, (byte)tag.Element))
                    {
                        audit.Record(DeidAction.KeepSafePrivate, $"{creator.Trim()}:({tag.Group:X4},xx{tag.Element & 0xFF:X2})");
                        if (vr == "SQ") WriteSequence(w, name, el);
                        else
                        {
                            w.WritePropertyName(name);
                            el.WriteTo(w);
                        }
                        return;
                    }
                }
            }
            audit.Record(DeidAction.RemovePrivate, tag.IsPrivateCreator ? $"({tag.Group:X4},00xx)" : $"({tag.Group:X4},xx{tag.Element & 0xFF:X2})");
        }

        private void Apply(Utf8JsonWriter w, string name, string vr, JsonElement el, char action, string keyword)
        {
            switch (action)
            {
                case 'X':
                    audit.Record(DeidAction.Remove, keyword);
                    return;
                case 'Z':
                    audit.Record(DeidAction.Empty, keyword);
                    WriteEmpty(w, name, vr);
                    return;
                case 'K':
                    Keep(w, name, vr, el, keyword);
                    return;
                case 'U':
                    if (vr == "UI") { audit.Record(DeidAction.RemapUid, keyword); MapStrings(w, name, vr, el, RemapUid); }
                    else if (vr == "SQ") { audit.Record(DeidAction.Recurse, keyword); WriteSequence(w, name, el); }
                    else { audit.Record(DeidAction.Remove, keyword); }
                    return;
                case 'D':
                    Dummy(w, name, vr, el, keyword);
                    return;
                default:
                    Clean(w, name, vr, el, keyword);
                    return;
            }
        }

        private void Keep(Utf8JsonWriter w, string name, string vr, JsonElement el, string keyword)
        {
            if (vr == "SQ") { audit.Record(DeidAction.Recurse, keyword); WriteSequence(w, name, el); return; }
            if (vr == "AS") { GroupAges(w, name, vr, el, keyword); return; }
            if (el.TryGetProperty("BulkDataURI", out _))
            {
                audit.Record(DeidAction.Empty, keyword);
                WriteEmpty(w, name, vr);
                return;
            }
            audit.Record(DeidAction.Keep, keyword);
            w.WritePropertyName(name);
            el.WriteTo(w);
        }

        private void GroupAges(Utf8JsonWriter w, string name, string vr, JsonElement el, string keyword)
        {
            bool grouped = false, invalid = false;
            MapStrings(w, name, vr, el, a =>
            {
                string? g = AgeGrouping.GroupDicomAge(a);
                if (g is null) { invalid = true; return null; }
                grouped |= g != a.Trim();
                return g;
            });
            audit.Record(invalid ? DeidAction.RemoveInvalid : grouped ? DeidAction.GroupAge : DeidAction.Keep, keyword);
        }

        private void Dummy(Utf8JsonWriter w, string name, string vr, JsonElement el, string keyword)
        {
            switch (vr)
            {
                case "SQ":
                    audit.Record(DeidAction.Recurse, keyword);
                    WriteSequence(w, name, el);
                    return;
                case "UI":
                    audit.Record(DeidAction.RemapUid, keyword);
                    MapStrings(w, name, vr, el, RemapUid);
                    return;
                case "OB" or "OW" or "OD" or "OF" or "OL" or "OV" or "UN":
                    audit.Record(DeidAction.Empty, keyword);
                    WriteEmpty(w, name, vr);
                    return;
            }
            audit.Record(DeidAction.Dummy, keyword);
            w.WriteStartObject(name);
            w.WriteString("vr", vr);
            w.WriteStartArray("Value");
            switch (vr)
            {
                case "PN": w.WriteStartObject(); w.WriteString("Alphabetic", "ANONYMOUS"); w.WriteEndObject(); break;
                case "DA": w.WriteStringValue("19000101"); break;
                case "DT": w.WriteStringValue("19000101000000"); break;
                case "TM": w.WriteStringValue("000000"); break;
                case "AS": w.WriteStringValue("000Y"); break;
                case "IS" or "DS" or "US" or "SS" or "UL" or "SL" or "FL" or "FD" or "UV" or "SV": w.WriteNumberValue(0); break;
                default: w.WriteStringValue("ANONYMIZED"); break;
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }

        private void Clean(Utf8JsonWriter w, string name, string vr, JsonElement el, string keyword)
        {
            switch (vr)
            {
                case "DA" or "DT":
                    if (options.RetainLongitudinalFullDates) { Keep(w, name, vr, el, keyword); return; }
                    bool invalid = false;
                    MapStrings(w, name, vr, el, v =>
                    {
                        string? s = vr == "DA" ? _shift.ShiftDicomDate(v) : _shift.ShiftDicomDateTime(v);
                        invalid |= s is null;
                        return s;
                    });
                    audit.Record(invalid ? DeidAction.RemoveInvalid : DeidAction.ShiftDate, keyword);
                    return;
                case "UI":
                    audit.Record(DeidAction.RemapUid, keyword);
                    MapStrings(w, name, vr, el, RemapUid);
                    return;
                case "SQ" or "AS":
                    Keep(w, name, vr, el, keyword);
                    return;
                case "PN":
                    audit.Record(DeidAction.Empty, keyword);
                    WriteEmpty(w, name, vr);
                    return;
                case "LO" or "SH" or "ST" or "LT" or "UT" or "UC":
                    audit.Record(DeidAction.Clean, keyword);
                    var context = _scrub ??= KnownIdentifiers.Collect(root, options, _shift);
                    MapStrings(w, name, vr, el, v => ReportTextDeidentifier.Scrub(v, context));
                    return;
                case "OB" or "OW" or "UN" or "UR":
                    audit.Record(DeidAction.Empty, keyword);
                    WriteEmpty(w, name, vr);
                    return;
                default: // TM, CS, numbers: no identifying free text to clean
                    Keep(w, name, vr, el, keyword);
                    return;
            }
        }

        private string RemapUid(string uid)
        {
            if (!_uids.TryGetValue(uid, out string? mapped))
                _uids[uid] = mapped = UidRemapper.Remap(key, uid);
            return mapped;
        }

        private static void WriteEmpty(Utf8JsonWriter w, string name, string vr)
        {
            w.WriteStartObject(name);
            w.WriteString("vr", vr);
            w.WriteEndObject();
        }

        /// <summary>Writes the attribute with each string value mapped; a null mapping writes a JSON null (empty value).</summary>
        private static void MapStrings(Utf8JsonWriter w, string name, string vr, JsonElement el, Func<string, string?> map)
        {
            w.WriteStartObject(name);
            w.WriteString("vr", vr);
            if (el.TryGetProperty("Value", out var values) && values.ValueKind == JsonValueKind.Array)
            {
                var mapped = new List<string?>(values.GetArrayLength());
                foreach (var v in values.EnumerateArray())
                    mapped.Add(v.ValueKind == JsonValueKind.String ? map(v.GetString()!) : null);
                if (mapped.Any(m => m is not null))
                {
                    w.WriteStartArray("Value");
                    foreach (string? m in mapped)
                    {
                        if (m is null) w.WriteNullValue();
                        else w.WriteStringValue(m);
                    }
                    w.WriteEndArray();
                }
            }
            w.WriteEndObject();
        }

        private void WriteSequence(Utf8JsonWriter w, string name, JsonElement el)
        {
            w.WriteStartObject(name);
            w.WriteString("vr", "SQ");
            if (el.TryGetProperty("Value", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                w.WriteStartArray("Value");
                foreach (var item in items.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object) WriteDataset(w, item);
                    else throw new FormatException("DICOM JSON sequence item is not an object");
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
    }
}
