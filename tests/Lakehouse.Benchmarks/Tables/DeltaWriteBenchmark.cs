using System.Collections;
using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Lakehouse.Tables;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;

namespace Lakehouse.Benchmarks.Tables;

/// <summary>
/// Writes the same rows as one Delta commit with our Parquet writer (stats included) and with DuckDB's COPY ... TO parquet
/// (zstd), then reads them back both ways; prints times, sizes and our/DuckDB ratios.
/// </summary>
public sealed class DeltaWriteBenchmark : IBenchmarkCommand
{
    public string Name => "delta-write";
    public string Description => "Delta append of N rows (our Parquet writer + stats + commit) vs DuckDB COPY TO parquet; arg: rows (default 200000)";

    public int Run(string[] args)
    {
        int rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
        using var tmp = new TempDirectory("delta-bench");
        var schema = new StructType(new StructField("id", DeltaType.Long), new StructField("modality", DeltaType.String),
            new StructField("series", DeltaType.Integer), new StructField("acquired", DeltaType.Timestamp), new StructField("score", DeltaType.Double));
        string[] modalities = ["CT", "MR", "CR", "US", "DX"];
        var epoch = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        IList[] columns =
        [
            Enumerable.Range(0, rows).Select(i => (long)i).ToList(),
            Enumerable.Range(0, rows).Select(i => modalities[i % 5]).ToList(),
            Enumerable.Range(0, rows).Select(i => i % 97).ToList(),
            Enumerable.Range(0, rows).Select(i => epoch.AddSeconds(i)).ToList(),
            Enumerable.Range(0, rows).Select(i => i * 0.25).ToList(),
        ];
        var batch = new ColumnBatch(schema, columns);

        var sw = Stopwatch.StartNew();
        var table = DeltaTable.Create(tmp.Combine("ours"), schema);
        var txn = table.NewTransaction(DeltaOperation.Append);
        txn.Write(batch);
        txn.Commit();
        double oursWrite = sw.Elapsed.TotalMilliseconds;
        long oursBytes = table.Snapshot().ActiveFiles.Sum(f => f.Size);
        sw.Restart();
        int readBack = table.Snapshot().ReadRows().Count;
        double oursRead = sw.Elapsed.TotalMilliseconds;

        using var conn = new DuckDBConnection("Data Source=:memory:");
        conn.Open();
        using var cmd = conn.CreateCommand();
        string duckFile = tmp.Combine("duck.parquet");
        sw.Restart();
        cmd.CommandText = $"COPY (SELECT i::BIGINT AS id, ['CT','MR','CR','US','DX'][(i % 5) + 1] AS modality, (i % 97)::INT AS series, " +
            $"TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS acquired, i * 0.25 AS score FROM range({rows}) t(i)) TO '{duckFile}' (FORMAT parquet, COMPRESSION zstd)";
        cmd.ExecuteNonQuery();
        double duckWrite = sw.Elapsed.TotalMilliseconds;
        long duckBytes = new FileInfo(duckFile).Length;
        sw.Restart();
        cmd.CommandText = $"SELECT count(*) FROM (SELECT * FROM read_parquet('{duckFile}'))";
        long duckRows = (long)cmd.ExecuteScalar()!;
        double duckRead = sw.Elapsed.TotalMilliseconds;

        Console.WriteLine($"rows: {rows} (read back: ours {readBack}, duckdb {duckRows})");
        Console.WriteLine($"write: ours {oursWrite:F0} ms, duckdb {duckWrite:F0} ms, ratio {oursWrite / duckWrite:F1}x");
        Console.WriteLine($"size:  ours {oursBytes} B, duckdb {duckBytes} B, ratio {(double)oursBytes / duckBytes:F2}x");
        Console.WriteLine($"read:  ours ReadRows {oursRead:F0} ms, duckdb scan {duckRead:F0} ms, ratio {oursRead / duckRead:F1}x");
        return readBack == rows && duckRows == rows ? 0 : 1;
    }
}
