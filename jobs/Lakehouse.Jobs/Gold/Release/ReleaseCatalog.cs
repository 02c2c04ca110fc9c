using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Lakehouse.Engine;
using Lakehouse.Tables;
using Lakehouse.Tables.Schema;
using Lakehouse.Tables.Transaction;

namespace Lakehouse.Jobs.Gold.Release;

/// <summary>One pinned table of a release.</summary>
/// <param name="Table">The table (silver, gold or ref).</param>
/// <param name="Version">The Delta version the release reads.</param>
public sealed record ReleaseTable(LakeTableName Table, long Version);

/// <summary>A named, immutable set of table versions: what an export reads, however the tables move on.</summary>
/// <param name="Name">The release name.</param>
/// <param name="SplitVersion">The <c>gold.splits.split_version</c> the release exports (null when the lake had no splits).</param>
/// <param name="CreatedAt">When the release was created (UTC, microseconds).</param>
/// <param name="CodeVersion">The code version that created it.</param>
/// <param name="Tables">The pinned tables, ordered by name.</param>
public sealed record LakeRelease(string Name, string? SplitVersion, DateTime CreatedAt, string CodeVersion, IReadOnlyList<ReleaseTable> Tables)
{
    /// <summary>The pinned version of <paramref name="table"/>, or null when the release does not hold it.</summary>
    public long? VersionOf(LakeTableName table) => Tables.FirstOrDefault(t => t.Table == table)?.Version;
}

/// <summary>
/// <c>gold.releases</c>: one row per (release, pinned table). A release pins the current version of every silver, gold
/// and ref table — never bronze or restricted, which hold PHI — and its name can be used once: an existing name is a
/// user error, and two concurrent creations of one name conflict at commit (same Delta app id).
/// </summary>
public static partial class ReleaseCatalog
{
    /// <summary>The releases table.</summary>
    public static readonly LakeTableName Table = new("gold", "releases");

    /// <summary>The job name recorded in lineage.</summary>
    public const string JobName = "release-create";


    /// <summary>Schema of <c>gold.releases</c> (contract).</summary>
    public static readonly StructType Schema = new(
        new StructField("release", DeltaType.String, Nullable: false),
        new StructField("table_name", DeltaType.String, Nullable: false),
        new StructField("version", DeltaType.Long, Nullable: false),
        new StructField("split_version", DeltaType.String),
        new StructField("created_at", DeltaType.Timestamp, Nullable: false),
        new StructField("code_version", DeltaType.String));

    /// <summary>The code version of this build (the entry assembly's informational version, as in commit lineage).</summary>
    public static string CurrentCodeVersion { get; } =
        (Assembly.GetEntryAssembly() ?? typeof(ReleaseCatalog).Assembly).GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex ValidName();

    /// <summary>Checks a release name: 1–64 of letters, digits, '.', '_', '-', starting with a letter or digit.</summary>
    /// <exception cref="UserInputException">The name is not valid.</exception>
    public static void CheckName(string name)
    {
        if (!ValidName().IsMatch(name))
            throw new UserInputException("release: a release name is 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
    }

    /// <summary>
    /// Creates release <paramref name="name"/>: pins the latest version of every silver, gold and ref table (except
    /// <c>gold.releases</c> itself) and the split version, and appends the rows to <c>gold.releases</c>.
    /// </summary>
    /// <param name="lake">The lake.</param>
    /// <param name="name">The new release name.</param>
    /// <param name="splitVersion">The split version to export; null takes the only one in <c>gold.splits</c> at its pinned version.</param>
    /// <param name="createdAt">The creation time; now when null (tests pass a fixed time).</param>
    /// <exception cref="UserInputException">Bad or existing name, unknown or ambiguous split version, or nothing to pin.</exception>
    public static LakeRelease Create(LakeStore lake, string name, string? splitVersion = null, DateTime? createdAt = null)
    {
        CheckName(name);
        if (Find(lake, name) is not null)
            throw new UserInputException($"release {name} already exists; a release is immutable: create one with a new name");
        var pinned = new List<ReleaseTable>();
        foreach (var candidate in lake.ListTables())
        {
            if (!Export.ExportGuard.IsExportable(candidate) || candidate == Table) continue;
            pinned.Add(new ReleaseTable(candidate, DeltaTable.Open(lake.PathOf(candidate)).Snapshot().Version));
        }
        if (pinned.Count == 0) throw new UserInputException("release: the lake has no silver, gold or ref tables to pin");
        pinned.Sort((a, b) => string.CompareOrdinal(a.Table.ToString(), b.Table.ToString()));
        splitVersion = ResolveSplitVersion(lake, pinned, splitVersion);

        // Delta timestamps are microseconds; truncate so the row reads back equal to what we return.
        var at = createdAt ?? DateTime.UtcNow;
        at = new DateTime(at.Ticks - at.Ticks % 10, DateTimeKind.Utc);
        var release = new LakeRelease(name, splitVersion, at, CurrentCodeVersion, pinned);

        var lineage = new CommitLineage(JobName)
        {
            Parameters = new Dictionary<string, string>(StringComparer.Ordinal) { ["release"] = name, ["split_version"] = splitVersion ?? "" },
            InputVersions = pinned.ToDictionary(p => p.Table.ToString(), p => p.Version, StringComparer.Ordinal),
            CodeVersion = release.CodeVersion,
        };
        var table = lake.OpenOrCreate(Table, Schema, lineage);
        var tx = table.NewTransaction(DeltaOperation.Append, lineage);
        // The app id closes the race left by Find: a creation committed at or before the version this transaction read is
        // in that snapshot's app ids; one committed after it makes Commit fail with a conflict.
        string appId = "release:" + name;
        if (table.Snapshot(version: tx.ReadVersion).TransactionVersion(appId) is not null)
            throw new UserInputException($"release {name} already exists; a release is immutable: create one with a new name");
        tx.Write(ColumnBatch.FromRows(Schema, pinned.Select(p => new Dictionary<string, object?>
        {
            ["release"] = name, ["table_name"] = p.Table.ToString(), ["version"] = p.Version,
            ["split_version"] = splitVersion, ["created_at"] = at, ["code_version"] = release.CodeVersion,
        })));
        tx.SetTransactionId(appId, 0);
        try { tx.Commit(); }
        catch (DeltaException ex) when (ex.Kind == DeltaErrorKind.Conflict)
        {
            throw new UserInputException($"release {name} was created concurrently by another process; a release is immutable", ex);
        }
        return release;
    }

    /// <summary>Every release, ordered by creation time then name.</summary>
    public static IReadOnlyList<LakeRelease> List(LakeStore lake)
    {
        if (!lake.Exists(Table)) return [];
        using var engine = new LakeEngine(new DeltaLakeSource(lake), DeltaLakeSource.EngineOptions());
        using var reader = engine.ExecuteReader(
            "SELECT release, table_name, version, split_version, created_at, code_version FROM gold.releases ORDER BY created_at, release, table_name");
        var rows = new List<(string Release, string Table, long Version, string? Split, DateTime At, string? Code)>();
        while (reader.Read())
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                DateTime.SpecifyKind(reader.GetDateTime(4), DateTimeKind.Utc), reader.IsDBNull(5) ? null : reader.GetString(5)));
        return rows.GroupBy(r => r.Release, StringComparer.Ordinal)
            .Select(g =>
            {
                var first = g.First();
                return new LakeRelease(g.Key, first.Split, first.At, first.Code ?? "unknown",
                    g.Select(r => new ReleaseTable(LakeTableName.Parse(r.Table), r.Version)).ToList());
            })
            .OrderBy(r => r.CreatedAt).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The release called <paramref name="name"/>, or null.</summary>
    public static LakeRelease? Find(LakeStore lake, string name) =>
        List(lake).FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.Ordinal));

    /// <summary>The release called <paramref name="name"/>.</summary>
    /// <exception cref="UserInputException">No such release.</exception>
    public static LakeRelease Get(LakeStore lake, string name)
    {
        CheckName(name);
        return Find(lake, name) ?? throw new UserInputException($"release {name} does not exist; see 'lakehouse release list'");
    }

    private static string? ResolveSplitVersion(LakeStore lake, List<ReleaseTable> pinned, string? requested)
    {
        var splits = new LakeTableName("gold", "splits");
        long? version = pinned.FirstOrDefault(p => p.Table == splits)?.Version;
        if (version is null)
        {
            if (requested is not null) throw new UserInputException("release: --split-version was given but the lake has no gold.splits table");
            return null;
        }
        using var engine = new LakeEngine(new DeltaLakeSource(lake), DeltaLakeSource.EngineOptions());
        engine.Pin(splits, TableVersionSpec.AtVersion(version.Value));
        var known = new List<string>();
        using (var reader = engine.ExecuteReader("SELECT DISTINCT split_version FROM gold.splits WHERE split_version IS NOT NULL ORDER BY 1"))
            while (reader.Read()) known.Add(reader.GetString(0));
        if (requested is not null)
        {
            if (!known.Contains(requested, StringComparer.Ordinal))
                throw new UserInputException($"release: split version {requested} is not in gold.splits version {version.Value.ToString(CultureInfo.InvariantCulture)} (it has: {string.Join(", ", known)})");
            return requested;
        }
        return known.Count switch
        {
            0 => throw new UserInputException($"release: gold.splits version {version.Value.ToString(CultureInfo.InvariantCulture)} has no split version; run the split job first"),
            1 => known[0],
            _ => throw new UserInputException($"release: gold.splits holds several split versions ({string.Join(", ", known)}); choose one with --split-version"),
        };
    }
}
