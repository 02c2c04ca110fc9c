using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Lakehouse.Udfs.Registry;

namespace Lakehouse.Udfs.Labeling;

/// <summary>
/// SQL functions of the CheXpert labeler. A job labels each report once with <c>chexpert_labels_json(text)</c>
/// (all 14 values and the evidence as one JSON document) and reads values and evidence out of that document with
/// <c>chexpert_json_label</c> / <c>chexpert_json_evidence</c>, so the labeler never runs twice on one report.
/// </summary>
/// <remarks>
/// JSON of <c>chexpert_labels_json</c>: <c>{"labeler_version":"...","labels":{"no_finding":1,...all 14, null when not
/// mentioned},"evidence":[{"observation":"...","label":1,"section":"findings","start":12,"end":24,"mention":"...",
/// "cue_kind":"negation_before","cue":"no"},...]}</c>. Offsets are UTF-16 characters into the text given, so on
/// silver they point into the de-identified text; mention and cue are copied from that text.
/// </remarks>
public static class LabelingUdfs
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly Lazy<string> Version = new(() =>
        "chexpert-rules/lexicon-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(LexiconResource.ReadJson())))[..12]);

    /// <summary>The UDFs of this area, as registered in <see cref="UdfRegistry.Default"/>.</summary>
    public static IEnumerable<UdfDefinition> Functions =>
    [
        Udf.Define<string, string>("chexpert_labels_json",
            "Labels a radiology report once: JSON with the 14 CheXpert values (1, 0, -1, null) under \"labels\" and the evidence spans into the text under \"evidence\"",
            ["text"], LabelsJson),
        Udf.Define<string, string, int?>("chexpert_label",
            "The CheXpert value (1, 0, -1; NULL when not mentioned) of one observation (snake_case or display name) in a report; labels the text on every call, so prefer chexpert_labels_json for several observations",
            ["text", "observation"], Label),
        Udf.Define<string, string, int?>("chexpert_json_label",
            "The value of one observation in a chexpert_labels_json document (1, 0, -1; NULL when not mentioned)",
            ["labels_json", "observation"], JsonLabel),
        Udf.Define<string, string, string, string?>("chexpert_json_evidence",
            "The evidence object of one observation in a chexpert_labels_json document, with source_id (e.g. the report_id) added; NULL when not mentioned",
            ["labels_json", "observation", "source_id"], JsonEvidence),
        Udf.Define("chexpert_labeler_version", "Version of the labeler: rule set and a hash of its lexicon", LabelerVersion),
    ];

    /// <summary>The labeler version: <c>chexpert-rules/lexicon-</c> and the first 12 hex digits of the lexicon's SHA-256.</summary>
    public static string LabelerVersion() => Version.Value;

    /// <summary>Labels <paramref name="text"/> with <see cref="ReportLabeler.Default"/> and returns the JSON document.</summary>
    public static string LabelsJson(string text) => ToJson(ReportLabeler.Default.Label(text));

    /// <summary>The labels and evidence as the JSON document of <c>chexpert_labels_json</c>.</summary>
    public static string ToJson(ReportLabels labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("labeler_version", LabelerVersion());
            w.WriteStartObject("labels");
            foreach (var o in ChexpertObservations.All)
            {
                if (labels.Value(o) is { } v) w.WriteNumber(o.ColumnName(), v);
                else w.WriteNull(o.ColumnName());
            }
            w.WriteEndObject();
            w.WriteStartArray("evidence");
            foreach (var e in labels.Evidence) WriteEvidence(w, e, includeSentence: false);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// One evidence entry as a JSON object: observation, label, section, start, end, mention, cue_kind, cue, and the
    /// sentence when asked (the sentence repeats report text, so tables that only need spans leave it out).
    /// </summary>
    public static void WriteEvidence(Utf8JsonWriter writer, LabelEvidence evidence, bool includeSentence)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(evidence);
        writer.WriteStartObject();
        writer.WriteString("observation", evidence.Observation.ColumnName());
        writer.WriteNumber("label", (int)evidence.Label);
        writer.WriteString("section", evidence.Section);
        writer.WriteNumber("start", evidence.Start);
        writer.WriteNumber("end", evidence.End);
        writer.WriteString("mention", evidence.Mention);
        writer.WriteString("cue_kind", CueKindName(evidence.CueKind));
        if (evidence.Cue is null) writer.WriteNull("cue");
        else writer.WriteString("cue", evidence.Cue);
        if (includeSentence) writer.WriteString("sentence", evidence.Sentence);
        writer.WriteEndObject();
    }

    /// <summary>One observation's value in a report.</summary>
    /// <exception cref="ArgumentException">Unknown observation name.</exception>
    public static int? Label(string text, string observation) => ReportLabeler.Default.Label(text).Value(Parse(observation));

    /// <summary>One observation's value read from a <c>chexpert_labels_json</c> document.</summary>
    /// <exception cref="ArgumentException">Unknown observation name, or not a labels document.</exception>
    public static int? JsonLabel(string labelsJson, string observation)
    {
        string name = Parse(observation).ColumnName();
        using var doc = ParseDocument(labelsJson);
        if (!doc.RootElement.TryGetProperty("labels", out var labels) || labels.ValueKind != JsonValueKind.Object)
            throw new ArgumentException("not a chexpert_labels_json document: no \"labels\" object", nameof(labelsJson));
        return labels.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
    }

    /// <summary>One observation's evidence object read from a <c>chexpert_labels_json</c> document, with <c>source_id</c> added.</summary>
    /// <exception cref="ArgumentException">Unknown observation name, or not a labels document.</exception>
    public static string? JsonEvidence(string labelsJson, string observation, string sourceId)
    {
        string name = Parse(observation).ColumnName();
        using var doc = ParseDocument(labelsJson);
        if (!doc.RootElement.TryGetProperty("evidence", out var evidence) || evidence.ValueKind != JsonValueKind.Array)
            throw new ArgumentException("not a chexpert_labels_json document: no \"evidence\" array", nameof(labelsJson));
        foreach (var entry in evidence.EnumerateArray())
        {
            if (!entry.TryGetProperty("observation", out var o) || !o.ValueEquals(name)) continue;
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var w = new Utf8JsonWriter(buffer, WriterOptions))
            {
                w.WriteStartObject();
                w.WriteString("observation", name);
                w.WriteString("source_id", sourceId);
                foreach (var p in entry.EnumerateObject())
                    if (!p.NameEquals("observation")) p.WriteTo(w);
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        return null;
    }

    /// <summary>snake_case name of a cue kind, as written in the evidence JSON (e.g. <c>negation_before</c>).</summary>
    public static string CueKindName(CueKind kind) => kind switch
    {
        CueKind.Affirmed => "affirmed",
        CueKind.NegationBefore => "negation_before",
        CueKind.NegationAfter => "negation_after",
        CueKind.UncertainNotExcluded => "uncertain_not_excluded",
        CueKind.UncertainBefore => "uncertain_before",
        CueKind.UncertainAfter => "uncertain_after",
        CueKind.Historical => "historical",
        CueKind.Hypothetical => "hypothetical",
        CueKind.QualifierNormal => "qualifier_normal",
        CueKind.QualifierBorderline => "qualifier_borderline",
        CueKind.QualifierAbnormal => "qualifier_abnormal",
        CueKind.Derived => "derived",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static ChexpertObservation Parse(string observation) =>
        ChexpertObservations.TryParse(observation, out var o)
            ? o
            : throw new ArgumentException("unknown CheXpert observation; use a snake_case column name such as pleural_effusion", nameof(observation));

    private static JsonDocument ParseDocument(string json)
    {
        try { return JsonDocument.Parse(json); }
        catch (JsonException) { throw new ArgumentException("not a chexpert_labels_json document: invalid JSON", nameof(json)); }
    }
}
