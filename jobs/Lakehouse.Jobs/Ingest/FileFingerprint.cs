namespace Lakehouse.Jobs.Ingest;

/// <summary>
/// A 64-bit identity of a source file version (path, size, modification time in microseconds), so the set of files
/// already ingested costs 8 bytes per file in memory, not the paths themselves. FNV-1a: stable across processes and runtimes.
/// </summary>
public static class FileFingerprint
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    /// <summary>The fingerprint of a file version.</summary>
    public static ulong Of(string path, long size, long modifiedMicros)
    {
        ulong h = Hash(path);
        h = Mix(h, (ulong)size);
        return Mix(h, (ulong)modifiedMicros);
    }

    /// <summary>FNV-1a over the UTF-16 code units of <paramref name="text"/>.</summary>
    public static ulong Hash(ReadOnlySpan<char> text)
    {
        ulong h = Offset;
        foreach (char c in text)
        {
            h = (h ^ (byte)c) * Prime;
            h = (h ^ (byte)(c >> 8)) * Prime;
        }
        return h;
    }

    private static ulong Mix(ulong h, ulong value)
    {
        for (int i = 0; i < 8; i++)
        {
            h = (h ^ (byte)value) * Prime;
            value >>= 8;
        }
        return h;
    }

    /// <summary>Microseconds since the Unix epoch, the precision a Delta timestamp keeps.</summary>
    public static long Micros(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10;
}
