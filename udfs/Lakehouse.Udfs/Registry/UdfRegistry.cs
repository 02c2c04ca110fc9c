using System.Text;

namespace Lakehouse.Udfs.Registry;

/// <summary>
/// Every UDF by SQL name. <see cref="Default"/> composes the areas: a new area exposes
/// <c>public static IEnumerable&lt;UdfDefinition&gt; Functions</c> and adds one line to <see cref="Areas"/>.
/// </summary>
public sealed class UdfRegistry
{
    // One line per UDF area.
    private static IEnumerable<IEnumerable<UdfDefinition>> Areas()
    {
        yield return CoreFunctions.Functions;
        yield return Labeling.LabelingUdfs.Functions;
        yield return Normalization.NormalizationUdfs.Functions;
        yield return Identity.IdentityUdfs.Functions;
    }

    private static readonly Lazy<UdfRegistry> DefaultLazy = new(() => new UdfRegistry(Areas().SelectMany(a => a)));

    private readonly Dictionary<string, UdfDefinition> byName;

    /// <summary>Builds a registry of the given functions.</summary>
    /// <exception cref="ArgumentException">Two functions share a name.</exception>
    public UdfRegistry(IEnumerable<UdfDefinition> functions)
    {
        byName = new Dictionary<string, UdfDefinition>(StringComparer.Ordinal);
        foreach (var f in functions)
            if (!byName.TryAdd(f.Name, f))
                throw new ArgumentException($"UDF {f.Name} is defined twice", nameof(functions));
        All = byName.Values.OrderBy(f => f.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The registry of every UDF of the product.</summary>
    public static UdfRegistry Default => DefaultLazy.Value;

    /// <summary>Every function, ordered by name.</summary>
    public IReadOnlyList<UdfDefinition> All { get; }

    /// <summary>Finds a function by SQL name.</summary>
    public bool TryGet(string name, out UdfDefinition definition) => byName.TryGetValue(name, out definition!);

    /// <summary>A new registry with these functions added (for tests and job-local helpers).</summary>
    public UdfRegistry With(IEnumerable<UdfDefinition> functions) => new(All.Concat(functions));

    /// <summary>The list as a Markdown table: name, signature, nullability, determinism, description.</summary>
    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| Function | Signature | Returns NULL | Deterministic | Description |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var f in All)
        {
            string nulls = f.Nulls == UdfNulls.Propagate ? (f.ReturnsNull ? "yes (NULL in, NULL out)" : "no") : (f.ReturnsNull ? "yes" : "no");
            sb.AppendLine($"| `{f.Name}` | `{f.Signature}` | {nulls} | {(f.Deterministic ? "yes" : "no")} | {f.Description.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }
        return sb.ToString();
    }
}
