using System.Numerics;
using System.Runtime.InteropServices;

namespace Lakehouse.Jobs.Ingest;

/// <summary>
/// Opens, sizes and reads the start of a whole chunk of walked files with io_uring, in three batches: the opens (relative
/// to each file's folder, with the flags of <see cref="SourceTree.Open(string)"/>); a statx on each descriptor; then, for
/// the regular files the caller wants (not a version already landed), a read of each one's first bytes (its head: as
/// many as the caller asks, see <see cref="HeadLength"/>), with the closes of the previous chunk's files. Three system
/// calls per chunk instead of four per file, for the same work: the same descriptors, the size and time of the bytes read,
/// the same errors; nothing is read from a fifo or device. The reader parses a head where the batch put it
/// (<see cref="HeadOf"/>); a header longer than its head is read on with pread (<see cref="RestOf"/>). One per
/// worker thread (the ring's single submitter); <see cref="TryCreate"/> gives null where io_uring cannot be used, and the
/// worker then opens file by file.
/// </summary>
internal sealed unsafe class ChunkOpener : IDisposable
{
    private const int NameRoom = 256; // NAME_MAX 255 and the NUL
    private const ulong OpenOp = 0, StatOp = 1, ReadOp = 2, CloseOp = 3;

    /// <summary>What the batches found for one file.</summary>
    public struct Opened
    {
        /// <summary>The descriptor (open until the next chunk), -1 when the open failed, -2 when the file was left to a plain open.</summary>
        public int Fd;
        /// <summary>Why the open or the statx failed (0: it did not).</summary>
        public int Errno;
        public ushort Mode;
        public long Size;
        public long ModifiedMicros;
        /// <summary>Bytes of the file the batch read (<see cref="HeadOf"/>); -1 when it read none.</summary>
        public int HeadLength;
        /// <summary>Why the batch's read failed (0: it did not).</summary>
        public int ReadErrno;
        /// <summary>The caller of <see cref="ReadHeads"/> wanted this regular file read (it is not a version already landed).</summary>
        public bool Wanted;

        /// <summary>Whether the batch took this file (else it is opened by path, file by file).</summary>
        public readonly bool InBatch => Fd != -2;

        /// <summary>Opened and a regular file, with its size and time.</summary>
        public readonly bool IsRegularFile => Fd >= 0 && Errno == 0 && LinuxFileSystem.IsRegularFile(Mode);
    }

    private readonly IoUring _ring;
    private readonly int _capacity;
    private readonly byte* _names, _heads;
    private readonly LinuxFileSystem.Statx* _statx;
    private readonly Opened[] _opened;
    private readonly List<int> _toClose = [];
    private readonly (ulong UserData, int Result)[] _completions;
    private readonly RestStream _rest = new();
    private int _count; // files of the chunk last opened
    private int _headBytes; // read per file for the chunk last read: the heads' stride
    private bool _disposed;

    private ChunkOpener(IoUring ring, int capacity)
    {
        _ring = ring;
        _capacity = capacity;
        _names = (byte*)NativeMemory.Alloc((nuint)(capacity * NameRoom));
        _statx = (LinuxFileSystem.Statx*)NativeMemory.AllocZeroed((nuint)(capacity * sizeof(LinuxFileSystem.Statx)));
        _heads = (byte*)NativeMemory.Alloc((nuint)(capacity * HeadLength.Max)); // touched only as far as the heads reach
        _opened = new Opened[capacity];
        _completions = new (ulong, int)[ring.Entries];
    }

    /// <summary>An opener for chunks of up to <paramref name="capacity"/> files, or null where io_uring cannot be used.</summary>
    public static ChunkOpener? TryCreate(int capacity)
    {
        // Per file a statx and a read, plus the previous chunk's closes: 3 per file at most in one batch.
        var ring = IoUring.TryCreate((uint)BitOperations.RoundUpToPowerOf2((uint)(3 * capacity)));
        return ring is null ? null : new ChunkOpener(ring, capacity);
    }

    /// <summary>What the batches found for file <paramref name="i"/> of the last chunk opened.</summary>
    public ref readonly Opened this[int i] => ref _opened[i];

    /// <summary>
    /// Opens every file of <paramref name="chunk"/> (releasing its folder) and reads each one's status; then
    /// <see cref="ReadHeads"/>. Files opened here stay open until the next chunk's reads or <see cref="Dispose"/>.
    /// </summary>
    public void Open(IngestChunk chunk)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int count = chunk.Count;
        if (count > _capacity) throw new ArgumentException("the chunk holds more files than the opener", nameof(chunk));
        try
        {
            for (int i = 0; i < count; i++)
            {
                ref readonly var walked = ref chunk.Walked[i];
                _opened[i] = new Opened { Fd = -2, HeadLength = -1 };
                if (walked.Folder is not { } folder) continue; // opened by path, file by file
                var name = folder.NameWithNul(walked.NameStart);
                if (name.Length > NameRoom) continue;
                name.CopyTo(new Span<byte>(_names + i * NameRoom, NameRoom));
                var sqe = _ring.Next();
                sqe->Opcode = IoUring.OpOpenAt;
                sqe->Fd = folder.Descriptor;
                sqe->Address = (ulong)(_names + i * NameRoom);
                sqe->OpFlags = (uint)LinuxFileSystem.HeaderOpenFlags;
                sqe->UserData = OpenOp << 32 | (uint)i;
            }
            foreach (var (userData, result) in Complete())
            {
                ref var o = ref _opened[(int)userData];
                if (result >= 0) o.Fd = result;
                else (o.Fd, o.Errno) = (-1, -result);
            }
        }
        finally
        {
            // The opens are done (or failed): the folders may close.
            for (int i = 0; i < count; i++)
            {
                if (_opened[i].InBatch) chunk.Walked[i].Folder!.Release();
            }
        }

        for (int i = 0; i < count; i++)
        {
            int fd = _opened[i].Fd;
            if (fd < 0) continue;
            var stat = _ring.Next();
            stat->Opcode = IoUring.OpStatx;
            stat->Fd = fd;
            stat->Address = (ulong)(_names + (i + 1) * NameRoom - 1); // an empty path: the descriptor itself
            _names[(i + 1) * NameRoom - 1] = 0;
            stat->OpFlags = LinuxFileSystem.AtEmptyPath;
            stat->Length = LinuxFileSystem.StatxType | LinuxFileSystem.StatxSize | LinuxFileSystem.StatxMtime;
            stat->Offset = (ulong)(_statx + i);
            stat->UserData = StatOp << 32 | (uint)i;
        }
        foreach (var (userData, result) in Complete())
        {
            ref var o = ref _opened[(int)(uint)userData];
            if (result < 0)
            {
                o.Errno = -result;
                continue;
            }
            var st = _statx + (int)(uint)userData;
            o.Mode = st->Mode;
            o.Size = (long)st->Size;
            o.ModifiedMicros = OpenedSourceFile.Micros(st->MtimeSeconds, st->MtimeNanoseconds);
        }
        _count = count;
    }

    /// <summary>
    /// Reads the first <paramref name="headBytes"/> bytes (at most <see cref="HeadLength.Max"/>) of every regular file of
    /// the chunk just opened that <paramref name="wanted"/> asks for, and closes the previous chunk's files, in one batch.
    /// </summary>
    public void ReadHeads(Func<int, bool> wanted, int headBytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(headBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(headBytes, HeadLength.Max);
        _headBytes = headBytes;
        for (int i = 0; i < _count; i++)
        {
            if (!_opened[i].IsRegularFile || !(_opened[i].Wanted = wanted(i))) continue;
            var read = _ring.Next();
            read->Opcode = IoUring.OpRead;
            read->Fd = _opened[i].Fd;
            read->Address = (ulong)(_heads + i * _headBytes);
            read->Length = (uint)_headBytes;
            read->Offset = 0;
            read->UserData = ReadOp << 32 | (uint)i;
        }
        foreach (int fd in _toClose)
        {
            var close = _ring.Next();
            close->Opcode = IoUring.OpClose;
            close->Fd = fd;
            close->UserData = CloseOp << 32;
        }
        _toClose.Clear();
        foreach (var (userData, result) in Complete())
        {
            if (userData >> 32 != ReadOp) continue; // a close: nothing to do with its result
            ref var o = ref _opened[(int)(uint)userData];
            if (result >= 0) o.HeadLength = result;
            else o.ReadErrno = -result;
        }
        for (int i = 0; i < _count; i++)
            if (_opened[i].Fd >= 0) _toClose.Add(_opened[i].Fd);
    }

    private ReadOnlySpan<(ulong UserData, int Result)> Complete() => _completions.AsSpan(0, _ring.SubmitAndWait(_completions));

    /// <summary>The first bytes of file <paramref name="i"/>, as the batch read them (empty when it read none).</summary>
    public ReadOnlySpan<byte> HeadOf(int i) => new(_heads + i * _headBytes, Math.Max(0, _opened[i].HeadLength));

    /// <summary>
    /// Where file <paramref name="i"/> continues after <see cref="HeadOf"/>: a stream positioned there, reading by pread
    /// (throwing the batch's error when its read failed), or null when the head is the whole file. The same instance is
    /// handed out for every file: use it before asking for the next.
    /// </summary>
    public Stream? RestOf(int i)
    {
        ref readonly var o = ref _opened[i];
        if (o.ReadErrno == 0 && o.HeadLength >= o.Size) return null;
        _rest.Reset(o.Fd, o.ReadErrno, o.Size, position: Math.Max(0, o.HeadLength));
        return _rest;
    }

    /// <summary>Closes the files still open and frees the ring and buffers.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (int fd in _toClose) LinuxFileSystem.close(fd);
        _toClose.Clear();
        _ring.Dispose();
        NativeMemory.Free(_names);
        NativeMemory.Free(_statx);
        NativeMemory.Free(_heads);
    }

    /// <summary>A file's bytes by pread on the descriptor, which it does not own; every read fails when the batch's did.</summary>
    private sealed class RestStream : SourceFileStream
    {
        private int _fd, _readErrno;
        private long _length;

        public void Reset(int fd, int readErrno, long length, long position)
        {
            (_fd, _readErrno, _length) = (fd, readErrno, length);
            Position = position;
        }

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override long Length => _length;

        public override int Read(Span<byte> buffer)
        {
            if (_readErrno != 0) throw new IOException("cannot read file: " + LinuxFileSystem.ErrnoName(_readErrno));
            return buffer.IsEmpty ? 0 : ReadAt(_fd, buffer);
        }
    }
}
