using Lakehouse.Testing;

namespace Lakehouse.Jobs.Tests.Sample;

/// <summary>Runs Python scripts with a python3 that has pydicom (PATH first, then the system one Debian's python3-pydicom installs into).</summary>
internal static class Pydicom
{
    private static readonly Lazy<string> Python = new(() =>
    {
        foreach (string? candidate in new[] { ExternalTool.Find("python3"), "/usr/bin/python3" })
        {
            if (candidate is null || !File.Exists(candidate)) continue;
            if (ExternalTool.Run(candidate, ["-c", "import pydicom"]).Succeeded) return candidate;
        }
        throw new InvalidOperationException("no python3 with pydicom; run tests/run.sh to install python3-pydicom");
    });

    public static ToolResult Run(string script, params string[] args) =>
        ExternalTool.Run(Python.Value, ["-c", script, .. args], TimeSpan.FromMinutes(2));
}
