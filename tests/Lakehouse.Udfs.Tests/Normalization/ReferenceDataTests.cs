using Lakehouse.Testing;
using Lakehouse.Udfs.Normalization;

namespace Lakehouse.Udfs.Tests.Normalization;

public class ReferenceDataTests
{
    private static Dictionary<string, string> RepoFiles() =>
        Directory.GetFiles(Path.Combine(RepoPaths.Root, "pipelines", "ref"), "*.csv")
            .ToDictionary(p => Path.GetFileNameWithoutExtension(p), File.ReadAllText);

    [Fact]
    public void The_embedded_defaults_are_the_repository_files()
    {
        var repo = RepoFiles();
        repo.Keys.Should().BeEquivalentTo(NormalizationReference.FileNames, "every file in pipelines/ref is loaded, and only those");
        NormalizationReference.DefaultCsvTexts().Should().BeEquivalentTo(repo);
    }

    [Fact]
    public void Every_file_has_a_version()
    {
        var versions = NormalizationReference.Default.Versions;
        versions.Keys.Should().BeEquivalentTo(NormalizationReference.FileNames);
        versions.Values.Should().AllSatisfy(v => v.Should().MatchRegex(@"^\d{4}-\d{2}-\d{2}\.\d+$"));
    }

    [Fact]
    public void Body_part_terms_are_Body_Part_Examined_defined_terms_with_numeric_SNOMED_codes()
    {
        var table = ReferenceTable.Parse("body_part", RepoFiles()["body_part"]);
        int term = table.Column("term"), code = table.Column("snomed_code");
        table.Rows.Should().HaveCountGreaterThan(40);
        table.Rows.Should().AllSatisfy(r =>
        {
            r[term].Should().MatchRegex("^[A-Z]+$");
            r[code].Should().MatchRegex("^[1-9][0-9]{5,17}$");
        });
        table.Rows.Select(r => r[code]).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void A_user_edit_is_picked_up_by_Load()
    {
        var files = RepoFiles();
        files["body_part_alias.csv"] = files["body_part_alias"] + "BRUST,CHEST\n";
        files.Remove("body_part_alias");
        files["modality"] = files["modality"].Replace("# version: ", "# version: user-", StringComparison.Ordinal);
        var reference = NormalizationReference.Load(files);
        BodyPartNormalizer.Normalize("Brust", null, reference).Term.Should().Be("CHEST");
        BodyPartNormalizer.Normalize("Brust", null).Mapped.Should().BeFalse("the default is untouched");
        reference.Versions["modality"].Should().StartWith("user-");
    }

    [Fact]
    public void Quoted_fields_follow_RFC_4180()
    {
        var table = ReferenceTable.Parse("t", "\uFEFF# version: 1\r\na,b\r\n\"x, \"\"y\"\"\",\"multi\nline\"\r\n# a comment\r\n\r\nplain , z\r\n");
        table.Version.Should().Be("1");
        table.Columns.Should().Equal("a", "b");
        table.Rows.Should().HaveCount(2);
        table.Rows[0].Fields.Should().Equal("x, \"y\"", "multi\nline");
        table.Rows[1].Fields.Should().Equal("plain", "z");
        table.Rows[1].Line.Should().Be(7);
    }

    [Theory]
    [InlineData("a,b\n1,2\n", 1, "version")]
    [InlineData("# version: 1\n", 0, "no header")]
    [InlineData("# version: 1\na,b\n1,2,3\n", 3, "expected 2 fields, found 3")]
    [InlineData("# version: 1\na,b\n1,\"2\n", 3, "unterminated")]
    public void Malformed_files_name_the_file_and_line(string text, int line, string reason)
    {
        var act = () => ReferenceTable.Parse("modality", text);
        var error = act.Should().Throw<ReferenceDataException>().Which;
        error.File.Should().Be("modality");
        error.Line.Should().Be(line);
        error.Reason.Should().Contain(reason);
    }

    [Theory]
    [InlineData("body_part_alias", "FOO,NOSUCHTERM\n", "is not in body_part")]
    [InlineData("body_part_alias", "THORAX,HEAD\n", "already maps")]
    [InlineData("modality", "C.T.,MR\n", "already maps")]
    [InlineData("study_token", "CT,modality,MR\n", "already has a modality")]
    [InlineData("study_token", "NEW,contrast,maybe\n", "'yes' or 'no'")]
    [InlineData("study_token", "NEW,colour,red\n", "kind must be")]
    [InlineData("site", "region,X,Y,\n", "issuer or institution")]
    public void Inconsistent_rows_are_rejected_with_their_line(string file, string badRow, string reason)
    {
        var files = RepoFiles();
        files[file] += badRow;
        int expectedLine = files[file].Count(c => c == '\n');
        var act = () => NormalizationReference.Load(files);
        var error = act.Should().Throw<ReferenceDataException>().Which;
        error.File.Should().Be(file);
        error.Line.Should().Be(expectedLine);
        error.Reason.Should().Contain(reason);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var files = RepoFiles();
        files.Remove("sex");
        var act = () => NormalizationReference.Load(files);
        act.Should().Throw<ReferenceDataException>().Which.File.Should().Be("sex");
    }

    [Fact]
    public void Every_function_is_listed_once_with_a_snake_case_name()
    {
        var all = NormalizationFunctions.Default.All();
        all.Select(f => f.Name).Should().OnlyHaveUniqueItems().And.AllSatisfy(n => n.Should().MatchRegex("^[a-z_]+$"));
        all.Should().HaveCount(28);
        ((Func<string?, string?, string?>)all.Single(f => f.Name == "body_part_code").Function)("", "XR L-SPINE 2 VIEWS").Should().Be("122496007");
        ((Func<string?, string?, string>)all.Single(f => f.Name == "body_part_method").Function)("", "XR L-SPINE").Should().Be("study_description");
        ((Func<string?, string?, string>)all.Single(f => f.Name == "study_contrast").Function)("CT HEAD W/O", "CT").Should().Be("no");
    }
}
