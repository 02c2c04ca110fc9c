using Lakehouse.Udfs.Registry;

namespace Lakehouse.Engine.Tests.Registry;

public class UdfRegistryTests
{
    [Fact]
    public void Default_lists_the_core_functions_with_their_signatures()
    {
        var names = UdfRegistry.Default.All.Select(f => f.Name).ToList();
        names.Should().Contain(["collapse_whitespace", "null_if_blank", "age_in_years", "safe_ratio", "dicom_keyword"]);
        names.Should().BeInAscendingOrder(StringComparer.Ordinal);
        UdfRegistry.Default.TryGet("age_in_years", out var age).Should().BeTrue();
        age.Signature.Should().Be("age_in_years(birth_date DATE, at_date DATE) -> INTEGER");
        age.Deterministic.Should().BeTrue();
        age.Nulls.Should().Be(UdfNulls.Propagate);
    }

    [Fact]
    public void Nullability_follows_the_delegate_and_the_null_policy()
    {
        UdfRegistry.Default.TryGet("null_if_blank", out var blank).Should().BeTrue();
        blank.Parameters.Should().ContainSingle().Which.Nullable.Should().BeTrue();
        blank.ReturnsNull.Should().BeTrue();

        var strictNoNull = Udf.Define<long>("forty_two", "42", () => 42L);
        strictNoNull.ReturnsNull.Should().BeFalse();
        var received = Udf.Define<long?, long>("is_null_as_one", "1 for NULL", ["x"], x => x is null ? 1 : 0, new UdfOptions(UdfNulls.Receive));
        received.Parameters[0].Nullable.Should().BeTrue();
        received.ReturnsNull.Should().BeFalse();
        var strictLong = Udf.Define<long, long>("plus_one", "x + 1", ["x"], x => x + 1);
        strictLong.Parameters[0].Nullable.Should().BeFalse();
        strictLong.ReturnsNull.Should().BeTrue("NULL in gives NULL out");
    }

    [Fact]
    public void Definitions_reject_bad_names_types_and_duplicates()
    {
        var act = () => Udf.Define<string, string>("Bad-Name", "x", ["s"], s => s);
        act.Should().Throw<ArgumentException>();
        var wrongCount = () => Udf.Define<string, string>("ok_name", "x", ["a", "b"], s => s);
        wrongCount.Should().Throw<ArgumentException>();
        var badType = () => Udf.Define<decimal, string>("dec_name", "x", ["d"], d => "");
        badType.Should().Throw<NotSupportedException>();
        var dup = () => UdfRegistry.Default.With([Udf.Define<string, string>("collapse_whitespace", "again", ["s"], s => s)]);
        dup.Should().Throw<ArgumentException>().WithMessage("*collapse_whitespace*twice*");
    }

    [Fact]
    public void Markdown_lists_every_function_once()
    {
        string md = UdfRegistry.Default.ToMarkdown();
        foreach (var f in UdfRegistry.Default.All)
            md.Should().Contain($"| `{f.Name}` | `{f.Signature}` |");
        md.Split('\n').Count(l => l.StartsWith("| `", StringComparison.Ordinal)).Should().Be(UdfRegistry.Default.All.Count);
    }

    [Theory]
    [InlineData("  a \t b\n c  ", "a b c")]
    [InlineData("abc", "abc")]
    [InlineData("   ", "")]
    public void CollapseWhitespace_folds_runs(string input, string expected) =>
        CoreFunctions.CollapseWhitespace(input).Should().Be(expected);

    [Theory]
    [InlineData("2000-02-29", "2021-02-28", 20)]
    [InlineData("2000-02-29", "2021-03-01", 21)]
    [InlineData("1980-06-15", "2026-06-14", 45)]
    [InlineData("1980-06-15", "2026-06-15", 46)]
    public void AgeInYears_is_birthday_exact(string birth, string at, int expected) =>
        CoreFunctions.AgeInYears(DateOnly.Parse(birth), DateOnly.Parse(at)).Should().Be(expected);
}
