using System.Text.Json.Nodes;

namespace Lakehouse.Tables.LogSegment;

/// <summary>
/// The log files that rebuild one version: the newest complete checkpoint at or below it (if any) plus the commits after it.
/// Invariants (checked by <see cref="TryCreate"/>): checkpoint parts are complete; <see cref="AscendingCommits"/> are contiguous
/// and start right after the checkpoint (or at 0); the last commit (or the checkpoint) is exactly <see cref="EndVersion"/>.
/// </summary>
internal sealed class LogSegment
{
    public required string Table { get; init; }
    public required long EndVersion { get; init; }
    /// <summary>The checkpoint's version, or -1 when replay starts at commit 0.</summary>
    public required long CheckpointVersion { get; init; }
    /// <summary>All part files of the chosen checkpoint, in part order (empty when none).</summary>
    public required IReadOnlyList<string> CheckpointParts { get; init; }
    /// <summary>(version, path) of the commits after the checkpoint, ascending and contiguous.</summary>
    public required IReadOnlyList<(long Version, string Path)> AscendingCommits { get; init; }

    /// <summary>Every commit file in the log (for history and timestamp lookups), ascending.</summary>
    public required IReadOnlyList<(long Version, string Path)> AllCommits { get; init; }

    /// <summary>Lists the log and builds the segment for <paramref name="version"/> (latest when null).</summary>
    public static LogSegment TryCreate(string table, long? version)
    {
        var listing = LogListing.List(table);
        long latest = listing.LatestVersion;
        long end = version ?? latest;
        ValidateEndVersion(table, end, latest);
        var checkpoint = ChooseCheckpoint(listing, end);
        long startAfter = checkpoint?.Version ?? -1;
        var commits = listing.Commits.Where(c => c.Version > startAfter && c.Version <= end).ToList();
        ValidateCommitsContiguous(table, commits, startAfter, end, listing);
        return new LogSegment
        {
            Table = table,
            EndVersion = end,
            CheckpointVersion = startAfter,
            CheckpointParts = checkpoint?.Parts ?? [],
            AscendingCommits = commits,
            AllCommits = listing.Commits,
        };
    }

    private static void ValidateEndVersion(string table, long end, long latest)
    {
        if (end < 0 || end > latest)
            throw new DeltaException(DeltaErrorKind.VersionNotFound, table, $"version {end} does not exist (latest is {latest})",
                "Ask for a version between the oldest reconstructable version and the latest one; see History().");
    }

    /// <summary>The newest checkpoint at or below <paramref name="end"/> whose parts are all present; incomplete ones are skipped.</summary>
    private static (long Version, IReadOnlyList<string> Parts)? ChooseCheckpoint(LogListing listing, long end)
    {
        foreach (var group in listing.Checkpoints.Where(c => c.Version <= end).GroupBy(c => (c.Version, c.Parts)).OrderByDescending(g => g.Key.Version))
        {
            if (ValidateCheckpointParts(group.Key.Parts, group.Select(c => c.Part)))
                return (group.Key.Version, group.OrderBy(c => c.Part).Select(c => c.Path).ToList());
        }
        return null;
    }

    private static bool ValidateCheckpointParts(int parts, IEnumerable<int> present) => present.Distinct().Count() == parts;

    private static void ValidateCommitsContiguous(string table, List<(long Version, string Path)> commits, long startAfter, long end, LogListing listing)
    {
        long expected = startAfter + 1;
        foreach (var (v, _) in commits)
        {
            if (v != expected) break;
            expected++;
        }
        if (expected == end + 1) return;
        if (startAfter < 0 && listing.Commits.Count > 0 && listing.Commits[0].Version > 0 && listing.Commits[0].Version <= end)
            throw new DeltaException(DeltaErrorKind.VersionNotFound, table,
                $"version {end} cannot be reconstructed: the log starts at commit {listing.Commits[0].Version} and there is no complete checkpoint at or below version {end}",
                "Older versions were cleaned up; read a version at or after the oldest checkpoint.");
        if (startAfter < 0 && (listing.Commits.Count == 0 || listing.Commits[0].Version > end))
            throw new DeltaException(DeltaErrorKind.VersionNotFound, table,
                $"version {end} cannot be reconstructed: no commit or checkpoint at or below it remains in the log",
                "Older versions were cleaned up; read a version at or after the oldest checkpoint.");
        throw new DeltaException(DeltaErrorKind.InvalidTable, table, $"the log is not contiguous: commit {expected} is missing",
            "The _delta_log was damaged (a commit file deleted or not copied); restore it from a backup.");
    }
}

/// <summary>One listing of <c>_delta_log</c>.</summary>
internal sealed class LogListing
{
    public required List<(long Version, string Path)> Commits { get; init; }
    public required List<(long Version, int Part, int Parts, string Path)> Checkpoints { get; init; }
    public long LatestVersion => Math.Max(Commits.Count > 0 ? Commits[^1].Version : -1, Checkpoints.Count > 0 ? Checkpoints.Max(c => c.Version) : -1);

    public static LogListing List(string table)
    {
        string logDir = Path.Combine(table, "_delta_log");
        if (!Directory.Exists(logDir))
            throw new DeltaException(DeltaErrorKind.TableNotFound, table, "no _delta_log directory", "Check the path, or create the table with DeltaTable.Create.");
        var commits = new List<(long, string)>();
        var checkpoints = new List<(long, int, int, string)>();
        foreach (string file in Directory.EnumerateFiles(logDir))
        {
            string name = Path.GetFileName(file);
            if (LogFiles.TryParseCommit(name, out long v)) commits.Add((v, file));
            else if (LogFiles.TryParseCheckpoint(name, out long cv, out int part, out int parts)) checkpoints.Add((cv, part, parts, file));
        }
        commits.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        // The _last_checkpoint hint is only a shortcut for object stores; on a local file system the listing is authoritative,
        // so a corrupt, empty or stale hint can never hide a newer checkpoint.
        var listing = new LogListing { Commits = commits, Checkpoints = checkpoints };
        if (listing.LatestVersion < 0)
            throw new DeltaException(DeltaErrorKind.TableNotFound, table, "_delta_log holds no commit or checkpoint", "Check the path, or create the table with DeltaTable.Create.");
        return listing;
    }
}

/// <summary>The <c>_last_checkpoint</c> file (protocol §Last Checkpoint File Schema).</summary>
internal static class LastCheckpointFile
{
    /// <summary>The version the hint names, or null when the file is missing, empty or corrupt (then listing decides).</summary>
    public static long? TryRead(string table)
    {
        string path = Path.Combine(table, "_delta_log", "_last_checkpoint");
        try
        {
            if (!File.Exists(path)) return null;
            return (long?)JsonNode.Parse(File.ReadAllText(path))?["version"];
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or IOException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
