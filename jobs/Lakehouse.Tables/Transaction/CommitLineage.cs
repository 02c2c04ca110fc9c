using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Lakehouse.Tables.Transaction;

/// <summary>
/// Who produced a commit, recorded in commitInfo: the job, its (non-secret) parameters, the versions of the input tables
/// read and the code version. Keys and values that look like credentials are refused: commit logs are widely readable.
/// </summary>
public sealed partial record CommitLineage(string JobName)
{
    /// <summary>Job parameters (never secrets, never PHI).</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }
    /// <summary>Input table → the version this job read.</summary>
    public IReadOnlyDictionary<string, long>? InputVersions { get; init; }
    /// <summary>The code version; defaults to the entry assembly's informational version (git sha when the build stamps it).</summary>
    public string? CodeVersion { get; init; }

    [GeneratedRegex(@"pass(word|wd)|^pwd$|secret|token|credential|api[-_ ]?key|access[-_ ]?key|private[-_ ]?key|account[-_ ]?key|^key$|conn(ection)?[-_ ]?str|^sas$|sig(nature)?$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretKeyName();

    [GeneratedRegex(@"password=|pwd=|accountkey=|sharedaccesssignature=|AKIA[0-9A-Z]{16}|eyJ[A-Za-z0-9_-]{10,}\.|-----BEGIN", RegexOptions.IgnoreCase)]
    private static partial Regex SecretValue();

    internal JsonObject ToJson(string table)
    {
        var o = new JsonObject { ["job"] = JobName };
        if (Parameters is { Count: > 0 })
        {
            var p = new JsonObject();
            foreach (var (name, value) in Parameters)
            {
                if (SecretKeyName().IsMatch(name) || SecretValue().IsMatch(value))
                    throw new DeltaException(DeltaErrorKind.InvalidArgument, table, $"lineage parameter '{name}' looks like a credential and would be written to the commit log",
                        "Pass secrets through the environment, not as lineage parameters; rename the parameter if it is not a secret.");
                p[name] = value;
            }
            o["parameters"] = p;
        }
        if (InputVersions is { Count: > 0 })
        {
            var iv = new JsonObject();
            foreach (var (name, version) in InputVersions) iv[name] = version;
            o["inputVersions"] = iv;
        }
        o["codeVersion"] = CodeVersion ?? DefaultCodeVersion;
        return o;
    }

    internal static readonly string DefaultCodeVersion =
        (Assembly.GetEntryAssembly() ?? typeof(CommitLineage).Assembly).GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
