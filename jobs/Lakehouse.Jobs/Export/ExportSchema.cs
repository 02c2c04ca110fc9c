namespace Lakehouse.Jobs.Export;

/// <summary>A column of the exported split files.</summary>
/// <param name="Name">The column name.</param>
/// <param name="DuckDbType">Its type as written (DuckDB name; VARCHAR is a Parquet UTF8 string, INTEGER int32, DOUBLE double).</param>
/// <param name="Source">The SQL expression it is selected from (aliases: i = silver.instances, l = gold.study_labels, s = gold.splits).</param>
public sealed record ExportColumn(string Name, string DuckDbType, string Source);

/// <summary>The schema of <c>train/validation/test.parquet</c>, in file order: one place for the exporter, the manifest and the loader.</summary>
public static class ExportSchema
{
    /// <summary>De-identified keys (silver pseudonyms).</summary>
    public static readonly IReadOnlyList<string> Keys = ["person_id", "patient_id", "study_instance_uid", "series_instance_uid", "sop_instance_uid"];

    /// <summary>Normalized string attributes of the instance.</summary>
    public static readonly IReadOnlyList<string> Attributes = ["site", "modality", "body_part", "vendor", "model", "study_type", "contrast"];

    /// <summary>The 14 CheXpert study labels (1 positive, 0 negative, -1 uncertain, null not mentioned or no report).</summary>
    public static readonly IReadOnlyList<string> Labels =
    [
        "no_finding", "enlarged_cardiomediastinum", "cardiomegaly", "lung_opacity", "lung_lesion", "edema", "consolidation",
        "pneumonia", "atelectasis", "pneumothorax", "pleural_effusion", "pleural_other", "fracture", "support_devices",
    ];

    /// <summary>The split files, in manifest order.</summary>
    public static readonly IReadOnlyList<string> Splits = ["train", "validation", "test"];

    /// <summary>Every column in file order.</summary>
    public static readonly IReadOnlyList<ExportColumn> Columns =
    [
        .. Keys.Select(k => new ExportColumn(k, "VARCHAR", $"CAST(i.{k} AS VARCHAR)")),
        .. Attributes.Select(a => new ExportColumn(a, "VARCHAR", $"CAST(i.{a} AS VARCHAR)")),
        new("age_years", "DOUBLE", "CAST(i.age_years AS DOUBLE)"),
        new("age_band", "VARCHAR", "CAST(i.age_band AS VARCHAR)"),
        new("sex", "VARCHAR", "CAST(i.sex AS VARCHAR)"),
        .. Labels.Select(l => new ExportColumn(l, "INTEGER", $"CAST(l.{l} AS INTEGER)")),
        new("split", "VARCHAR", "CAST(s.split AS VARCHAR)"),
    ];
}
