using Lakehouse.Udfs.Registry;

namespace Lakehouse.Udfs.Normalization;

/// <summary>
/// The normalization functions of <see cref="NormalizationFunctions"/> as registry UDFs (NULL in → the function decides),
/// plus <c>age_band</c>. <see cref="Functions"/> uses the embedded reference CSVs; <see cref="For"/> binds the mappings a job
/// loaded from the <c>ref.*</c> tables.
/// </summary>
public static class NormalizationUdfs
{
    /// <summary>Age bands of the diversity profile, lower bounds in years.</summary>
    public static string? AgeBand(double? years) => years switch
    {
        null or < 0 or double.NaN => null,
        < 18 => "0-17",
        < 40 => "18-39",
        < 65 => "40-64",
        < 90 => "65-89",
        _ => "90+",
    };

    /// <summary>The functions over the embedded reference mappings (the registry area).</summary>
    public static IEnumerable<UdfDefinition> Functions => For(NormalizationFunctions.Default);

    /// <summary>The functions over the given mappings (names as in <see cref="NormalizationFunctions.All"/>).</summary>
    public static IEnumerable<UdfDefinition> For(NormalizationFunctions functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var receive = new UdfOptions(UdfNulls.Receive);
        foreach (var f in functions.All())
        {
            string description = $"Normalization: {f.Name} (mappings of pipelines/ref)";
            yield return f.Function switch
            {
                Func<string?, string?> g => Udf.Define(f.Name, description, ["value"], g, receive),
                Func<string?, bool> g => Udf.Define(f.Name, description, ["value"], g, receive),
                Func<string?, double?> g => Udf.Define(f.Name, description, ["value"], g, receive),
                Func<string?, string?, string?> g => Udf.Define(f.Name, description, ["value", "context"], g, receive),
                Func<string?, string?, bool> g => Udf.Define(f.Name, description, ["value", "context"], g, receive),
                Func<string?, string?, double?> g => Udf.Define(f.Name, description, ["first", "second"], g, receive),
                Func<string?, string?, string?, string?, string?> g => Udf.Define(f.Name, description, ["da", "tm", "dt", "tz_offset"], g, receive),
                _ => throw new NotSupportedException($"normalization function {f.Name} has an unsupported signature"),
            };
        }
        yield return Udf.Define<double?, string?>("age_band", "Age band of an age in years: 0-17, 18-39, 40-64, 65-89, 90+ (NULL when unknown)",
            ["age_years"], AgeBand, receive);
    }
}
