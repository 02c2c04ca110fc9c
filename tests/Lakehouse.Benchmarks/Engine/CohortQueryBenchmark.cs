using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Lakehouse.Engine;
using Lakehouse.Testing;

namespace Lakehouse.Benchmarks.Engine;

/// <summary>
/// A cohort query (adult chest CTs with a label, by site and vendor) over a synthetic 1,000,000-row instance table
/// stored as site-partitioned Parquet and mounted through the lake engine's views, against the same query over
/// DuckDB native tables holding the same rows (the peer), in the same process.
/// </summary>
public sealed class CohortQueryBenchmark : IBenchmarkCommand
{
    public string Name => "cohort-query";

    public string Description => "Cohort query over 1M lake rows (Parquet views) vs DuckDB native tables";

    private const string CohortSql = """
        SELECT i.site, i.manufacturer, l.label,
               count(DISTINCT i.patient_id) AS patients, count(DISTINCT i.study_uid) AS studies, count(*) AS instances
        FROM bronze.dicom_instances i
        JOIN silver.study_labels l ON l.study_uid = i.study_uid
        WHERE i.modality = 'CT' AND i.body_part = 'CHEST' AND i.patient_age >= 18 AND l.label <> 'normal'
        GROUP BY i.site, i.manufacturer, l.label
        ORDER BY i.site, i.manufacturer, l.label
        """;

    public int Run(string[] args)
    {
        int rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        const int runs = 7;
        using var dir = new TempDirectory("lakehouse-bench-cohort");
        var sw = Stopwatch.StartNew();
        var source = Generate(dir.Path, rows);
        Console.WriteLine($"generated {rows:N0} instance rows + study labels as Parquet in {sw.Elapsed.TotalSeconds:F2} s");

        sw.Restart();
        using var engine = new LakeEngine(source);
        string lakeResult = Result(engine.ExecuteReader(CohortSql));
        double cold = sw.Elapsed.TotalSeconds;
        var lakeTimes = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            sw.Restart();
            Result(engine.ExecuteReader(CohortSql));
            lakeTimes.Add(sw.Elapsed.TotalSeconds);
        }

        using var native = new DuckDBConnection("DataSource=:memory:");
        native.Open();
        Exec(native, "CREATE SCHEMA bronze; CREATE SCHEMA silver;");
        foreach (var t in source.Tables.Values)
            Exec(native, $"CREATE TABLE {t.Name.ToSql()} AS {LakeEngineViewSql(t)}");
        string nativeResult = "";
        var nativeTimes = new List<double>();
        for (int r = 0; r <= runs; r++)
        {
            sw.Restart();
            using var cmd = native.CreateCommand();
            cmd.CommandText = CohortSql;
            nativeResult = Result(cmd.ExecuteReader());
            if (r > 0) nativeTimes.Add(sw.Elapsed.TotalSeconds);
        }
        if (nativeResult != lakeResult)
        {
            Console.Error.WriteLine("cohort-query: the lake and native results differ");
            return 1;
        }
        // Second peer: DuckDB's own hive-partitioned read_parquet over the same files (no lake views).
        using var hive = new DuckDBConnection("DataSource=:memory:");
        hive.Open();
        Exec(hive, "CREATE SCHEMA bronze; CREATE SCHEMA silver;");
        Exec(hive, $"CREATE VIEW bronze.dicom_instances AS SELECT * FROM read_parquet('{Path.Combine(dir.Path, "bronze", "dicom_instances")}/**/*.parquet', hive_partitioning = true)");
        Exec(hive, $"CREATE VIEW silver.study_labels AS SELECT * FROM read_parquet('{Path.Combine(dir.Path, "silver", "study_labels")}/*.parquet')");
        var hiveTimes = new List<double>();
        for (int r = 0; r <= runs; r++)
        {
            sw.Restart();
            using var cmd = hive.CreateCommand();
            cmd.CommandText = CohortSql;
            string hiveResult = Result(cmd.ExecuteReader());
            if (r > 0) hiveTimes.Add(sw.Elapsed.TotalSeconds);
            if (hiveResult != lakeResult)
            {
                Console.Error.WriteLine("cohort-query: the lake and hive read_parquet results differ");
                return 1;
            }
        }
        double lake = Median(lakeTimes), peer = Median(nativeTimes), hivePeer = Median(hiveTimes);
        Console.WriteLine($"result groups: {nativeResult.Count(c => c == '\n')}");
        Console.WriteLine($"lake engine, cold (open + UDFs + mount + query): {cold:F3} s");
        Console.WriteLine($"lake engine, warm median of {runs}:             {lake:F3} s");
        Console.WriteLine($"DuckDB native tables (peer), median of {runs}:  {peer:F3} s");
        Console.WriteLine($"DuckDB read_parquet hive (peer 2), median:     {hivePeer:F3} s");
        Console.WriteLine($"ratio lake/native: {lake / peer:F2}x, lake/read_parquet: {lake / hivePeer:F2}x   (target: under 2 s)");
        return 0;
    }

    private static string LakeEngineViewSql(ResolvedTable t) => LakeEngine.ViewSelectSql(t);

    private static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);

    private static string Result(System.Data.Common.DbDataReader reader)
    {
        using (reader)
        {
            var sb = new StringBuilder();
            while (reader.Read())
            {
                for (int i = 0; i < reader.FieldCount; i++) sb.Append(reader.GetValue(i)).Append('|');
                sb.Append('\n');
            }
            return sb.ToString();
        }
    }

    private static void Exec(DuckDBConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static BenchSource Generate(string root, int rows)
    {
        using var c = new DuckDBConnection("DataSource=:memory:");
        c.Open();
        string instances = Path.Combine(root, "bronze", "dicom_instances");
        string labels = Path.Combine(root, "silver", "study_labels");
        Directory.CreateDirectory(labels);
        Directory.CreateDirectory(Path.GetDirectoryName(instances)!);
        int studies = Math.Max(1, rows / 10);
        Exec(c, $"""
            COPY (
              SELECT 'sop-' || i AS sop_instance_uid,
                     'study-' || (i // 10) AS study_uid,
                     'patient-' || ((i // 10) // 3) AS patient_id,
                     (['CT','CT','CT','MR','CR','DX','US'])[(1 + hash(i // 10) % 7)::BIGINT] AS modality,
                     (['CHEST','CHEST','HEAD','ABDOMEN','PELVIS','SPINE'])[(1 + hash(i // 10 + 7) % 6)::BIGINT] AS body_part,
                     (hash((i // 10) // 3) % 96)::INTEGER AS patient_age,
                     (['GE','SIEMENS','PHILIPS','CANON','FUJI'])[(1 + hash(i // 10 + 3) % 5)::BIGINT] AS manufacturer,
                     DATE '2020-01-01' + (hash(i // 10) % 1500)::INTEGER AS study_date,
                     512::INTEGER AS rows, 512::INTEGER AS columns,
                     0.5 + (hash(i) % 50) / 10.0 AS slice_thickness,
                     'site-' || (hash(i // 10 + 11) % 8) AS site
              FROM range({rows}) t(i)
            ) TO '{instances}' (FORMAT PARQUET, COMPRESSION ZSTD, PARTITION_BY (site));
            COPY (
              SELECT 'study-' || s AS study_uid,
                     (['normal','pneumonia','nodule','effusion','normal'])[(1 + hash(s + 5) % 5)::BIGINT] AS label,
                     (hash(s) % 100) / 100.0 AS confidence
              FROM range({studies}) t(s)
            ) TO '{Path.Combine(labels, "part-0.parquet")}' (FORMAT PARQUET, COMPRESSION ZSTD);
            """);
        var instanceFiles = Directory.EnumerateFiles(instances, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => new LakeDataFile(f, new Dictionary<string, object?> { ["site"] = Path.GetFileName(Path.GetDirectoryName(f))!["site=".Length..] }))
            .ToList();
        LakeColumn[] instanceColumns =
        [
            new("sop_instance_uid", "VARCHAR"), new("study_uid", "VARCHAR"), new("patient_id", "VARCHAR"), new("modality", "VARCHAR"),
            new("body_part", "VARCHAR"), new("patient_age", "INTEGER"), new("manufacturer", "VARCHAR"), new("study_date", "DATE"),
            new("rows", "INTEGER"), new("columns", "INTEGER"), new("slice_thickness", "DOUBLE"), new("site", "VARCHAR"),
        ];
        var source = new BenchSource();
        source.Tables[new("bronze", "dicom_instances")] = new ResolvedTable(new("bronze", "dicom_instances"), 0, instanceColumns, ["site"], instanceFiles);
        source.Tables[new("silver", "study_labels")] = new ResolvedTable(new("silver", "study_labels"), 0,
            [new("study_uid", "VARCHAR"), new("label", "VARCHAR"), new("confidence", "DOUBLE")], [],
            [new LakeDataFile(Path.Combine(labels, "part-0.parquet"), new Dictionary<string, object?>())]);
        return source;
    }

    private sealed class BenchSource : ILakeTableSource
    {
        public Dictionary<LakeTableName, ResolvedTable> Tables { get; } = [];

        public IReadOnlyList<LakeTableName> ListTables() => Tables.Keys.ToList();

        public ResolvedTable Resolve(LakeTableName name, TableVersionSpec spec) => Tables[name];
    }
}
