namespace Lakehouse.Engine.Tests;

public class TimeTravelRewriterTests
{
    private static string Pin(LakeTableName t, TableVersionSpec s) => $"<{t}|{s}>";

    [Fact]
    public void Version_as_of_becomes_a_pinned_reference_with_the_table_as_alias()
    {
        TimeTravelRewriter.Rewrite("SELECT * FROM bronze.dicom_instances VERSION AS OF 3 WHERE x = 1", Pin)
            .Should().Be("SELECT * FROM <bronze.dicom_instances|version 3> AS \"dicom_instances\" WHERE x = 1");
    }

    [Fact]
    public void An_alias_written_by_the_user_is_kept()
    {
        TimeTravelRewriter.Rewrite("SELECT i.x FROM bronze.t version as of 2 i JOIN silver.u TIMESTAMP AS OF '2026-01-01T00:00:00Z' AS u ON i.k = u.k", Pin)
            .Should().Be("SELECT i.x FROM <bronze.t|version 2> i JOIN <silver.u|timestamp 2026-01-01T00:00:00Z> AS u ON i.k = u.k");
    }

    [Fact]
    public void Literals_and_comments_containing_the_phrase_are_untouched()
    {
        const string sql = "SELECT 'bronze.t VERSION AS OF 3' AS s, \"bronze.t VERSION AS OF 4\" -- bronze.t VERSION AS OF 5\n" +
                           "FROM bronze.t /* bronze.t VERSION AS OF 6 */";
        TimeTravelRewriter.Rewrite(sql, Pin).Should().Be(sql);
        TimeTravelRewriter.Find(sql).Should().BeEmpty();
    }

    [Fact]
    public void Quoted_identifiers_and_comments_between_the_words_are_handled()
    {
        TimeTravelRewriter.Rewrite("SELECT * FROM \"Bronze\" . \"My Table\" /*c*/ VERSION /*c*/ AS OF 7;", Pin)
            .Should().Be("SELECT * FROM <Bronze.My Table|version 7> AS \"My Table\";");
        TimeTravelRewriter.Rewrite("SELECT * FROM gold.t TIMESTAMP AS OF '2026-03-01' WHERE a = 'it''s'", Pin)
            .Should().Be("SELECT * FROM <gold.t|timestamp 2026-03-01T00:00:00Z> AS \"t\" WHERE a = 'it''s'");
    }

    [Theory]
    [InlineData("SELECT E'it\\'s bronze.t VERSION AS OF 3' FROM x")]
    [InlineData("SELECT $$bronze.t VERSION AS OF 3$$, $q$ bronze.t TIMESTAMP AS OF '2026-01-01' $q$")]
    [InlineData("SELECT 1 -- bronze.t VERSION AS OF 3")]
    [InlineData("SELECT 1 /* unterminated bronze.t VERSION AS OF 3")]
    public void Escaped_dollar_quoted_and_unterminated_text_is_never_rewritten(string sql) =>
        TimeTravelRewriter.Rewrite(sql, Pin).Should().Be(sql);

    [Theory]
    [InlineData("SELECT * FROM bronze.t VERSION AS OF 'x'", "*version number*")]
    [InlineData("SELECT * FROM bronze.t TIMESTAMP AS OF 5", "*timestamp string*")]
    [InlineData("SELECT * FROM t VERSION AS OF 5", "*schema-qualified*")]
    [InlineData("SELECT * FROM bronze.t TIMESTAMP AS OF 'yesterday'", "*not a timestamp*")]
    public void Malformed_clauses_are_user_errors(string sql, string message)
    {
        var act = () => TimeTravelRewriter.Rewrite(sql, Pin);
        act.Should().Throw<LakeSqlException>().WithMessage(message);
    }

    [Fact]
    public void Referenced_tables_are_found_outside_literals_only()
    {
        var schemas = new HashSet<string> { "bronze", "silver" };
        TimeTravelRewriter.ReferencedTables("SELECT 'bronze.x', a.b FROM bronze.t JOIN \"silver\".\"U\" u -- bronze.c\nJOIN cat.bronze.z", schemas)
            .Should().Equal(new LakeTableName("bronze", "t"), new LakeTableName("silver", "U"));
    }

    [Fact]
    public void Trailing_semicolons_and_comments_are_dropped_for_wrapping()
    {
        TimeTravelRewriter.WithoutTrailingSemicolon("SELECT 1; -- done\n").Should().Be("SELECT 1");
        TimeTravelRewriter.WithoutTrailingSemicolon("SELECT ';' ;;").Should().Be("SELECT ';'");
    }
}
