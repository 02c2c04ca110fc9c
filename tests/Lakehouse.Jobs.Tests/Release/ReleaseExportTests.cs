using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using Lakehouse.Engine;
using Lakehouse.Jobs.Export;
using Lakehouse.Jobs.Gold.Release;
using Lakehouse.Tables;
using Lakehouse.Tables.Transaction;
using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Release;

public sealed class ReleaseExportTests
{
    private static readonly DateTime ReleaseTime = new(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc);

    [Fact]
    public void Create_PinsCurrentSilverGoldRefVersions_NeverBronzeOrRestricted()
    {
        using var lake = new ReleaseLake();
        var release = ReleaseCatalog.Create(lake.Lake, "r1", createdAt: ReleaseTime);

        release.SplitVersion.Should().Be("sv1");
        release.Tables.Select(t => t.Table.ToString()).Should().Equal("gold.splits", "gold.study_labels", "ref.sites", "silver.instances");
        release.VersionOf(new("silver", "instances")).Should().Be(2);
        release.VersionOf(new("gold", "study_labels")).Should().Be(2);
        release.VersionOf(new("gold", "splits")).Should().Be(1);
        release.VersionOf(new("ref", "sites")).Should().Be(1);

        var read = ReleaseCatalog.Get(lake.Lake, "r1");
        read.Should().BeEquivalentTo(release);
        read.CreatedAt.Should().Be(ReleaseTime);
        DeltaCheck.Check(lake.Lake.PathOf(ReleaseCatalog.Table)).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Create_SameNameTwice_IsUserError_AndLeavesReleaseUnchanged()
    {
        using var lake = new ReleaseLake();
        ReleaseCatalog.Create(lake.Lake, "r1", createdAt: ReleaseTime);
        long version = DeltaTable.Open(lake.Lake.PathOf(ReleaseCatalog.Table)).Snapshot().Version;
        lake.AddPatients(60, 70);

        var again = () => ReleaseCatalog.Create(lake.Lake, "r1");
        again.Should().Throw<UserInputException>().WithMessage("*r1 already exists*immutable*");
        DeltaTable.Open(lake.Lake.PathOf(ReleaseCatalog.Table)).Snapshot().Version.Should().Be(version);
        ReleaseCatalog.Get(lake.Lake, "r1").VersionOf(new("silver", "instances")).Should().Be(2);
        ReleaseCatalog.List(lake.Lake).Should().ContainSingle();

        var badName = () => ReleaseCatalog.Create(lake.Lake, "../r2");
        badName.Should().Throw<UserInputException>();
    }

    [Fact]
    public void Create_SameNameConcurrently_CommitsOnce()
    {
        using var lake = new ReleaseLake();
        ReleaseCatalog.Create(lake.Lake, "r0", createdAt: ReleaseTime); // gold.releases exists: the race is on the commit, not the create
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<bool>();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            try { ReleaseCatalog.Create(lake.Lake, "r1", createdAt: ReleaseTime); outcomes.Add(true); }
            catch (UserInputException) { outcomes.Add(false); }
        });
        outcomes.Count(o => o).Should().Be(1);
        using var engine = new LakeEngine(new DeltaLakeSource(lake.Lake));
        Convert.ToInt64(engine.ExecuteScalar("SELECT count(*) FROM gold.releases WHERE release = 'r1'"), System.Globalization.CultureInfo.InvariantCulture)
            .Should().Be(4, "one row per pinned table, written once");
    }

    [Fact]
    public void Create_WithSeveralSplitVersions_NeedsSplitVersion()
    {
        using var lake = new ReleaseLake();
        lake.WriteSplits("sv2", 0, 60, shift: 5, DeltaOperation.Append);

        var ambiguous = () => ReleaseCatalog.Create(lake.Lake, "r1");
        ambiguous.Should().Throw<UserInputException>().WithMessage("*several split versions*--split-version*");
        var unknown = () => ReleaseCatalog.Create(lake.Lake, "r1", "sv9");
        unknown.Should().Throw<UserInputException>().WithMessage("*sv9 is not in gold.splits*");
        ReleaseCatalog.Create(lake.Lake, "r1", "sv2").SplitVersion.Should().Be("sv2");
    }

    [Fact]
    public void Reexport_AfterTablesMoveOn_IsByteIdentical_AndReadsPinnedVersions()
    {
        using var lake = new ReleaseLake();
        using var outA = new TempDirectory("export-a");
        using var outB = new TempDirectory("export-b");
        using var outC = new TempDirectory("export-c");
        ReleaseCatalog.Create(lake.Lake, "r1", createdAt: ReleaseTime);
        var first = ReleaseExporter.Export(lake.Lake, "r1", outA.Path);

        // The tables move on: new instances and labels, a new split version replacing the old one.
        lake.AddPatients(60, 90);
        lake.WriteSplits("sv2", 0, 90, shift: 3, DeltaOperation.Overwrite);
        var second = ReleaseExporter.Export(lake.Lake, "r1", outB.Path);

        foreach (string file in new[] { "train.parquet", "validation.parquet", "test.parquet", "manifest.json" })
            Hash(outB.Combine(file)).Should().Be(Hash(outA.Combine(file)), file + " must not change on re-export");
        second.Files.Should().BeEquivalentTo(first.Files);
        // Re-exporting over an earlier export replaces it in place, leaving nothing else behind.
        string before = Hash(outA.Combine("manifest.json"));
        ReleaseExporter.Export(lake.Lake, "r1", outA.Path);
        Hash(outA.Combine("manifest.json")).Should().Be(before);
        Directory.EnumerateFileSystemEntries(outA.Path).Select(Path.GetFileName).Should()
            .BeEquivalentTo("train.parquet", "validation.parquet", "test.parquet", "manifest.json");
        // 60 pinned patients x 4 instances, all with a split.
        first.Files.Sum(f => f.Rows).Should().Be(240);
        first.InstancesWithoutSplit.Should().Be(0);

        // The same export at the latest versions differs: the comparison above can fail.
        ReleaseCatalog.Create(lake.Lake, "r2", createdAt: ReleaseTime);
        var latest = ReleaseExporter.Export(lake.Lake, "r2", outC.Path);
        latest.Files.Sum(f => f.Rows).Should().Be(360);
        Hash(outC.Combine("train.parquet")).Should().NotBe(Hash(outA.Combine("train.parquet")));
    }

    [Fact]
    public void Manifest_MatchesFiles_CountsHashesSchemaVersions()
    {
        using var lake = new ReleaseLake();
        using var output = new TempDirectory("export");
        ReleaseCatalog.Create(lake.Lake, "r1", createdAt: ReleaseTime);
        ReleaseExporter.Export(lake.Lake, "r1", output.Path);

        var manifest = JsonNode.Parse(File.ReadAllText(output.Combine("manifest.json")))!.AsObject();
        ((string?)manifest["release"]).Should().Be("r1");
        ((string?)manifest["created_at"]).Should().Be("2026-03-04T05:06:07.000000Z");
        ((string?)manifest["split_version"]).Should().Be("sv1");
        ((string?)manifest["code_version"]).Should().Be(ReleaseCatalog.CurrentCodeVersion);
        File.ReadAllText(output.Combine("manifest.json")).Should().NotContain("\\u00", "the manifest is readable JSON, not escaped");
        ((long)manifest["table_versions"]!["silver.instances"]!).Should().Be(2);
        ((long)manifest["input_versions"]!["gold.splits"]!).Should().Be(1);
        manifest["table_versions"]!.AsObject().Select(kv => kv.Key).Should().NotContain(k => k.StartsWith("bronze.") || k.StartsWith("restricted."));

        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        var files = manifest["files"]!.AsArray();
        files.Select(f => (string?)f!["name"]).Should().Equal("train.parquet", "validation.parquet", "test.parquet");
        foreach (var f in files)
        {
            string path = output.Combine((string)f!["name"]!);
            ((string?)f["sha256"]).Should().Be(Hash(path));
            ((long)f["bytes"]!).Should().Be(new FileInfo(path).Length);
            ((long)f["rows"]!).Should().Be(Scalar<long>(duck, $"SELECT count(*) FROM read_parquet('{path}')")).And.BePositive();
            Scalar<long>(duck, $"SELECT count(*) FROM read_parquet('{path}') WHERE split <> '{(string)f["split"]!}'").Should().Be(0);

            var schema = Rows(duck, $"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{path}'))");
            schema.Should().Equal(manifest["schema"]!.AsArray().Select(c => new[] { (string)c!["name"]!, (string)c["type"]! }),
                (a, b) => a.SequenceEqual(b));
            Rows(duck, $"SELECT DISTINCT compression FROM parquet_metadata('{path}')").Select(r => r[0]).Should().Equal("ZSTD");
            // No writer key-value metadata (where an export time could hide); row groups within the fixed size.
            Scalar<long>(duck, $"SELECT count(*) FROM parquet_kv_metadata('{path}')").Should().Be(0);
            Scalar<long>(duck, $"SELECT max(row_group_num_rows) FROM parquet_metadata('{path}')").Should().BeLessThanOrEqualTo(ReleaseExporter.RowGroupSize);

            // Rows ordered by SOP instance UID.
            var sops = Rows(duck, $"SELECT sop_instance_uid FROM read_parquet('{path}')").Select(r => r[0]).ToList();
            sops.Should().BeInAscendingOrder(StringComparer.Ordinal);
        }
        // Each patient is in exactly one split file.
        Scalar<long>(duck, $"SELECT count(*) FROM (SELECT patient_id FROM read_parquet(['{output.Combine("train.parquet")}','{output.Combine("validation.parquet")}','{output.Combine("test.parquet")}'], filename = true) GROUP BY patient_id HAVING count(DISTINCT filename) > 1)").Should().Be(0);
    }

    [Fact]
    public void Export_ContainsNoBronzeOrRestrictedValue()
    {
        using var lake = new ReleaseLake();
        using var output = new TempDirectory("export");
        ReleaseCatalog.Create(lake.Lake, "r1", createdAt: ReleaseTime);
        ReleaseExporter.Export(lake.Lake, "r1", output.Path);

        // Every restricted original and every bronze value, as the oracle of what must not leave.
        using var engine = new LakeEngine(new DeltaLakeSource(lake.Lake), DeltaLakeSource.EngineOptions(allowRestricted: true));
        var forbidden = new List<string>();
        using (var reader = engine.ExecuteReader("SELECT original FROM restricted.crosswalk UNION SELECT patient_name FROM bronze.dicom_instances UNION SELECT source_path FROM bronze.dicom_instances"))
            while (reader.Read()) forbidden.Add(reader.GetString(0));
        forbidden.Should().Contain(ReleaseLake.PhiValues);

        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        var text = new System.Text.StringBuilder(File.ReadAllText(output.Combine("manifest.json")));
        foreach (string split in ExportSchema.Splits)
            foreach (var row in Rows(duck, $"SELECT * FROM read_parquet('{output.Combine(split + ".parquet")}')"))
                text.AppendJoin('\u0001', row).Append('\n');
        string all = text.ToString();
        all.Should().Contain("PT-0001", "the scan must see the exported values");
        foreach (string value in forbidden) all.Should().NotContain(value);
    }

    [Fact]
    public void Export_RefusesAReleaseThatPinsBronzeOrRestricted()
    {
        using var lake = new ReleaseLake();
        using var output = new TempDirectory("export");
        ReleaseCatalog.Create(lake.Lake, "forged", createdAt: ReleaseTime);
        // A hand-edited release row pointing at a PHI table.
        var releases = DeltaTable.Open(lake.Lake.PathOf(ReleaseCatalog.Table));
        ReleaseLake.Append(releases, Tables.Transaction.ColumnBatch.FromRows(ReleaseCatalog.Schema, [new Dictionary<string, object?>
        {
            ["release"] = "forged", ["table_name"] = "restricted.crosswalk", ["version"] = 1L, ["split_version"] = "sv1",
            ["created_at"] = ReleaseTime, ["code_version"] = "x",
        }]));

        var export = () => ReleaseExporter.Export(lake.Lake, "forged", output.Path);
        export.Should().Throw<UserInputException>().WithMessage("*restricted.crosswalk is in the restricted zone*never exported*");
        Directory.EnumerateFiles(output.Path).Should().BeEmpty();

        ExportGuard.IsExportable(new LakeTableName("bronze", "dicom_instances")).Should().BeFalse();
        ExportGuard.IsExportable(new LakeTableName("restricted", "patient_persons")).Should().BeFalse();
        ExportGuard.IsExportable(new LakeTableName("silver", "instances")).Should().BeTrue();
        ExportGuard.IsExportable(new LakeTableName("ref", "sites")).Should().BeTrue();
        ExportGuard.IsExportable(new LakeTableName("", "instances")).Should().BeFalse();
        ExportGuard.IsExportable(new LakeTableName("scratch", "x")).Should().BeFalse();
        var bronze = () => ExportGuard.EnsureExportable(new LakeTableName("bronze", "reports"));
        bronze.Should().Throw<UserInputException>();
    }

    [Fact]
    public void Export_UnknownRelease_IsUserError()
    {
        using var lake = new ReleaseLake();
        var export = () => ReleaseExporter.Export(lake.Lake, "nope", lake.Root);
        export.Should().Throw<UserInputException>().WithMessage("*release nope does not exist*");
    }

    internal static string Hash(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    internal static T Scalar<T>(DuckDBConnection duck, string sql)
    {
        using var c = duck.CreateCommand();
        c.CommandText = sql;
        return (T)Convert.ChangeType(c.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static List<string[]> Rows(DuckDBConnection duck, string sql)
    {
        using var c = duck.CreateCommand();
        c.CommandText = sql;
        using var r = c.ExecuteReader();
        var rows = new List<string[]>();
        while (r.Read())
            rows.Add(Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray());
        return rows;
    }
}
