using System.Buffers;

namespace Lakehouse.Jobs.Ingest;

/// <summary>One walked file of a chunk: its version (size, time), what parsing gave, and what the classifier decided.</summary>
internal struct ChunkFile
{
    public long Size;
    public long ModifiedMicros;
    /// <summary>Null when this version landed before (unchanged).</summary>
    public ParsedDicomFile? Result;
    /// <summary>Where this file's header JSON starts in the chunk's <see cref="IngestChunk.Json"/>.</summary>
    public int JsonStart;
    public FileVerdict Verdict;
    /// <summary>The batch the file's row commits with.</summary>
    public int Batch;
}

/// <summary>
/// Consecutive walked files (the unit of hand-over: one lock per chunk, not per file) with their parse results and the
/// header JSON of all of them back to back. A worker reuses its chunks, so their arrays and buffers are allocated once.
/// </summary>
internal sealed class IngestChunk(int capacity)
{
    /// <summary>The walked files: path, and the open folder each is opened relative to (released by the open).</summary>
    public readonly WalkedFile[] Walked = new WalkedFile[capacity];
    public readonly ChunkFile[] Files = new ChunkFile[capacity];
    public readonly ArrayBufferWriter<byte> Json = new(capacity * 8192);
    /// <summary>The walk-order number of the first file (1-based): files number on from it.</summary>
    public long FirstSequence;
    public int Count;
    /// <summary>Set under the classifier's lock; read by the owning worker.</summary>
    public volatile bool Classified;
    /// <summary>The classifier's open batch after this chunk: no later file goes to an earlier batch.</summary>
    public int BatchAfter;

    public int Capacity => Walked.Length;

    public void Reset()
    {
        Array.Clear(Walked, 0, Count);
        Array.Clear(Files, 0, Count);
        Json.ResetWrittenCount();
        Count = 0;
        Classified = false;
    }
}

/// <summary>The source walk shared by the workers: each takes the next files as a chunk, numbered in walk order.</summary>
internal sealed class ChunkedWalk(IEnumerable<WalkedFile> walk) : IDisposable
{
    private readonly object _lock = new();
    private readonly IEnumerator<WalkedFile> _files = walk.GetEnumerator();
    private long _walked;
    private bool _done;

    /// <summary>Files walked so far.</summary>
    public long Walked => Interlocked.Read(ref _walked);

    /// <summary>Fills <paramref name="chunk"/> with the next files; false when the walk is over.</summary>
    public bool TryTake(IngestChunk chunk)
    {
        lock (_lock)
        {
            if (_done) return false;
            chunk.FirstSequence = _walked + 1;
            int n = 0;
            while (n < chunk.Capacity && _files.MoveNext()) chunk.Walked[n++] = _files.Current;
            if (n < chunk.Capacity) _done = true;
            chunk.Count = n;
            Interlocked.Add(ref _walked, n);
            return n > 0;
        }
    }

    public void Dispose()
    {
        lock (_lock) _files.Dispose();
    }
}
