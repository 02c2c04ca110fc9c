using System.Security.Cryptography;
using System.Text;
using Lakehouse.Engine;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Udfs.Normalization;

namespace Lakehouse.Jobs.Silver;

/// <summary>
/// <c>load-ref</c>: writes the normalization mapping files (the embedded <c>pipelines/ref/*.csv</c>, or the files of the
/// folder given by the <c>ref_dir</c> parameter) into one <c>ref.&lt;file&gt;</c> Delta table each: the CSV columns as
/// strings plus <c>ref_version</c> (the file's <c># version:</c>). A file whose content did not change commits nothing.
/// </summary>
public sealed class LoadRefJob : ILakeJob
{
    /// <summary>The job name.</summary>
    public const string JobName = "load-ref";

    /// <summary>The parameter naming a folder of user mapping files.</summary>
    public const string RefDirParameter = "ref_dir";

    /// <inheritdoc />
    public string Name => JobName;

    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Inputs => [];

    /// <inheritdoc />
    public IReadOnlyList<LakeTableName> Outputs => NormalizationReference.FileNames.Select(SilverTables.Ref).ToList();

    /// <inheritdoc />
    public JobResult Run(JobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string dir = context.Parameter(RefDirParameter, "");
        var texts = dir.Length == 0 ? NormalizationReference.DefaultCsvTexts() : ReadFolder(dir);
        try
        {
            NormalizationReference.Load(texts); // validates every file before anything is written
        }
        catch (ReferenceDataException ex)
        {
            throw new UserInputException($"load-ref: {ex.Message}");
        }
        var committed = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string name in NormalizationReference.FileNames)
        {
            var parsed = ReferenceTable.Parse(name, texts[name]);
            string sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(texts[name].ReplaceLineEndings("\n"))));
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["file"] = name + ".csv", ["ref_version"] = parsed.Version, ["content_sha256"] = sha,
            };
            var tableName = SilverTables.Ref(name);
            if (SilverTables.UpToDate(context.Lake, tableName, JobName, new Dictionary<string, long>(), parameters)) continue;
            var schema = new StructType([.. parsed.Columns.Select(c => new StructField(c, DeltaType.String)), new StructField("ref_version", DeltaType.String, Nullable: false)]);
            var columns = schema.Fields.Select(_ => (System.Collections.IList)new List<string?>()).ToArray();
            foreach (var row in parsed.Rows)
            {
                for (int i = 0; i < parsed.Columns.Count; i++) columns[i].Add(row[i]);
                columns[^1].Add(parsed.Version);
            }
            var lineage = new CommitLineage(JobName) { Parameters = parameters };
            var table = context.Lake.OpenOrCreate(tableName, schema, lineage);
            var tx = table.NewTransaction(DeltaOperation.Overwrite, lineage, mergeSchema: !table.Snapshot().Schema.Equals(schema));
            tx.Write(new ColumnBatch(schema, columns));
            committed[tableName.ToString()] = tx.Commit();
        }
        string summary = $"load-ref: {committed.Count} of {NormalizationReference.FileNames.Count} ref tables changed";
        context.Log.WriteLine(summary);
        return new JobResult(committed, summary);
    }

    /// <summary>
    /// The mappings as the <c>ref.*</c> tables hold them now: CSV text per file rebuilt from the rows, loaded with
    /// <see cref="NormalizationReference.Load"/>. Null when a ref table is missing.
    /// </summary>
    public static NormalizationReference? ReadFromLake(LakeStore lake)
    {
        ArgumentNullException.ThrowIfNull(lake);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in NormalizationReference.FileNames)
        {
            if (lake.TryOpen(SilverTables.Ref(name)) is not { } table) return null;
            var snapshot = table.Snapshot();
            var columns = snapshot.Schema.Fields.Select(f => f.Name).Where(n => n != "ref_version").ToList();
            var rows = snapshot.ReadRows();
            var sb = new StringBuilder();
            string version = rows.Count > 0 ? (string)rows[0]["ref_version"]! : "unknown";
            sb.Append("# version: ").Append(version).Append('\n');
            sb.AppendJoin(',', columns.Select(Quote)).Append('\n');
            foreach (var row in rows) sb.AppendJoin(',', columns.Select(c => Quote(row[c] as string ?? ""))).Append('\n');
            texts[name] = sb.ToString();
        }
        try
        {
            return NormalizationReference.Load(texts);
        }
        catch (ReferenceDataException ex)
        {
            throw new UserInputException($"normalize: the ref tables do not load: {ex.Message}");
        }
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r#") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static Dictionary<string, string> ReadFolder(string dir)
    {
        if (!Directory.Exists(dir)) throw new UserInputException($"load-ref: the folder given by {RefDirParameter} does not exist");
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in NormalizationReference.FileNames)
        {
            string path = Path.Combine(dir, name + ".csv");
            if (!File.Exists(path)) throw new UserInputException($"load-ref: {name}.csv is missing from the folder given by {RefDirParameter}");
            texts[name] = File.ReadAllText(path);
        }
        return texts;
    }
}
