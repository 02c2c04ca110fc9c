namespace Lakehouse.Testing;

/// <summary>Where the repository and the shared data beside it are.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Lakehouse.sln"))) return dir.FullName;
        throw new InvalidOperationException("Lakehouse.sln not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root (holds Lakehouse.sln).</summary>
    public static string Root => RootLazy.Value;

    /// <summary>
    /// The shared data folder: $LAKEHOUSE_SHARED, else ../shared beside the repository root.
    /// Tests that need it fail when it is missing: CI always has it.
    /// </summary>
    public static string Shared
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("LAKEHOUSE_SHARED");
            string path = !string.IsNullOrEmpty(env) ? env : Path.GetFullPath(Path.Combine(Root, "..", "shared"));
            if (!Directory.Exists(path))
                throw new DirectoryNotFoundException($"shared data not found at {path}; set LAKEHOUSE_SHARED");
            return path;
        }
    }

    /// <summary>
    /// The built <c>lakehouse</c> CLI (jobs/Lakehouse.Cli output of the same configuration as the running tests), for tests
    /// that need a real separate process (crash and concurrency tests). The solution build builds it.
    /// </summary>
    public static string CliDll
    {
        get
        {
            string config = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
            string dll = Path.Combine(Root, "jobs", "Lakehouse.Cli", "bin", config, "net10.0", "lakehouse.dll");
            if (!File.Exists(dll)) throw new FileNotFoundException($"build the CLI first (dotnet build Lakehouse.sln -c {config}): {dll} is missing");
            return dll;
        }
    }

    /// <summary>A path below the shared folder.</summary>
    public static string SharedFile(params string[] parts) => Path.Combine([Shared, .. parts]);
}
