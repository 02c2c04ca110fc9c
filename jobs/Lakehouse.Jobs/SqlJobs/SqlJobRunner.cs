using System.Globalization;
using Lakehouse.Engine;
using Lakehouse.Tables;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;

namespace Lakehouse.Jobs.SqlJobs;

/// <summary>What a committed SQL job produced: the table version, its rows, and the input versions it read.</summary>
public sealed record SqlJobCommit(LakeTableName Output, long Version, long RowCount, IReadOnlyList<InputVersion> Inputs);

/// <summary>
/// Runs a <see cref="SqlJob"/> on the local engine and commits its result as one Delta version of the output table:
/// the engine writes Parquet into a staging folder outside every table, the files are moved into the table folder and
/// added in one commit whose lineage names the job, its parameters, the input table versions and the code version.
/// A run that dies before the commit leaves only unreferenced files, which vacuum removes.
/// </summary>
public sealed class SqlJobRunner(LakeStore lake, LakeEngine engine)
{
    /// <summary>Runs and commits the job.</summary>
    public SqlJobCommit Run(SqlJob job, IReadOnlyDictionary<string, string>? parameters = null)
    {
        string staging = Path.Combine(lake.Root, ".staging", Guid.NewGuid().ToString("N"));
        try
        {
            var result = engine.RunJob(job, staging);
            var schema = new StructType(result.Columns.Select(c => new StructField(c.Name, DeltaTypeOf(c.DuckDbType))).ToList());
            var lineage = new CommitLineage(job.Name)
            {
                Parameters = parameters,
                InputVersions = result.Inputs.ToDictionary(i => i.Table.ToString(), i => i.Version, StringComparer.Ordinal),
            };
            var table = lake.OpenOrCreate(job.Output, schema, lineage, job.PartitionBy);
            var current = table.Snapshot();
            if (!current.Schema.Equals(schema) && !(current.Version == 0 && current.ActiveFiles.Count == 0 && job.Mode == JobWriteMode.Overwrite))
                EnsureCompatible(job, current.Schema, schema);
            var tx = table.NewTransaction(job.Mode == JobWriteMode.Overwrite ? DeltaOperation.Overwrite : DeltaOperation.Append, lineage);
            foreach (var file in result.Files)
            {
                string target = Path.Combine(table.Path, file.RelativePath.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Move(file.Path, target);
                tx.AddFile(target, Typed(file.PartitionValues, schema));
            }
            long version = tx.Commit();
            return new SqlJobCommit(job.Output, version, result.RowCount, result.Inputs);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    private static void EnsureCompatible(SqlJob job, StructType table, StructType output)
    {
        var missing = table.Fields.Where(f => output.Find(f.Name) is null).Select(f => f.Name).ToList();
        var changed = output.Fields.Where(f => table.Find(f.Name) is { } t && t.Type != f.Type).Select(f => f.Name).ToList();
        var added = output.Fields.Where(f => table.Find(f.Name) is null).Select(f => f.Name).ToList();
        if (missing.Count > 0 || changed.Count > 0 || added.Count > 0)
            throw new UserInputException($"job {job.Name}: its result no longer matches the schema of {job.Output}" +
                (missing.Count > 0 ? $"; missing columns: {string.Join(", ", missing)}" : "") +
                (changed.Count > 0 ? $"; changed types: {string.Join(", ", changed)}" : "") +
                (added.Count > 0 ? $"; new columns: {string.Join(", ", added)}" : "") +
                ". Help: write to a new table name, or drop the old table folder if its history is not needed.");
    }

    /// <summary>The Delta type of an engine column type (as <see cref="LakeEngine.RunJob"/> reports it).</summary>
    public static DeltaType DeltaTypeOf(string duckDbType)
    {
        string t = duckDbType.Trim();
        if (t.EndsWith("[]", StringComparison.Ordinal)) return new ArrayType(DeltaTypeOf(t[..^2]));
        string name = DeltaTypes.FromDuckDb(t);
        if (name.StartsWith("decimal", StringComparison.Ordinal))
        {
            var parts = name["decimal(".Length..^1].Split(',');
            return new DecimalType(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        return new PrimitiveType(name);
    }

    private static Dictionary<string, object?> Typed(IReadOnlyDictionary<string, string?> values, StructType schema)
    {
        var typed = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (column, text) in values)
        {
            var type = schema.Find(column)?.Type;
            typed[column] = text is null ? null : type switch
            {
                PrimitiveType { Name: "long" } => long.Parse(text, CultureInfo.InvariantCulture),
                PrimitiveType { Name: "integer" } => int.Parse(text, CultureInfo.InvariantCulture),
                PrimitiveType { Name: "short" } => short.Parse(text, CultureInfo.InvariantCulture),
                PrimitiveType { Name: "boolean" } => bool.Parse(text),
                PrimitiveType { Name: "double" } => double.Parse(text, CultureInfo.InvariantCulture),
                PrimitiveType { Name: "date" } => DateOnly.Parse(text, CultureInfo.InvariantCulture),
                _ => text,
            };
        }
        return typed;
    }
}
