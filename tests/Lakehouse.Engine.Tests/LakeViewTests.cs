using Lakehouse.Testing;

namespace Lakehouse.Engine.Tests;

public class LakeViewTests
{
    private static readonly LakeColumn[] InstanceColumns =
    [
        new("sop", "VARCHAR"), new("rows", "INTEGER"), new("site", "VARCHAR"), new("study_date", "DATE"),
    ];

    private static Dictionary<string, object?> Parts(params (string, object?)[] values) => values.ToDictionary(v => v.Item1, v => v.Item2);

    private static List<string> Strings(LakeEngine engine, string sql)
    {
        using var reader = engine.ExecuteReader(sql);
        var list = new List<string>();
        while (reader.Read()) list.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : ResultWriter.Text(reader.GetValue(i)))));
        return list;
    }

    [Fact]
    public void Partitioned_files_get_typed_partition_constants_including_nulls()
    {
        using var dir = new TempDirectory();
        using var lake = new TestLake(dir.Path);
        lake.AddVersion("bronze.instances", InstanceColumns, ["site", "study_date"],
        [
            new(lake.WriteFile("SELECT 'a' AS sop, 512 AS rows"), Parts(("site", "north"), ("study_date", new DateOnly(2026, 1, 2)))),
            new(lake.WriteFile("SELECT 'b' AS sop, 256 AS rows"), Parts(("site", "north"), ("study_date", new DateOnly(2026, 1, 2)))),
            new(lake.WriteFile("SELECT 'c' AS sop, 128 AS rows"), Parts(("site", null), ("study_date", "2026-01-03"))),
            new(lake.WriteFile("SELECT 'd' AS sop, 64 AS rows"), Parts(("study_date", null))),
        ]);
        using var engine = new LakeEngine(lake);
        Strings(engine, "SELECT * FROM bronze.instances ORDER BY sop").Should().Equal(
            "a|512|north|2026-01-02", "b|256|north|2026-01-02", "c|128|NULL|2026-01-03", "d|64|NULL|NULL");
        Strings(engine, "SELECT typeof(study_date), typeof(rows) FROM bronze.instances LIMIT 1").Should().Equal("DATE|INTEGER");
        Strings(engine, "SELECT count(*) FROM bronze.instances WHERE site IS NULL").Should().Equal("2");
        Strings(engine, "SELECT sum(rows) FROM bronze.instances WHERE study_date = DATE '2026-01-02'").Should().Equal("768");
    }

    [Fact]
    public void An_empty_table_keeps_its_schema()
    {
        using var dir = new TempDirectory();
        using var lake = new TestLake(dir.Path);
        lake.AddVersion("silver.empty", InstanceColumns, ["site"], []);
        using var engine = new LakeEngine(lake);
        Strings(engine, "SELECT count(*) FROM silver.empty").Should().Equal("0");
        engine.Describe("SELECT * FROM silver.empty").Should().Equal(InstanceColumns);
    }

    [Fact]
    public void Time_travel_from_sql_and_from_a_pin_reads_the_asked_version()
    {
        using var dir = new TempDirectory();
        using var lake = new TestLake(dir.Path);
        LakeColumn[] cols = [new("n", "BIGINT")];
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        lake.AddVersion("gold.counts", cols, "SELECT 10::BIGINT AS n", t0);
        lake.AddVersion("gold.counts", cols, "SELECT 20::BIGINT AS n", t0.AddDays(1));
        lake.AddVersion("gold.counts", cols, "SELECT 30::BIGINT AS n", t0.AddDays(2));
        using var engine = new LakeEngine(lake);
        engine.ExecuteScalar("SELECT n FROM gold.counts").Should().Be(30L);
        engine.ExecuteScalar("SELECT n FROM gold.counts VERSION AS OF 0").Should().Be(10L);
        engine.ExecuteScalar("SELECT counts.n FROM gold.counts TIMESTAMP AS OF '2026-01-02T12:00:00Z'").Should().Be(20L);
        engine.ExecuteScalar("SELECT a.n - b.n FROM gold.counts VERSION AS OF 2 a, gold.counts VERSION AS OF 1 b").Should().Be(10L);
        engine.ExecuteScalar("SELECT 'gold.counts VERSION AS OF 0'").Should().Be("gold.counts VERSION AS OF 0");
        var prepared = engine.Prepare("SELECT * FROM gold.counts VERSION AS OF 1 JOIN gold.counts USING (n)");
        prepared.Inputs.Should().BeEquivalentTo([new InputVersion(new("gold", "counts"), 1), new InputVersion(new("gold", "counts"), 2)]);

        using var pinnedEngine = new LakeEngine(lake);
        pinnedEngine.Pin(new LakeTableName("gold", "counts"), TableVersionSpec.AtVersion(1));
        pinnedEngine.ExecuteScalar("SELECT n FROM gold.counts").Should().Be(20L);
        var missing = () => pinnedEngine.ExecuteScalar("SELECT n FROM gold.counts VERSION AS OF 9");
        missing.Should().Throw<LakeSqlException>().WithMessage("*gold.counts*version 9*");
    }

    [Fact]
    public void Restricted_tables_are_not_mounted_unless_allowed()
    {
        using var dir = new TempDirectory();
        using var lake = new TestLake(dir.Path);
        lake.AddVersion("restricted.patients", [new("name", "VARCHAR")], "SELECT 'DOE^JANE' AS name");
        using var engine = new LakeEngine(lake);
        var act = () => engine.ExecuteScalar("SELECT count(*) FROM restricted.patients");
        act.Should().Throw<LakeSqlException>().WithMessage("*restricted*");
        engine.ExecuteScalar("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'restricted'").Should().Be(0L);
        engine.MountAll();
        engine.MountedTables.Should().BeEmpty();

        using var allowed = new LakeEngine(lake, new LakeEngineOptions { AllowRestricted = true });
        allowed.ExecuteScalar("SELECT count(*) FROM restricted.patients").Should().Be(1L);
    }

    [Fact]
    public void Tables_are_mounted_lazily_only_when_named()
    {
        using var dir = new TempDirectory();
        using var lake = new TestLake(dir.Path);
        lake.AddVersion("bronze.a", [new("x", "INTEGER")], "SELECT 1 AS x");
        lake.AddVersion("bronze.b", [new("x", "INTEGER")], "SELECT 2 AS x");
        using var engine = new LakeEngine(lake);
        engine.ExecuteScalar("SELECT x FROM bronze.b").Should().Be(2);
        lake.ResolveCalls.Should().Be(1);
        engine.MountedTables.Select(t => t.Name.ToString()).Should().Equal("bronze.b");
    }

    [Fact]
    public void MountTable_reads_a_hive_partitioned_parquet_folder_by_name()
    {
        using var dir = new TempDirectory();
        using var lake = new TestLake(dir.Path);
        string folder = dir.Combine("extra");
        Directory.CreateDirectory(Path.Combine(folder, "site=east"));
        Directory.CreateDirectory(Path.Combine(folder, "_delta_log"));
        File.Move(lake.WriteFile("SELECT 5 AS x"), Path.Combine(folder, "site=east", "p.parquet"));
        File.Move(lake.WriteFile("SELECT 99 AS x"), Path.Combine(folder, "_delta_log", "ignored.parquet"));
        using var engine = new LakeEngine(null);
        engine.MountTable("ref.extra", folder);
        Strings(engine, "SELECT x, site FROM ref.extra").Should().Equal("5|east");
        var missing = () => engine.MountTable("ref.none", dir.Combine("nothing"));
        missing.Should().Throw<LakeSqlException>().Which.Message.Should().NotContain(dir.Path);
    }

    [Fact]
    public void Sql_errors_carry_no_literals_or_paths()
    {
        using var engine = new LakeEngine(null);
        var cast = () => engine.ExecuteScalar("SELECT CAST('DOE^JOHN' AS INTEGER)");
        cast.Should().Throw<LakeSqlException>().Which.Message.Should().NotContain("DOE").And.Contain("Conversion");
        var file = () => engine.ExecuteScalar("SELECT * FROM read_parquet('/data/DOE_JOHN/x.parquet')");
        file.Should().Throw<LakeSqlException>().Which.Message.Should().NotContain("DOE");
    }
}
