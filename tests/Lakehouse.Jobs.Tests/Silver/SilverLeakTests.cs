using System.Text;
using Lakehouse.Engine;
using Lakehouse.Jobs.Silver;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Silver;

/// <summary>Zero PHI outside bronze and restricted: table values (via DuckDB), every file's bytes (Delta logs and stats included), logs.</summary>
[Collection(SilverCollection.Name)]
public sealed class SilverLeakTests(SilverFixture fx)
{
    [Fact]
    public void No_planted_PHI_string_appears_in_any_silver_or_gold_value()
    {
        var parquet = new[] { "silver", "gold" }.Select(z => Path.Combine(fx.Lake.Root, z)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.parquet", SearchOption.AllDirectories)).ToList();
        parquet.Should().NotBeEmpty();
        using var engine = new LakeEngine(null);
        var text = new StringBuilder();
        long values = 0;
        foreach (string file in parquet)
        {
            using var command = engine.Connection.CreateCommand();
            command.CommandText = $"SELECT CAST(COLUMNS(*) AS VARCHAR) FROM read_parquet('{file.Replace("'", "''", StringComparison.Ordinal)}')";
            using var reader = command.ExecuteReader();
            while (reader.Read())
                for (int i = 0; i < reader.FieldCount; i++)
                    if (!reader.IsDBNull(i)) { text.Append(reader.GetString(i)).Append('\n'); values++; }
        }
        values.Should().BeGreaterThan(10_000, "the scan must see the de-identified rows");
        Leaks(text.ToString()).Should().BeEmpty();
    }

    [Fact]
    public void No_planted_PHI_string_appears_in_any_file_outside_bronze_and_restricted()
    {
        var files = Directory.EnumerateFiles(fx.Lake.Root, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetRelativePath(fx.Lake.Root, f).Split(Path.DirectorySeparatorChar)[0] is not ("bronze" or "restricted"))
            .ToList();
        files.Should().Contain(f => f.EndsWith(".json", StringComparison.Ordinal) && f.Contains("_delta_log", StringComparison.Ordinal));
        var found = new List<string>();
        foreach (string file in files)
        {
            // Latin-1 keeps every byte; UTF-8 values are also checked decoded, since names carry accents.
            byte[] bytes = File.ReadAllBytes(file);
            string text = Encoding.Latin1.GetString(bytes) + "\n" + Encoding.UTF8.GetString(bytes);
            found.AddRange(Leaks(text).Select(l => l + " in " + Path.GetRelativePath(fx.Lake.Root, file)));
        }
        found.Should().BeEmpty();
    }

    [Fact]
    public void Logs_hold_no_PHI_and_never_the_key()
    {
        string log = fx.Log.ToString();
        log.Should().Contain("deidentify:").And.Contain("normalize:");
        Leaks(log).Should().BeEmpty();
        log.Should().NotContain(SilverFixture.KeyA);
    }

    [Fact]
    public void The_key_appears_in_no_file_of_the_lake()
    {
        foreach (string file in Directory.EnumerateFiles(fx.Lake.Root, "*", SearchOption.AllDirectories))
            File.ReadAllText(file, Encoding.Latin1).Should().NotContain(SilverFixture.KeyA, file);
    }

    [Fact]
    public void The_scan_finds_PHI_in_bronze_so_it_can_fail()
    {
        // Oracle check of the scanner itself: the restricted normalized table holds the planted names.
        using var engine = new LakeEngine(null);
        using var command = engine.Connection.CreateCommand();
        string dir = fx.Lake.PathOf(SilverTables.InstancesNormalized);
        command.CommandText = $"SELECT string_agg(CAST(patient_name AS VARCHAR), '\n') FROM read_parquet('{dir}/*.parquet')";
        Leaks((string)command.ExecuteScalar()!).Should().NotBeEmpty();
    }

    private List<string> Leaks(string text) =>
        fx.Phi.Where(p => text.Contains(p.Value, StringComparison.OrdinalIgnoreCase)).Select(p => $"{p.Attribute} (length {p.Value.Length})").Distinct().ToList();
}
