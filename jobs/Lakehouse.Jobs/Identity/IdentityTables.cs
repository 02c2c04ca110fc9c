using System.Text.Json;
using System.Text.Json.Nodes;
using Lakehouse.Engine;
using Lakehouse.Tables.Schema;
using Lakehouse.Udfs.Identity;

namespace Lakehouse.Jobs.Identity;

/// <summary>
/// The restricted-zone tables of patient identity. They hold PHI (patient ids, issuers) and the map from patients to
/// persons; <see cref="Export.ExportGuard"/> keeps every one of them out of releases.
/// </summary>
public static class IdentityTables
{
    /// <summary>One row per link edge between two patient keys, with the rule that made it.</summary>
    public static readonly LakeTableName PatientLinks = new("restricted", "patient_links");

    /// <summary>One row per patient key: its person.</summary>
    public static readonly LakeTableName PatientPersons = new("restricted", "patient_persons");

    /// <summary>Demographic disagreements and ambiguous references found while linking: reported, never guessed.</summary>
    public static readonly LakeTableName IdentityConflicts = new("restricted", "identity_conflicts");

    /// <summary>Original identifiers → pseudonyms, per de-identification run (written by de-identification).</summary>
    public static readonly LakeTableName Crosswalk = new("restricted", "crosswalk");

    /// <summary>Schema of restricted.patient_links. left_patient_key &lt; right_patient_key (ordinal); keys are <c>namespace\patient_id</c>.</summary>
    public static readonly StructType PatientLinksSchema = new(
    [
        new("left_patient_key", DeltaType.String, Nullable: false),
        new("right_patient_key", DeltaType.String, Nullable: false),
        new("reason", DeltaType.String, Nullable: false),
        new("evidence", DeltaType.String, Nullable: false),
        new("link_run_id", DeltaType.String, Nullable: false),
    ]);

    /// <summary>Schema of restricted.patient_persons.</summary>
    public static readonly StructType PatientPersonsSchema = new(
    [
        new("patient_key", DeltaType.String, Nullable: false),
        new("person_id", DeltaType.String, Nullable: false),
        new("issuer_of_patient_id", DeltaType.String),
        new("site", DeltaType.String, Nullable: false),
        new("patient_id", DeltaType.String, Nullable: false),
        new("instances", DeltaType.Long, Nullable: false),
        new("person_keys", DeltaType.Integer, Nullable: false),
        new("link_run_id", DeltaType.String, Nullable: false),
    ]);

    /// <summary>Schema of restricted.identity_conflicts: patient_key for key-level kinds, person_id for person-level kinds.</summary>
    public static readonly StructType IdentityConflictsSchema = new(
    [
        new("kind", DeltaType.String, Nullable: false),
        new("patient_key", DeltaType.String),
        new("person_id", DeltaType.String),
        new("blocks_name_link", DeltaType.Boolean, Nullable: false),
        new("detail", DeltaType.String, Nullable: false),
        new("link_run_id", DeltaType.String, Nullable: false),
    ]);

    /// <summary>The lineage parameter of the identity tables holding <see cref="IdentityOptions.SiteByIssuer"/> as a JSON object.</summary>
    public const string SiteByIssuerParameter = "site_by_issuer";

    /// <summary>The lineage parameter of the identity tables holding <see cref="IdentityOptions.SiteByInstitution"/> as a JSON object.</summary>
    public const string SiteByInstitutionParameter = "site_by_institution";

    /// <summary>
    /// The site maps of <paramref name="options"/> as lineage parameters (empty maps are left out). They decide the patient
    /// keys without an issuer, so a job joining to <see cref="PatientPersons"/> must build keys with the same maps
    /// (<see cref="KeyOptions"/>). Site maps name issuers and institutions, never patients; the identity tables are restricted anyway.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> SiteMapParameters(IdentityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SiteByIssuer.Count > 0) yield return new(SiteByIssuerParameter, MapJson(options.SiteByIssuer));
        if (options.SiteByInstitution.Count > 0) yield return new(SiteByInstitutionParameter, MapJson(options.SiteByInstitution));
    }

    /// <summary>
    /// The options that make patient keys as the current <see cref="PatientPersons"/> has them: its last commit's site maps
    /// (defaults when the table does not exist or was written without maps). Link rules are not restored: they do not change keys.
    /// </summary>
    /// <exception cref="UserInputException">The recorded site map is not a JSON object of strings.</exception>
    public static IdentityOptions KeyOptions(LakeStore lake)
    {
        ArgumentNullException.ThrowIfNull(lake);
        if (lake.TryOpen(PatientPersons)?.History().FirstOrDefault()?.Raw?["lakehouseLineage"]?["parameters"] is not JsonObject parameters)
            return new IdentityOptions();
        return new IdentityOptions
        {
            SiteByIssuer = ReadMap(parameters, SiteByIssuerParameter),
            SiteByInstitution = ReadMap(parameters, SiteByInstitutionParameter),
        };
    }

    private static string MapJson(IReadOnlyDictionary<string, string> map) =>
        JsonSerializer.Serialize(new SortedDictionary<string, string>(map.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), StringComparer.Ordinal));

    private static Dictionary<string, string> ReadMap(JsonObject parameters, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parameters[name] is not JsonValue value || !value.TryGetValue(out string? json)) return map;
        try
        {
            if (JsonNode.Parse(json) is not JsonObject o) throw new JsonException();
            foreach (var (key, v) in o)
                map[key] = v is JsonValue s && s.TryGetValue(out string? site) ? site : throw new JsonException();
            return map;
        }
        catch (JsonException)
        {
            throw new UserInputException($"{PatientPersons}: the lineage parameter {name} of its last commit is not a JSON object of site names; run link-patients again");
        }
    }
}
