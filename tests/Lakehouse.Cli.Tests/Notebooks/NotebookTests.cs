using Lakehouse.Testing;

namespace Lakehouse.Cli.Tests.Notebooks;

/// <summary>A notebook cell: its number (1-based) and text.</summary>
public sealed record NotebookCell(int Number, string Text)
{
    /// <summary>Markdown cells are all <c>-- MAGIC</c> lines.</summary>
    public bool IsMarkdown => Lines.All(l => l.StartsWith("-- MAGIC", StringComparison.Ordinal));

    /// <summary>The SQL: the cell without comment-only lines and the trailing semicolon.</summary>
    public string Sql => string.Join("\n", Lines.Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal))).Trim().TrimEnd(';');

    private IEnumerable<string> Lines => Text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0);
}

/// <summary>Splits Databricks SQL notebook source (<c>-- Databricks notebook source</c>, cells between <c>-- COMMAND ----------</c>).</summary>
public static class DatabricksNotebook
{
    public const string Header = "-- Databricks notebook source";
    public const string Separator = "-- COMMAND ----------";

    public static IReadOnlyList<NotebookCell> Cells(string source)
    {
        string text = source.ReplaceLineEndings("\n");
        if (!text.StartsWith(Header + "\n", StringComparison.Ordinal)) throw new FormatException("the first line must be '" + Header + "'");
        return text[(Header.Length + 1)..].Split("\n" + Separator + "\n").Select((c, i) => new NotebookCell(i + 1, c)).ToList();
    }
}

public class NotebookTests(NotebookLakeFixture fx) : IClassFixture<NotebookLakeFixture>
{
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "notebooks");

    private static List<string> Files() =>
        Directory.EnumerateFiles(Folder, "*.sql").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (string file in Files()) data.Add(file);
        return data;
    }

    [Fact]
    public void There_are_the_four_cohort_notebooks() =>
        Files().Should().HaveCount(4).And.Contain("03_release_changes.sql");

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Every_sql_cell_runs_with_lakehouse_query(string notebook)
    {
        var cells = DatabricksNotebook.Cells(File.ReadAllText(Path.Combine(Folder, notebook)));
        cells.Should().Contain(c => c.IsMarkdown, "a notebook explains itself to a new analyst");
        var sqlCells = cells.Where(c => !c.IsMarkdown).ToList();
        sqlCells.Should().NotBeEmpty();
        foreach (var cell in sqlCells)
        {
            cell.Sql.Should().NotBeEmpty($"cell {cell.Number} has neither markdown nor SQL");
            cell.Sql.Should().NotContain(";", $"cell {cell.Number}: one statement per cell (lakehouse query runs one)");
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int code = Cli.Run(["query", cell.Sql, "--lake", fx.Lake, "--format", "csv"], stdout, stderr);
            code.Should().Be(Cli.Success, $"{notebook} cell {cell.Number} failed: {stderr}\nfixture tables: {string.Join(", ", fx.Built)}");
            stdout.ToString().Split('\n').Length.Should().BeGreaterThan(1, $"{notebook} cell {cell.Number} prints at least a header");
        }
    }

    [Fact]
    public void The_release_notebook_sees_real_changes_between_the_two_versions()
    {
        // Guards the fixture itself: if both versions were equal, the time-travel cells would pass while testing nothing.
        // Once the real label-studies job builds the table (two identical forced runs), there is no change to see.
        if (!fx.Built.Contains("gold.study_labels")) return;
        var cells = DatabricksNotebook.Cells(File.ReadAllText(Path.Combine(Folder, "03_release_changes.sql"))).Where(c => !c.IsMarkdown).ToList();
        var stdout = new StringWriter();
        Cli.Run(["query", cells[1].Sql, "--lake", fx.Lake, "--format", "csv"], stdout, new StringWriter()).Should().Be(Cli.Success);
        stdout.ToString().Should().MatchRegex("(added|relabeled),[1-9]");
    }
}

public class DatabricksNotebookTests
{
    [Fact]
    public void Cells_split_on_the_databricks_separator()
    {
        var cells = DatabricksNotebook.Cells("-- Databricks notebook source\n-- MAGIC %md\n-- MAGIC # T\n\n-- COMMAND ----------\n\nSELECT 1;\n");
        cells.Should().HaveCount(2);
        cells[0].IsMarkdown.Should().BeTrue();
        cells[1].Sql.Should().Be("SELECT 1");
        var act = () => DatabricksNotebook.Cells("SELECT 1");
        act.Should().Throw<FormatException>();
    }
}
