using Lakehouse.Engine;
using Lakehouse.Tables.Schema;

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
}
