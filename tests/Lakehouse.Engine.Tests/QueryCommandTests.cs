using DuckDB.NET.Data;
using Lakehouse.Testing;

namespace Lakehouse.Engine.Tests;

public class QueryCommandTests
{
    // A real Delta table (version 1 after create + one append), partitioned by site with a NULL partition.
    private static string MakeLake(TempDirectory dir)
    {
        string table = dir.Combine("lake", "silver", "studies");
        var schema = new Lakehouse.Tables.Schema.StructType(
            new Lakehouse.Tables.Schema.StructField("id", Lakehouse.Tables.Schema.DeltaType.Integer),
            new Lakehouse.Tables.Schema.StructField("modality", Lakehouse.Tables.Schema.DeltaType.String),
            new Lakehouse.Tables.Schema.StructField("score", Lakehouse.Tables.Schema.DeltaType.Double),
            new Lakehouse.Tables.Schema.StructField("site", Lakehouse.Tables.Schema.DeltaType.String));
        var delta = Lakehouse.Tables.DeltaTable.Create(table, schema, ["site"]);
        var tx = delta.NewTransaction(Lakehouse.Tables.Transaction.DeltaOperation.Append);
        tx.Write(new Lakehouse.Tables.Transaction.ColumnBatch(schema, new System.Collections.IList[]
        {
            new List<object?> { 1, 2, 3 },
            new List<object?> { "CT", "MR, 3T", "CT" },
            new List<object?> { 2.5, null, 1.0 },
            new List<object?> { "north", "north", null },
        }));
        tx.Commit();
        return dir.Combine("lake");
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Lakehouse.Cli.Cli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Csv_json_and_table_formats_print_the_result()
    {
        using var dir = new TempDirectory();
        string lake = MakeLake(dir);
        const string sql = "SELECT id, modality, score, site FROM silver.studies ORDER BY id";
        var csv = Run("query", "--lake", lake, "--format", "csv", sql);
        csv.Code.Should().Be(0, csv.Err);
        csv.Out.ReplaceLineEndings("\n").Should().Be("id,modality,score,site\n1,CT,2.5,north\n2,\"MR, 3T\",,north\n3,CT,1,\n");

        var json = Run("query", "--lake", lake, "--format", "json", sql + " LIMIT 2");
        json.Code.Should().Be(0, json.Err);
        json.Out.Trim().Should().Be("""[{"id":1,"modality":"CT","score":2.5,"site":"north"},{"id":2,"modality":"MR, 3T","score":null,"site":"north"}]""");

        var table = Run("query", "--lake", lake, "SELECT count(*) AS n, collapse_whitespace('  x  y ') AS s FROM silver.studies");
        table.Code.Should().Be(0, table.Err);
        table.Out.ReplaceLineEndings("\n").Should().Be("n | s\n--+----\n3 | x y\n(1 row)\n");
    }

    [Fact]
    public void Parquet_format_writes_a_file_and_needs_out()
    {
        using var dir = new TempDirectory();
        string lake = MakeLake(dir);
        string outFile = dir.Combine("out.parquet");
        Run("query", "--lake", lake, "--format", "parquet", "--out", outFile, "SELECT id, site FROM silver.studies").Code.Should().Be(0);
        var check = Run("query", "--format", "csv", "--table", "ref.copy=" + outFile, "SELECT count(*) AS n, count(site) AS s FROM ref.copy");
        check.Out.ReplaceLineEndings("\n").Should().Be("n,s\n3,2\n");

        var noOut = Run("query", "--lake", lake, "--format", "parquet", "SELECT 1");
        noOut.Code.Should().Be(1);
        noOut.Err.Should().Contain("--out");
    }

    [Fact]
    public void Sql_errors_exit_1_with_one_line_and_no_literal()
    {
        using var dir = new TempDirectory();
        string lake = MakeLake(dir);
        var bad = Run("query", "--lake", lake, "SELECT * FROM silver.studies WHERE modality = CAST('SMITH^JOHN' AS INT)");
        bad.Code.Should().Be(1);
        bad.Err.Should().StartWith("lakehouse: query:").And.NotContain("SMITH");
        bad.Err.TrimEnd().Split('\n').Should().ContainSingle();

        var version = Run("query", "--lake", lake, "--as-of-version", "silver.studies=4", "SELECT * FROM silver.studies");
        version.Code.Should().Be(1);
        version.Err.Should().Contain("version 4");
        Run("query", "--lake", lake, "--format", "csv", "SELECT count(*) AS n FROM silver.studies VERSION AS OF 1")
            .Out.Should().Be("n\n3\n".ReplaceLineEndings());
        Run("query", "--lake", lake, "--format", "csv", "SELECT count(*) AS n FROM silver.studies VERSION AS OF 0")
            .Out.Should().Be("n\n0\n".ReplaceLineEndings(), "version 0 is the empty created table");
    }

    [Fact]
    public void Tables_and_describe_list_the_lake()
    {
        using var dir = new TempDirectory();
        string lake = MakeLake(dir);
        var tables = Run("tables", "--lake", lake);
        tables.Code.Should().Be(0, tables.Err);
        tables.Out.ReplaceLineEndings("\n").Should().Be("table          | version | columns | files | partitioned by\nsilver.studies |       1 |       4 |     2 | site\n");
        var describe = Run("describe", "silver.studies", "--lake", lake);
        describe.Code.Should().Be(0, describe.Err);
        describe.Out.ReplaceLineEndings("\n").Should().Contain("silver.studies version 1: 2 files\n").And.Contain("\nmodality | VARCHAR\n").And.Contain("\nsite     | VARCHAR (partition)\n");
        Run("describe", "silver.nope", "--lake", lake).Code.Should().Be(1);
    }
}
