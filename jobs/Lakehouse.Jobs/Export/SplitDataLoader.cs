using DuckDB.NET.Data;
using Lakehouse.Engine;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lakehouse.Jobs.Export;

/// <summary>
/// One row of an exported split file, typed for ML.NET: strings as read (empty for null), the age and the 14 labels as
/// <see cref="float"/> with <see cref="float.NaN"/> for null (ML.NET's missing value). Column names are the file's.
/// </summary>
public class ExportedInstance
{
    /// <summary>Person pseudonym.</summary>
    [ColumnName("person_id")] public string PersonId { get; set; } = "";
    /// <summary>Patient pseudonym.</summary>
    [ColumnName("patient_id")] public string PatientId { get; set; } = "";
    /// <summary>Study UID (remapped).</summary>
    [ColumnName("study_instance_uid")] public string StudyInstanceUid { get; set; } = "";
    /// <summary>Series UID (remapped).</summary>
    [ColumnName("series_instance_uid")] public string SeriesInstanceUid { get; set; } = "";
    /// <summary>SOP instance UID (remapped).</summary>
    [ColumnName("sop_instance_uid")] public string SopInstanceUid { get; set; } = "";
    /// <summary>Site id.</summary>
    [ColumnName("site")] public string Site { get; set; } = "";
    /// <summary>Modality.</summary>
    [ColumnName("modality")] public string Modality { get; set; } = "";
    /// <summary>Body part term.</summary>
    [ColumnName("body_part")] public string BodyPart { get; set; } = "";
    /// <summary>Canonical vendor.</summary>
    [ColumnName("vendor")] public string Vendor { get; set; } = "";
    /// <summary>Normalized model.</summary>
    [ColumnName("model")] public string Model { get; set; } = "";
    /// <summary>Canonical procedure.</summary>
    [ColumnName("study_type")] public string StudyType { get; set; } = "";
    /// <summary>yes / no / unknown.</summary>
    [ColumnName("contrast")] public string Contrast { get; set; } = "";
    /// <summary>Age in years, NaN when unknown.</summary>
    [ColumnName("age_years")] public float AgeYears { get; set; }
    /// <summary>Age band (0-17, 18-39, 40-64, 65-89, 90+).</summary>
    [ColumnName("age_band")] public string AgeBand { get; set; } = "";
    /// <summary>M / F / O, empty when unknown.</summary>
    [ColumnName("sex")] public string Sex { get; set; } = "";
    /// <summary>train / validation / test.</summary>
    [ColumnName("split")] public string Split { get; set; } = "";
    /// <summary>The 14 labels in <see cref="ExportSchema.Labels"/> order (1, 0, -1, NaN).</summary>
    [ColumnName("labels"), VectorType(14)] public float[] Labels { get; set; } = new float[14];

    /// <summary>The label called <paramref name="name"/> (e.g. <c>cardiomegaly</c>).</summary>
    public float LabelOf(string name)
    {
        int i = IndexOf(name);
        return Labels[i];
    }

    internal static int IndexOf(string label)
    {
        for (int i = 0; i < ExportSchema.Labels.Count; i++)
            if (ExportSchema.Labels[i] == label) return i;
        throw new ArgumentException($"{label} is not one of the 14 study labels", nameof(label));
    }
}

/// <summary>
/// Loads an exported split file into ML.NET. Microsoft.ML 5 has no Parquet loader, so the file is read with DuckDB into
/// <see cref="ExportedInstance"/> rows and handed to <c>LoadFromEnumerable</c>; the 14 labels arrive as one vector column
/// <c>labels</c>, and <see cref="LoadForLabel"/> adds a boolean <c>Label</c> column for one observation.
/// </summary>
public static class SplitDataLoader
{
    /// <summary>Reads every row of an exported split file, in file order.</summary>
    /// <exception cref="UserInputException">Not a readable Parquet file, or a column of the export schema is missing.</exception>
    public static IReadOnlyList<ExportedInstance> ReadRows(string parquetFile) => ReadRows(parquetFile, () => new ExportedInstance());

    /// <summary>An <see cref="IDataView"/> over an exported split file (schema of <see cref="ExportedInstance"/>).</summary>
    public static IDataView Load(MLContext ml, string parquetFile) => ml.Data.LoadFromEnumerable(ReadRows(parquetFile));

    /// <summary>
    /// An <see cref="IDataView"/> of the rows where <paramref name="observation"/> is positive or negative (uncertain and
    /// not mentioned dropped), with a boolean <c>Label</c> column: true when positive.
    /// </summary>
    public static IDataView LoadForLabel(MLContext ml, string parquetFile, string observation)
    {
        int index = ExportedInstance.IndexOf(observation);
        var rows = ReadRows(parquetFile, () => new LabeledInstance())
            .Where(r => r.Labels[index] is 0f or 1f)
            .Select(r => { r.Label = r.Labels[index] == 1f; return r; })
            .ToList();
        return ml.Data.LoadFromEnumerable(rows);
    }

    private static List<T> ReadRows<T>(string parquetFile, Func<T> create) where T : ExportedInstance
    {
        string label = Path.GetFileName(parquetFile);
        if (!File.Exists(parquetFile)) throw new UserInputException($"split file {label} does not exist");
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        string source = $"read_parquet({Sql.String(Path.GetFullPath(parquetFile))})";
        var present = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var describe = connection.CreateCommand();
            describe.CommandText = $"DESCRIBE SELECT * FROM {source}";
            using var reader = describe.ExecuteReader();
            while (reader.Read()) present.Add(reader.GetString(0));
        }
        catch (DuckDBException ex)
        {
            // DuckDB's message would carry the full path; the file name is the label.
            throw new UserInputException($"split file {label}: not a readable Parquet file", ex);
        }
        var missing = ExportSchema.Columns.Select(c => c.Name).Where(n => !present.Contains(n)).ToList();
        if (missing.Count > 0) throw new UserInputException($"split file {label}: not an exported split file; missing columns: {string.Join(", ", missing)}");

        using var command = connection.CreateCommand();
        command.CommandText = "SELECT " + string.Join(", ", ExportSchema.Columns.Select(c => $"CAST({Sql.Identifier(c.Name)} AS {c.DuckDbType})")) + " FROM " + source;
        var rows = new List<T>();
        try
        {
            using var reader = command.ExecuteReader();
            var ordinal = ExportSchema.Columns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
            string Text(string name) => reader.IsDBNull(ordinal[name]) ? "" : reader.GetString(ordinal[name]);
            int firstLabel = ordinal[ExportSchema.Labels[0]];
            while (reader.Read())
            {
                var row = create();
                row.PersonId = Text("person_id");
                row.PatientId = Text("patient_id");
                row.StudyInstanceUid = Text("study_instance_uid");
                row.SeriesInstanceUid = Text("series_instance_uid");
                row.SopInstanceUid = Text("sop_instance_uid");
                row.Site = Text("site");
                row.Modality = Text("modality");
                row.BodyPart = Text("body_part");
                row.Vendor = Text("vendor");
                row.Model = Text("model");
                row.StudyType = Text("study_type");
                row.Contrast = Text("contrast");
                row.AgeYears = reader.IsDBNull(ordinal["age_years"]) ? float.NaN : (float)reader.GetDouble(ordinal["age_years"]);
                row.AgeBand = Text("age_band");
                row.Sex = Text("sex");
                row.Split = Text("split");
                for (int i = 0; i < ExportSchema.Labels.Count; i++)
                    row.Labels[i] = reader.IsDBNull(firstLabel + i) ? float.NaN : reader.GetInt32(firstLabel + i);
                rows.Add(row);
            }
        }
        catch (DuckDBException ex)
        {
            throw new UserInputException($"split file {label}: a column does not have the export schema's type", ex);
        }
        return rows;
    }
}

/// <summary>An <see cref="ExportedInstance"/> with the boolean <c>Label</c> of one observation (see <see cref="SplitDataLoader.LoadForLabel"/>).</summary>
public sealed class LabeledInstance : ExportedInstance
{
    /// <summary>True when the observation is positive.</summary>
    public bool Label { get; set; }
}
