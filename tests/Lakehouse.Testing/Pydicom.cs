namespace Lakehouse.Testing;

/// <summary>
/// pydicom, the peer the DICOM code is compared with, through a python3 that has it: the python3 first on PATH may be a
/// pyenv shim without it, while Debian's python3-pydicom installs next to /usr/bin/python3.
/// </summary>
public static class Pydicom
{
    private static readonly Lazy<string> PythonLazy = new(() =>
    {
        foreach (string? candidate in new[] { ExternalTool.Find("python3"), "/usr/bin/python3" })
        {
            if (candidate is null || !File.Exists(candidate)) continue;
            if (ExternalTool.Run(candidate, ["-c", "import pydicom"], TimeSpan.FromMinutes(1)).Succeeded) return candidate;
        }
        throw new InvalidOperationException("no python3 with pydicom; run tests/run.sh (installs python3-pydicom)");
    });

    /// <summary>The python3 executable that imports pydicom.</summary>
    public static string Python => PythonLazy.Value;

    /// <summary>Runs a Python script (passed with -c) with arguments.</summary>
    public static ToolResult Run(string script, params string[] args) =>
        ExternalTool.Run(Python, ["-c", script, .. args], TimeSpan.FromMinutes(2));
}
