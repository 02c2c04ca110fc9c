using System.Globalization;

namespace Lakehouse.Engine;

/// <summary>How a job's output replaces or extends its table.</summary>
public enum JobWriteMode
{
    /// <summary>Add the rows to the table.</summary>
    Append,
    /// <summary>Replace the table's rows.</summary>
    Overwrite,
}

/// <summary>A job written as SQL: it reads lake tables, calls UDFs by name, and its result becomes a table version.</summary>
/// <param name="Name">The job name (in lineage and messages).</param>
/// <param name="Inputs">The lake tables it reads (mounted before the SQL runs, so a missing input fails fast).</param>
/// <param name="Output">The table it writes.</param>
/// <param name="SqlText">One SELECT (or WITH ... SELECT) statement.</param>
/// <param name="Mode">Append or overwrite.</param>
public sealed record SqlJob(string Name, IReadOnlyList<LakeTableName> Inputs, LakeTableName Output, string SqlText, JobWriteMode Mode)
{
    /// <summary>Columns to partition the output by (hive-style folders, values not stored in the files, as Delta does).</summary>
    public IReadOnlyList<string> PartitionBy { get; init; } = [];
}

/// <summary>A Parquet file a job wrote into its staging folder.</summary>
/// <param name="Path">Absolute path.</param>
/// <param name="RelativePath">Path relative to the staging folder, with '/' separators, as on disk (DuckDB percent-encodes partition values in folder names).</param>
/// <param name="SizeBytes">File size.</param>
/// <param name="RowCount">Rows in the file.</param>
/// <param name="PartitionValues">The partition values decoded from its folder names (null for NULL, which DuckDB writes as __HIVE_DEFAULT_PARTITION__).</param>
public sealed record StagedFile(string Path, string RelativePath, long SizeBytes, long RowCount, IReadOnlyDictionary<string, string?> PartitionValues);

/// <summary>What a SQL job produced, for the Delta commit: files, schema and the input versions (lineage).</summary>
/// <param name="Job">The job.</param>
/// <param name="Files">The staged Parquet files.</param>
/// <param name="Columns">The output schema in order (partition columns included), after the Spark-compatible casts.</param>
/// <param name="Inputs">Every lake table version the SQL read.</param>
/// <param name="RowCount">Total rows written.</param>
public sealed record SqlJobResult(SqlJob Job, IReadOnlyList<StagedFile> Files, IReadOnlyList<LakeColumn> Columns, IReadOnlyList<InputVersion> Inputs, long RowCount);

public sealed partial class LakeEngine
{
    /// <summary>
    /// Runs a SQL job and writes its result as ZSTD Parquet into <paramref name="stagingDirectory"/> (created; must be empty),
    /// with Spark-compatible types (timestamps as INT64 microseconds, no unsigned or 128-bit integers). Commits nothing.
    /// </summary>
    /// <exception cref="LakeSqlException">A missing input, bad SQL, a UDF failure, or a non-empty staging folder.</exception>
    public SqlJobResult RunJob(SqlJob job, string stagingDirectory)
    {
        string staging = System.IO.Path.GetFullPath(stagingDirectory);
        if (Directory.Exists(staging) && Directory.EnumerateFileSystemEntries(staging).Any())
            throw new LakeSqlException($"job {job.Name}: the staging folder is not empty");
        Directory.CreateDirectory(staging);
        foreach (var input in job.Inputs)
        {
            if (input.Schema.Length > 0 && source is not null && !Listed().Contains(input) && !mounted.ContainsKey(input))
                throw new LakeSqlException($"job {job.Name}: input table {input} not found");
            if (!mounted.ContainsKey(input)) Mount(input);
        }
        PreparedSql prepared = Prepare(job.SqlText);
        string select = SparkCompatibleSelect(TimeTravelRewriter.WithoutTrailingSemicolon(prepared.Sql), out var columns);
        foreach (var p in job.PartitionBy)
            if (!columns.Any(c => c.Name == p)) throw new LakeSqlException($"job {job.Name}: partition column {p} is not in the result");
        string copyOptions = job.PartitionBy.Count == 0
            ? "FORMAT PARQUET, COMPRESSION ZSTD"
            : $"FORMAT PARQUET, COMPRESSION ZSTD, PARTITION_BY ({string.Join(", ", job.PartitionBy.Select(Sql.Identifier))}), FILENAME_PATTERN 'part-{{uuid}}'";
        string target = job.PartitionBy.Count == 0
            ? System.IO.Path.Combine(staging, $"part-00000-{Guid.NewGuid():D}-c000.zstd.parquet")
            : staging;
        Run($"COPY ({select}) TO {Sql.String(target)} ({copyOptions})");

        var paths = Directory.EnumerateFiles(staging, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        if (paths.Count > 0)
        {
            using var command = Connection.CreateCommand();
            command.CommandText = $"SELECT file_name, num_rows FROM parquet_file_metadata({FileList(paths)})";
            using var reader = command.ExecuteReader();
            while (reader.Read()) rows[reader.GetString(0)] = Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
        }
        var files = paths.Select(p =>
        {
            string relative = System.IO.Path.GetRelativePath(staging, p).Replace('\\', '/');
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (string segment in relative.Split('/')[..^1])
            {
                int eq = segment.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) continue;
                string value = Uri.UnescapeDataString(segment[(eq + 1)..]);
                values[Uri.UnescapeDataString(segment[..eq])] = value == "__HIVE_DEFAULT_PARTITION__" ? null : value;
            }
            return new StagedFile(p, relative, new FileInfo(p).Length, rows.GetValueOrDefault(p), values);
        }).ToList();
        return new SqlJobResult(job, files, columns, prepared.Inputs, files.Sum(f => f.RowCount));
    }
}
