namespace Lakehouse.Testing;

/// <summary>
/// The independent Delta validator in shared/tools/delta-check, run with --strict on every table we write.
/// It needs its npm dependencies, installed once into a cache folder outside the repository
/// (shared/ is read-only and the tool must not be copied into the repo): .ci/run does it, and so does the first call here.
/// </summary>
public static class DeltaCheck
{
    private static readonly object InstallLock = new();

    /// <summary>The installed copy of the tool: $LAKEHOUSE_DELTA_CHECK, else ~/.cache/lakehouse/delta-check.</summary>
    public static string InstallDirectory =>
        Environment.GetEnvironmentVariable("LAKEHOUSE_DELTA_CHECK") is { Length: > 0 } env
            ? env
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "lakehouse", "delta-check");

    /// <summary>Runs <c>delta-check check TABLE --strict</c> (plus extra arguments) and returns its result.</summary>
    public static ToolResult Check(string tableDirectory, params string[] extraArgs)
    {
        string dir = EnsureInstalled();
        string node = ExternalTool.Require("node");
        return ExternalTool.Run(node, [Path.Combine(dir, "delta-check.mjs"), "check", tableDirectory, "--strict", .. extraArgs],
            TimeSpan.FromMinutes(5));
    }

    /// <summary>Copies the tool out of shared/ and runs npm install there, once per machine.</summary>
    public static string EnsureInstalled()
    {
        lock (InstallLock)
        {
            string dir = InstallDirectory;
            if (File.Exists(Path.Combine(dir, "node_modules", "@duckdb", "node-api", "package.json"))
                && File.Exists(Path.Combine(dir, "delta-check.mjs")))
                return dir;
            string source = RepoPaths.SharedFile("tools", "delta-check");
            CopyDirectory(source, dir);
            var npm = ExternalTool.Run(ExternalTool.Require("npm"), ["install", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(10), dir);
            if (!npm.Succeeded) throw new InvalidOperationException("npm install for delta-check failed: " + npm.StdErr);
            return dir;
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(from, file);
            if (rel.StartsWith("node_modules", StringComparison.Ordinal)) continue;
            string target = Path.Combine(to, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
            File.SetAttributes(target, FileAttributes.Normal);
        }
    }
}
