using Lakehouse.Engine;
using Lakehouse.Tables.Schema;
using Lakehouse.Udfs.Splitting;

namespace Lakehouse.Jobs.Gold.Splits;

/// <summary>The tables the split job reads and writes, and the text form of a split in <c>gold.splits</c>.</summary>
public static class SplitTables
{
    /// <summary><c>silver.instances</c>: one row per de-identified SOP instance.</summary>
    public static readonly LakeTableName SilverInstances = new("silver", "instances");

    /// <summary><c>gold.study_labels</c>: one row per labeled study (optional input).</summary>
    public static readonly LakeTableName StudyLabels = new("gold", "study_labels");

    /// <summary><c>gold.splits</c>: one row per patient pseudonym and split version.</summary>
    public static readonly LakeTableName Splits = new("gold", "splits");

    /// <summary>Schema of <c>gold.splits</c>: patient_id, person_id, split, split_version STRING; assigned_at TIMESTAMP.</summary>
    public static readonly StructType SplitsSchema = new(
        new StructField("patient_id", DeltaType.String, Nullable: false),
        new StructField("person_id", DeltaType.String),
        new StructField("split", DeltaType.String, Nullable: false),
        new StructField("split_version", DeltaType.String, Nullable: false),
        new StructField("assigned_at", DeltaType.Timestamp, Nullable: false));

    /// <summary>The stored name of a split: train, validation or test.</summary>
    public static string Name(DatasetSplit split) => split switch
    {
        DatasetSplit.Train => "train",
        DatasetSplit.Validation => "validation",
        DatasetSplit.Test => "test",
        _ => throw new ArgumentOutOfRangeException(nameof(split)),
    };

    /// <summary>Parses a stored split name; null for anything else.</summary>
    public static DatasetSplit? Parse(string? name) => name switch
    {
        "train" => DatasetSplit.Train,
        "validation" => DatasetSplit.Validation,
        "test" => DatasetSplit.Test,
        _ => null,
    };

    /// <summary>
    /// The leakage-group identifier that ties all patient pseudonyms of one person together. <see cref="LeakageGroups"/>
    /// knows patients and UIDs only, so the person is added as a pseudo study UID; the prefix keeps it apart from every
    /// real UID (those are digits and dots).
    /// </summary>
    internal static string PersonNode(string personId) => "person:" + personId;
}
