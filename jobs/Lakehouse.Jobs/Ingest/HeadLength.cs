using System.Numerics;

namespace Lakehouse.Jobs.Ingest;

/// <summary>
/// How many bytes a worker reads first from each file of a chunk: the smallest power of two between 4 and 64 KiB that held
/// nine in ten headers of the chunk before (each with the stop element after it). An archive is series of like files,
/// and every byte read is a byte the kernel copies and the cache holds: a 2 KiB header is not read with 16 KiB around
/// it, a series of 20 KiB headers is read in one go rather than two, and the odd longer header (a report, a deflated
/// data set) reads on by itself rather than making the whole next chunk read more.
/// </summary>
internal sealed class HeadLength
{
    /// <summary>The shortest and the longest first read.</summary>
    public const int Min = 4 << 10, Max = 64 << 10;

    // Past a header's last byte, the reader needs the next element's tag (the stop tag), VR and length.
    private const int StopElementBytes = 12;

    // Headers seen in the chunk at hand, by the head that holds them: Min << i (the last also counts longer ones).
    private readonly int[] _seen = new int[BitOperations.Log2(Max / Min) + 1];
    private int _seenCount;

    /// <summary>The first read for the files of the chunk at hand.</summary>
    public int Current { get; private set; } = Min;

    /// <summary>Notes where a header parsed from the chunk at hand ended (its <c>HeaderBytes</c>).</summary>
    public void Saw(long headerBytes)
    {
        ulong needed = (ulong)Math.Max(0, headerBytes) + StopElementBytes;
        int bucket = needed <= Min ? 0 : BitOperations.Log2(BitOperations.RoundUpToPowerOf2(needed) / Min);
        _seen[Math.Min(bucket, _seen.Length - 1)]++;
        _seenCount++;
    }

    /// <summary>Moves on to the next chunk: its first read holds nine in ten headers seen since (unchanged if none was).</summary>
    public int NextChunk()
    {
        if (_seenCount == 0) return Current;
        int held = 0, bucket = 0;
        for (; bucket < _seen.Length - 1; bucket++)
        {
            held += _seen[bucket];
            if (10 * held >= 9 * _seenCount) break;
        }
        Current = Min << bucket;
        Array.Clear(_seen);
        _seenCount = 0;
        return Current;
    }
}
