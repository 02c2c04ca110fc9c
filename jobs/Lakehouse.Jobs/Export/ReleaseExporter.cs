using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Lakehouse.Engine;
using Lakehouse.Jobs.Gold.Release;

namespace Lakehouse.Jobs.Export;

/// <summary>One written split file.</summary>
/// <param name="Name">File name (train.parquet, ...).</param>
/// <param name="Split">The split it holds.</param>
/// <param name="Rows">Row count.</param>
/// <param name="Bytes">File size.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file.</param>
public sealed record ExportedFile(string Name, string Split, long Rows, long Bytes, string Sha256);

/// <summary>What an export wrote.</summary>
/// <param name="Release">The release exported.</param>
/// <param name="Directory">The output folder.</param>
/// <param name="Files">The split files.</param>
/// <param name="InstancesWithoutSplit">Instances whose patient has no split in the release's split version (not exported).</param>
/// <param name="ManifestPath">The manifest.json written.</param>
public sealed record ExportResult(LakeRelease Release, string Directory, IReadOnlyList<ExportedFile> Files, long InstancesWithoutSplit, string ManifestPath);

/// <summary>
/// Writes a release as ML-ready files: <c>train.parquet</c>, <c>validation.parquet</c>, <c>test.parquet</c> (one row per
/// instance: keys, normalized attributes, the 14 study labels, split) and <c>manifest.json</c>. Everything is read at the
/// release's pinned versions and written deterministically — rows ordered by SOP instance UID (ties by every other column),
/// one DuckDB thread, fixed row-group size and compression, no export-time clock anywhere — so re-exporting a release later
/// gives byte-identical files, whatever the tables did since.
/// </summary>
public static class ReleaseExporter
{
    /// <summary>Rows per Parquet row group (fixed: it shapes the bytes).</summary>
    public const int RowGroupSize = 100_000;

    /// <summary>The manifest format identifier.</summary>
    public const string ManifestFormat = "lakehouse-release-export/1";

    /// <summary>The tables an export reads.</summary>
    public static readonly IReadOnlyList<LakeTableName> Inputs =
        [new("silver", "instances"), new("gold", "study_labels"), new("gold", "splits")];

    /// <summary>Exports release <paramref name="releaseName"/> into <paramref name="outputDirectory"/> (created; files replaced).</summary>
    /// <exception cref="UserInputException">Unknown release, a PHI table in the release, or a required table missing from it.</exception>
    public static ExportResult Export(LakeStore lake, string releaseName, string outputDirectory)
    {
        var release = ReleaseCatalog.Get(lake, releaseName);
        foreach (var pinned in release.Tables) ExportGuard.EnsureExportable(pinned.Table);
        if (release.SplitVersion is null) throw new UserInputException($"export: release {release.Name} has no split version (gold.splits was missing when it was created)");
        var versions = Inputs.ToDictionary(t => t, t => release.VersionOf(t)
            ?? throw new UserInputException($"export: release {release.Name} does not pin {t}, which the export reads"));

        string outDir = Path.GetFullPath(outputDirectory);
        Directory.CreateDirectory(outDir);
        // Restricted tables are not even mountable in this engine; the guard above also keeps bronze out.
        using var engine = new LakeEngine(new DeltaLakeSource(lake), DeltaLakeSource.EngineOptions(allowRestricted: false));
        foreach (var (table, version) in versions)
        {
            ExportGuard.EnsureExportable(table);
            engine.Pin(table, TableVersionSpec.AtVersion(version));
        }
        // One thread: DuckDB's parallel Parquet writer may cut row groups differently from run to run.
        engine.ExecuteNonQuery("SET threads = 1; SET preserve_insertion_order = true");
        string duckDbVersion = Convert.ToString(engine.ExecuteScalar("SELECT version()"), CultureInfo.InvariantCulture) ?? "unknown";

        var files = new List<ExportedFile>();
        foreach (string split in ExportSchema.Splits)
        {
            string name = split + ".parquet";
            string target = Path.Combine(outDir, name);
            string temp = Path.Combine(outDir, $".{name}.{Guid.NewGuid():N}.tmp");
            try
            {
                engine.ExecuteNonQuery($"COPY ({SplitQuery(release.SplitVersion, split)}) TO {Sql.String(temp)} " +
                    $"(FORMAT PARQUET, COMPRESSION ZSTD, COMPRESSION_LEVEL 3, ROW_GROUP_SIZE {RowGroupSize.ToString(CultureInfo.InvariantCulture)}, PARQUET_VERSION V1)");
                File.Move(temp, target, overwrite: true);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
            long rows = Convert.ToInt64(engine.ExecuteScalar($"SELECT count(*) FROM read_parquet({Sql.String(target)})"), CultureInfo.InvariantCulture);
            files.Add(new ExportedFile(name, split, rows, new FileInfo(target).Length, Sha256(target)));
        }
        long withoutSplit = Convert.ToInt64(engine.ExecuteScalar(
            "SELECT count(*) FROM silver.instances i WHERE NOT EXISTS (SELECT 1 FROM gold.splits s WHERE s.patient_id = i.patient_id AND s.split_version = " +
            Sql.String(release.SplitVersion) + ")"), CultureInfo.InvariantCulture);

        string manifest = Path.Combine(outDir, "manifest.json");
        File.WriteAllBytes(manifest, Manifest(release, versions, files, withoutSplit, duckDbVersion));
        return new ExportResult(release, outDir, files, withoutSplit, manifest);
    }

    /// <summary>The SELECT of one split file: instances of patients in that split, their study's labels, ordered deterministically.</summary>
    public static string SplitQuery(string splitVersion, string split)
    {
        var select = string.Join(", ", ExportSchema.Columns.Select(c => $"{c.Source} AS {Sql.Identifier(c.Name)}"));
        var order = string.Join(", ", new[] { "sop_instance_uid" }.Concat(ExportSchema.Columns.Select(c => c.Name).Where(n => n != "sop_instance_uid"))
            .Select(n => Sql.Identifier(n) + " NULLS FIRST"));
        return $"SELECT {select} FROM silver.instances i " +
               $"JOIN gold.splits s ON s.patient_id = i.patient_id AND s.split_version = {Sql.String(splitVersion)} " +
               "LEFT JOIN gold.study_labels l ON l.study_instance_uid = i.study_instance_uid " +
               $"WHERE s.split = {Sql.String(split)} ORDER BY {order}";
    }

    private static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static byte[] Manifest(LakeRelease release, Dictionary<LakeTableName, long> inputs, List<ExportedFile> files, long withoutSplit, string duckDbVersion)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("format", ManifestFormat);
            json.WriteString("release", release.Name);
            // The release's creation time, not the export's: a re-export must not change a byte.
            json.WriteString("created_at", release.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("code_version", release.CodeVersion);
            json.WriteString("split_version", release.SplitVersion);
            json.WriteStartObject("table_versions");
            foreach (var t in release.Tables) json.WriteNumber(t.Table.ToString(), t.Version);
            json.WriteEndObject();
            json.WriteStartObject("input_versions");
            foreach (var (t, v) in inputs.OrderBy(kv => kv.Key.ToString(), StringComparer.Ordinal)) json.WriteNumber(t.ToString(), v);
            json.WriteEndObject();
            json.WriteStartArray("files");
            foreach (var f in files)
            {
                json.WriteStartObject();
                json.WriteString("name", f.Name);
                json.WriteString("split", f.Split);
                json.WriteNumber("rows", f.Rows);
                json.WriteNumber("bytes", f.Bytes);
                json.WriteString("sha256", f.Sha256);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNumber("instances_without_split", withoutSplit);
            json.WriteString("row_order", "sop_instance_uid, then every other column");
            json.WriteStartArray("schema");
            foreach (var c in ExportSchema.Columns)
            {
                json.WriteStartObject();
                json.WriteString("name", c.Name);
                json.WriteString("type", c.DuckDbType);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject("writer");
            json.WriteString("engine", "duckdb " + duckDbVersion);
            json.WriteString("compression", "zstd level 3");
            json.WriteNumber("row_group_size", RowGroupSize);
            json.WriteString("parquet_version", "V1");
            json.WriteEndObject();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
