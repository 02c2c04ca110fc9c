using System.Buffers.Binary;
using System.Numerics;

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

    /// <summary>
    /// A 64-bit hash of UTF-8 text (a SOP Instance UID), eight bytes at a time; compared only within one run (hashes of
    /// stored values are computed again on load), so it need not match any other hash.
    /// </summary>
    public static ulong HashUtf8(ReadOnlySpan<byte> utf8)
    {
        const ulong P1 = 0x9E3779B185EBCA87UL, P2 = 0xC2B2AE3D27D4EB4FUL;
        ulong h = Offset ^ ((ulong)utf8.Length * P1);
        while (utf8.Length >= 8)
        {
            h = BitOperations.RotateLeft(h ^ (BinaryPrimitives.ReadUInt64LittleEndian(utf8) * P2), 31) * P1;
            utf8 = utf8[8..];
        }
        if (!utf8.IsEmpty)
        {
            Span<byte> last = stackalloc byte[8];
            last.Clear();
            utf8.CopyTo(last);
            h = BitOperations.RotateLeft(h ^ (BinaryPrimitives.ReadUInt64LittleEndian(last) * P2), 31) * P1;
        }
        // Final avalanche (every input bit reaches every output bit), as in MurmurHash3's fmix64.
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        return h ^ (h >> 33);
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
