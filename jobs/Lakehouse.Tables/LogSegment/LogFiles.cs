using System.Globalization;

namespace Lakehouse.Tables.LogSegment;

/// <summary>Names of the files in <c>_delta_log</c> (protocol §Delta Log Entries, §Checkpoints).</summary>
internal static class LogFiles
{
    public static string CommitName(long version) => version.ToString("D20", CultureInfo.InvariantCulture) + ".json";

    public static string CheckpointName(long version) => version.ToString("D20", CultureInfo.InvariantCulture) + ".checkpoint.parquet";

    /// <summary>"N.json" → N.</summary>
    public static bool TryParseCommit(string name, out long version)
    {
        version = -1;
        return name.Length == 25 && name.EndsWith(".json", StringComparison.Ordinal) && AllDigits(name.AsSpan(0, 20))
            && long.TryParse(name.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out version);
    }

    /// <summary>Classic checkpoints: "N.checkpoint.parquet" (part 1 of 1) or "N.checkpoint.P.K.parquet". UUID (V2) names are not matched.</summary>
    public static bool TryParseCheckpoint(string name, out long version, out int part, out int parts)
    {
        version = -1; part = 1; parts = 1;
        if (name.Length < 28 || !AllDigits(name.AsSpan(0, 20)) || !name.AsSpan(20).StartsWith(".checkpoint.") || !name.EndsWith(".parquet", StringComparison.Ordinal))
            return false;
        version = long.Parse(name.AsSpan(0, 20), CultureInfo.InvariantCulture);
        if (name.Length == 39) return name.AsSpan(20).SequenceEqual(".checkpoint.parquet");
        if (name.Length != 61) return false;
        var middle = name.AsSpan(32, 21); // "PPPPPPPPPP.KKKKKKKKKK" between ".checkpoint." and ".parquet"
        if (middle.Length != 21 || middle[10] != '.' || !AllDigits(middle[..10]) || !AllDigits(middle[11..])) return false;
        part = int.Parse(middle[..10], CultureInfo.InvariantCulture);
        parts = int.Parse(middle[11..], CultureInfo.InvariantCulture);
        return part >= 1 && part <= parts;
    }

    private static bool AllDigits(ReadOnlySpan<char> s)
    {
        foreach (char c in s) if (c is < '0' or > '9') return false;
        return true;
    }
}
