using Lakehouse.Tables.Actions;
using Lakehouse.Tables.Scan;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Parquet;
using Parquet.Serialization;

namespace Lakehouse.Tables.Parquet;

/// <summary>Writes a batch as Parquet data files, one per partition, and returns their add actions (with stats).</summary>
internal static class DataFileWriter
{
    /// <summary>Rows per row group: big enough for good compression, small enough to keep memory bounded.</summary>
    public const int RowGroupRows = 128 * 1024;

    public static List<AddFile> Write(string table, StructType tableSchema, IReadOnlyList<string> partitionColumns, ColumnBatch batch, CompressionMethod compression,
        StatsColumnSelection statsColumns)
    {
        var dataFields = tableSchema.Fields.Where(f => !partitionColumns.Contains(f.Name)).ToList();
        var pqSchema = ParquetSchemaMapper.ToParquet(dataFields);
        var pqFields = pqSchema.Fields;
        var groups = new Dictionary<string, (Dictionary<string, string?> Values, List<int> Rows)>(StringComparer.Ordinal);
        if (partitionColumns.Count == 0)
            groups[""] = (new Dictionary<string, string?>(StringComparer.Ordinal), Enumerable.Range(0, batch.RowCount).ToList());
        else
            for (int r = 0; r < batch.RowCount; r++)
            {
                var values = new Dictionary<string, string?>(StringComparer.Ordinal);
                foreach (string pc in partitionColumns)
                {
                    values[pc] = PartitionValues.Serialize(batch.Column(pc)?[r], tableSchema.Find(pc)!.Type);
                }
                string key = string.Join("\u0001", partitionColumns.Select(pc => values[pc] is { } v ? "v" + v : "n"));
                if (!groups.TryGetValue(key, out var g)) groups[key] = g = (values, []);
                g.Rows.Add(r);
            }

        var adds = new List<AddFile>();
        foreach (var (values, rowIndexes) in groups.Values)
        {
            string dir = string.Join("/", partitionColumns.Select(pc => pc + "=" + PartitionValues.EscapeDirectoryValue(values[pc])));
            string name = NewFileName(compression);
            string relative = dir.Length == 0 ? name : dir + "/" + name;
            string absolute = Path.Combine(table, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(absolute)!);
            var stats = new StatsCollector(dataFields, statsColumns);
            stats.Add(batch, rowIndexes);
            using (var stream = new FileStream(absolute, FileMode.CreateNew, FileAccess.Write))
            {
                if (ColumnarWriter.Supports(dataFields))
                {
                    var columns = dataFields.Select(f => batch.Column(f.Name)).ToList();
                    ColumnarWriter.WriteAsync(stream, pqSchema, dataFields, columns, rowIndexes, RowGroupRows, compression).GetAwaiter().GetResult();
                }
                else
                {
                    var pqRows = new List<IDictionary<string, object?>>(rowIndexes.Count);
                    foreach (int r in rowIndexes)
                    {
                        var row = batch.Row(r);
                        var pq = new Dictionary<string, object?>(pqFields.Count, StringComparer.Ordinal);
                        foreach (var f in pqFields) pq[f.Name] = ParquetSchemaMapper.ToParquetValue(row.GetValueOrDefault(f.Name), f);
                        pqRows.Add(pq);
                    }
                    var options = ColumnarWriter.Options(compression);
                    options.RowGroupSize = RowGroupRows;
                    ParquetSerializer.SerializeUntypedAsync(pqRows, pqSchema, stream, options).GetAwaiter().GetResult();
                }
                stream.Flush(flushToDisk: true);
            }
            adds.Add(Added(relative, absolute, values, stats.ToJson()));
        }
        return adds;
    }

    /// <summary>
    /// An add action for a Parquet file already written under the table directory (e.g. by DuckDB's COPY ... TO):
    /// size from the file system, stats from its contents. Its columns must belong to the table's data columns.
    /// </summary>
    public static AddFile Describe(string table, StructType tableSchema, IReadOnlyList<string> partitionColumns, string absolutePath,
        IReadOnlyDictionary<string, object?>? partitionValues, StatsColumnSelection statsColumns)
    {
        string full = Path.GetFullPath(absolutePath);
        string root = Path.GetFullPath(table).TrimEnd('/') + "/";
        if (!full.StartsWith(root, StringComparison.Ordinal))
            throw new DeltaException(DeltaErrorKind.InvalidArgument, table, "an added file is not under the table directory", "Write the file below the table root first.");
        if (!File.Exists(full))
            throw new DeltaException(DeltaErrorKind.InvalidArgument, table, $"an added file does not exist ({Path.GetFileName(full)})");
        var dataFields = tableSchema.Fields.Where(f => !partitionColumns.Contains(f.Name)).ToList();
        List<Dictionary<string, object?>> rows;
        global::Parquet.Schema.ParquetSchema fileSchema;
        try { (fileSchema, rows) = ParquetValues.ReadAllAsync(full).GetAwaiter().GetResult(); }
        catch (Exception e)
        {
            throw new DeltaException(DeltaErrorKind.Corrupt, table, $"an added file is not readable Parquet ({Path.GetFileName(full)}, {e.GetType().Name})", inner: e);
        }
        foreach (var f in fileSchema.Fields)
        {
            if (partitionColumns.Contains(f.Name))
                throw new DeltaException(DeltaErrorKind.SchemaMismatch, table, $"an added file stores partition column '{f.Name}'", "Drop partition columns from the file; they live in the path and the log.");
            if (tableSchema.Find(f.Name) is null)
                throw new DeltaException(DeltaErrorKind.SchemaMismatch, table, $"an added file has column '{f.Name}' that is not in the table schema", "Add the column with mergeSchema first, or drop it from the file.");
        }
        var stats = new StatsCollector(dataFields, statsColumns);
        foreach (var row in rows) stats.Add(row);
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (string pc in partitionColumns)
            values[pc] = PartitionValues.Serialize(partitionValues?.GetValueOrDefault(pc), tableSchema.Find(pc)!.Type);
        return Added(full[root.Length..], full, values, stats.ToJson());
    }

    /// <summary>A new data file name: part-00000-{uuid}-c000.{codec}.parquet, as Spark names them.</summary>
    public static string NewFileName(CompressionMethod compression) =>
        $"part-00000-{Guid.NewGuid()}-c000.{(compression == CompressionMethod.Zstd ? "zstd" : "snappy")}.parquet";

    /// <summary>The add action of a data file written at <paramref name="absolute"/>: size and time from the file system.</summary>
    public static AddFile Added(string relative, string absolute, IReadOnlyDictionary<string, string?> partitionValues, string statsJson)
    {
        var info = new FileInfo(absolute);
        return new AddFile(PartitionValues.ToLogPath(relative), partitionValues, info.Length,
            new DateTimeOffset(info.LastWriteTimeUtc).ToUnixTimeMilliseconds(), DataChange: true, statsJson);
    }
}
