using Lakehouse.Testing;

namespace Lakehouse.Engine.Tests;

public class SqlJobTests
{
    private static List<(string Name, string Type, string? Converted, string? Logical)> ParquetSchema(LakeEngine engine, string file)
    {
        using var reader = engine.ExecuteReader($"SELECT name, type, converted_type, logical_type FROM parquet_schema('{file}') WHERE num_children IS NULL OR num_children = 0");
        var list = new List<(string, string, string?, string?)>();
        while (reader.Read())
            list.Add((reader.GetString(0), reader.IsDBNull(1) ? "" : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetValue(3)?.ToString()));
        return list;
    }

    [Fact]
    public void A_job_writes_zstd_parquet_with_spark_compatible_types_and_reports_its_inputs()
    {
        using var dir = new TempDirectory();
        using var lake = new TestLake(dir.Path);
        lake.AddVersion("bronze.raw", [new("text", "VARCHAR"), new("n", "BIGINT")], "SELECT '  a  b ' AS text, 1::BIGINT AS n");
        lake.AddVersion("bronze.raw", [new("text", "VARCHAR"), new("n", "BIGINT")], "SELECT * FROM (VALUES ('  a  b ', 1::BIGINT), (' c ', 2::BIGINT)) v(text, n)");
        using var engine = new LakeEngine(lake);
        var job = new SqlJob("normalize", [new("bronze", "raw")], new("silver", "clean"), """
            SELECT collapse_whitespace(text) AS text,
                   sum(n) OVER () AS total_hugeint,
                   n::UBIGINT AS unsigned_big, n::UINTEGER AS unsigned_int, n::UTINYINT AS unsigned_tiny,
                   TIMESTAMP_NS '2026-01-01 10:00:00.123456789' AS ts_ns,
                   TIMESTAMPTZ '2026-01-01 10:00:00.5+00' AS ts_tz,
                   TIMESTAMP '2026-01-01 10:00:00' AS ts,
                   DATE '2026-01-01' AS d,
                   uuid() AS id,
                   INTERVAL 1 DAY AS span
            FROM bronze.raw;
            """, JobWriteMode.Overwrite);
        var result = engine.RunJob(job, dir.Combine("staging"));

        result.RowCount.Should().Be(2);
        result.Inputs.Should().Equal(new InputVersion(new("bronze", "raw"), 1));
        result.Files.Should().ContainSingle().Which.RowCount.Should().Be(2);
        result.Columns.Select(c => c.DuckDbType).Should().Equal(
            "VARCHAR", "DECIMAL(38,0)", "DECIMAL(20,0)", "BIGINT", "SMALLINT", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP", "DATE", "VARCHAR", "VARCHAR");
        result.Columns.Select(c => DeltaTypes.FromDuckDb(c.DuckDbType)).Should().Equal(
            "string", "decimal(38,0)", "decimal(20,0)", "long", "short", "timestamp_ntz", "timestamp", "timestamp_ntz", "date", "string", "string");

        string file = result.Files[0].Path;
        var schema = ParquetSchema(engine, file);
        schema.Should().NotContain(c => c.Type == "INT96");
        foreach (var ts in schema.Where(c => c.Name.StartsWith("ts", StringComparison.Ordinal)))
        {
            ts.Type.Should().Be("INT64");
            (ts.Logical ?? ts.Converted ?? "").Should().ContainAny("MICROS", "TIMESTAMP_MICROS");
        }
        schema.Should().NotContain(c => (c.Converted ?? "").StartsWith("UINT", StringComparison.Ordinal));
        engine.ExecuteScalar($"SELECT string_agg(text, ',' ORDER BY text) FROM read_parquet('{file}')").Should().Be("a b,c");
        engine.ExecuteScalar($"SELECT DISTINCT compression FROM parquet_metadata('{file}')").Should().Be("ZSTD");
        engine.ExecuteScalar($"SELECT epoch_us(ts_tz) FROM read_parquet('{file}') LIMIT 1").Should().Be(1767261600500000L);
    }

    [Fact]
    public void A_partitioned_job_writes_hive_folders_with_null_partitions_and_no_partition_columns_in_files()
    {
        using var dir = new TempDirectory();
        using var lake = new TestLake(dir.Path);
        lake.AddVersion("silver.studies", [new("site", "VARCHAR"), new("id", "INTEGER")],
            "SELECT * FROM (VALUES ('north', 1), ('north', 2), (NULL, 3), ('a b/c', 4)) v(site, id)");
        using var engine = new LakeEngine(lake);
        var job = new SqlJob("by_site", [new("silver", "studies")], new("gold", "by_site"), "SELECT site, id FROM silver.studies", JobWriteMode.Append)
        {
            PartitionBy = ["site"],
        };
        var result = engine.RunJob(job, dir.Combine("staging"));
        result.Files.Should().Contain(f => f.RelativePath.StartsWith("site=a%20b%2Fc/", StringComparison.Ordinal));
        result.RowCount.Should().Be(4);
        result.Files.Select(f => f.PartitionValues["site"]).Should().BeEquivalentTo(["north", null, "a b/c"]);
        result.Files.Single(f => f.PartitionValues["site"] == "north").RowCount.Should().Be(2);
        foreach (var f in result.Files)
            engine.ExecuteScalar($"SELECT count(*) FROM parquet_schema('{f.Path}') WHERE name = 'site'").Should().Be(0L);

        var again = () => engine.RunJob(job, dir.Combine("staging"));
        again.Should().Throw<LakeSqlException>().WithMessage("*staging folder is not empty*");
        var missing = () => engine.RunJob(job with { Inputs = [new("silver", "nope")] }, dir.Combine("staging2"));
        missing.Should().Throw<LakeSqlException>().WithMessage("*silver.nope not found*");
    }
}
