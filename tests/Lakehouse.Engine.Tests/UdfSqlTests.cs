using Lakehouse.Udfs.Registry;

namespace Lakehouse.Engine.Tests;

public class UdfSqlTests
{
    private static object? Scalar(LakeEngine engine, string sql) => engine.ExecuteScalar(sql);

    [Fact]
    public void Core_functions_are_callable_from_sql_with_nulls()
    {
        using var engine = new LakeEngine(null);
        Scalar(engine, "SELECT collapse_whitespace('  a \t  b ')").Should().Be("a b");
        Scalar(engine, "SELECT collapse_whitespace(NULL)").Should().BeNull();
        Scalar(engine, "SELECT null_if_blank('   ')").Should().BeNull();
        Scalar(engine, "SELECT null_if_blank(NULL)").Should().BeNull();
        Scalar(engine, "SELECT null_if_blank(' x ')").Should().Be(" x ");
        Scalar(engine, "SELECT age_in_years(DATE '2000-02-29', DATE '2021-02-28')").Should().Be(20);
        Scalar(engine, "SELECT age_in_years(NULL, DATE '2021-02-28')").Should().BeNull();
        Scalar(engine, "SELECT safe_ratio(1, 4)").Should().Be(0.25);
        Scalar(engine, "SELECT safe_ratio(1, 0)").Should().BeNull();
        Scalar(engine, "SELECT dicom_keyword(1048592)").Should().Be("PatientName"); // 0x00100010
        Scalar(engine, "SELECT dicom_keyword(-1)").Should().BeNull();
        Scalar(engine, "SELECT typeof(age_in_years(DATE '2000-01-01', DATE '2001-01-01'))").Should().Be("INTEGER");
    }

    [Fact]
    public void Udfs_run_over_many_vectors_with_nulls_like_the_builtin_equivalent()
    {
        using var engine = new LakeEngine(null);
        // 10,000 rows span several DuckDB vectors (2,048 rows each); every third value is NULL.
        const string rows = "SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE '  x ' || i || '   y ' END AS s FROM range(10000) t(i)";
        Scalar(engine, $"SELECT count(*) FROM ({rows}) WHERE collapse_whitespace(s) IS NULL").Should().Be(3334L);
        Scalar(engine, $"SELECT count(*) FROM ({rows}) WHERE collapse_whitespace(s) IS DISTINCT FROM trim(regexp_replace(s, '\\s+', ' ', 'g'))")
            .Should().Be(0L);
    }

    [Fact]
    public void Every_scalar_type_round_trips_and_received_nulls_reach_the_function()
    {
        var registry = new UdfRegistry(
        [
            Udf.Define<long?, int?, double?, bool?, string>("describe_nulls", "which are null", ["a", "b", "c", "d"],
                (a, b, c, d) => $"{a is null}{b is null}{c is null}{d is null}", new UdfOptions(UdfNulls.Receive)),
            Udf.Define<DateOnly, int, DateOnly>("add_days", "date + n", ["d", "n"], (d, n) => d.AddDays(n)),
            Udf.Define<byte[], long>("blob_length", "byte count", ["b"], b => b.Length),
            Udf.Define<string?, long, string>("len_or_minus", "length or -1", ["s", "n"], (s, n) => (s?.Length ?? -n).ToString(System.Globalization.CultureInfo.InvariantCulture),
                new UdfOptions(UdfNulls.Receive)),
            Udf.Define<double, bool>("is_big", "x > 1e6", ["x"], x => x > 1e6),
        ]);
        using var engine = new LakeEngine(null, new LakeEngineOptions { Udfs = registry });
        Scalar(engine, "SELECT describe_nulls(1, NULL, 2.5, NULL)").Should().Be("FalseTrueFalseTrue");
        Scalar(engine, "SELECT add_days(DATE '2024-02-28', 2)").Should().Be(new DateOnly(2024, 3, 1));
        Scalar(engine, "SELECT blob_length('\\x01\\x02\\x03'::BLOB)").Should().Be(3L);
        Scalar(engine, "SELECT len_or_minus(NULL, 7)").Should().Be("-7");
        Scalar(engine, "SELECT len_or_minus('abc', NULL)").Should().BeNull("a NULL for a non-nullable value parameter still propagates");
        Scalar(engine, "SELECT is_big(2e6)").Should().Be(true);
    }

    [Fact]
    public void A_failing_udf_names_itself_but_never_its_message()
    {
        var registry = new UdfRegistry([Udf.Define<string, string>("explode", "throws", ["s"],
            s => throw new FormatException("value DOE^JOHN is bad"))]);
        using var engine = new LakeEngine(null, new LakeEngineOptions { Udfs = registry });
        var act = () => engine.ExecuteScalar("SELECT explode('DOE^JOHN')");
        var error = act.Should().Throw<LakeSqlException>().Which;
        error.Message.Should().Contain("explode").And.Contain("FormatException").And.NotContain("DOE");
    }
}
