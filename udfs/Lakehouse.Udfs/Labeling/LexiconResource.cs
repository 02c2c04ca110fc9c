using System.Reflection;

namespace Lakehouse.Udfs.Labeling;

/// <summary>Reads the shipped labeling lexicon (<c>Data/labeling/lexicon.json</c>, an embedded resource).</summary>
internal static class LexiconResource
{
    public static string ReadJson()
    {
        var assembly = typeof(LexiconResource).Assembly;
        // The logical name carries the folder with the platform's separator; match on the tail.
        var name = assembly.GetManifestResourceNames()
            .Single(n => n.EndsWith("lexicon.json", StringComparison.Ordinal) && n.Contains("labeling", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
