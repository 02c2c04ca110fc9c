using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Lakehouse.Jobs.Ingest;

/// <summary>
/// A file of a source archive open for reading its header, with its fingerprint's size and time read from the open
/// descriptor (so they describe the bytes read, even if the file is replaced meanwhile). Dispose closes it.
/// </summary>
/// <remarks>
/// On Linux: <c>open(O_RDONLY|O_CLOEXEC|O_NOFOLLOW|O_NONBLOCK)</c>, one <c>statx</c> on the descriptor, reads by
/// <c>pread</c>; no advisory lock, no buffering (the DICOM reader has its own buffer). Elsewhere: an unbuffered
/// <see cref="FileStream"/> shared with writers and deleters.
/// </remarks>
public readonly struct OpenedSourceFile : IDisposable
{
    internal OpenedSourceFile(Stream stream, long size, long modifiedMicros)
    {
        Stream = stream;
        Size = size;
        ModifiedMicros = modifiedMicros;
    }

    /// <summary>The file's bytes from its start: readable and seekable, unbuffered.</summary>
    public Stream Stream { get; }

    /// <summary>Size in bytes when opened.</summary>
    public long Size { get; }

    /// <summary>Last write time, microseconds since the Unix epoch: the value <see cref="FileFingerprint.Micros"/> gives for the file's last write time.</summary>
    public long ModifiedMicros { get; }

    /// <summary>Closes the file.</summary>
    public void Dispose() => Stream?.Dispose();

    // Linux: see the remarks. Messages name the reason (errno), never the path: exports name folders after patients.
    internal static unsafe OpenedSourceFile OpenLinux(string path)
    {
        // libc would stop at the NUL and open another file; .NET's own APIs refuse such a path too.
        if (path.Contains('\0', StringComparison.Ordinal)) throw new ArgumentException("a path cannot hold a NUL character", nameof(path));
        byte[]? rented = null;
        int max = PathBytes.MaxBytes(path.Length);
        Span<byte> bytes = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        PathBytes.Encode(path, bytes);
        int fd, errno;
        fixed (byte* p = bytes) fd = LinuxFileSystem.OpenFile(p, out errno);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        if (fd < 0) throw OpenError(errno);
        return FromDescriptor(fd);
    }

    // A walked file, relative to its folder; the folder is released whatever the outcome.
    internal static OpenedSourceFile OpenLinux(in WalkedFile file)
    {
        int fd, errno;
        try { fd = file.Folder!.OpenFile(file.NameStart, out errno); }
        finally { file.Folder!.Release(); }
        if (fd < 0) throw OpenError(errno);
        return FromDescriptor(fd);
    }

    // One statx on the new descriptor: a regular file's size and time, or the reason it is not one.
    private static OpenedSourceFile FromDescriptor(int fd)
    {
        int errno;
        var handle = new SafeFileHandle((nint)fd, ownsHandle: true);
        if (LinuxFileSystem.StatDescriptor(fd, out var st, out errno) < 0)
        {
            handle.Dispose();
            throw new IOException("cannot read the status of the file: " + LinuxFileSystem.ErrnoName(errno));
        }
        if (!LinuxFileSystem.IsRegularFile(st.Mode))
        {
            handle.Dispose();
            throw new IOException("not a regular file: " + KindOf(st.Mode));
        }
        long size = (long)st.Size;
        return new OpenedSourceFile(new PreadStream(handle, size), size, Micros(st.MtimeSeconds, st.MtimeNanoseconds));
    }

    // Other systems (and Linux without statx): the reader's FileStream, FileSystemInfo's time; the exceptions .NET throws
    // name the path, so they are replaced by ones that do not.
    internal static OpenedSourceFile OpenManaged(string path)
    {
        FileStream? stream = null;
        try
        {
            stream = Lakehouse.Udfs.Dicom.Reading.DicomFileReader.OpenForHeader(path);
            long size = stream.Length;
            long micros = FileFingerprint.Micros(File.GetLastWriteTimeUtc(stream.SafeFileHandle));
            return new OpenedSourceFile(stream, size, micros);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            stream?.Dispose();
            throw e switch
            {
                FileNotFoundException or DirectoryNotFoundException => new FileNotFoundException("cannot open file: not found"),
                UnauthorizedAccessException => new UnauthorizedAccessException("cannot open file: access denied or not a regular file"),
                _ => new IOException($"cannot open file: {e.GetType().Name} (0x{e.HResult:X8})"),
            };
        }
    }

    // The same value as FileFingerprint.Micros(last write time): .NET keeps 100 ns ticks, then truncates to µs.
    internal static long Micros(long seconds, uint nanoseconds) => (seconds * 10_000_000 + nanoseconds / 100) / 10;

    private static Exception OpenError(int errno)
    {
        string reason = LinuxFileSystem.ErrnoName(errno);
        return errno switch
        {
            LinuxFileSystem.ENoEnt or LinuxFileSystem.ENotDir => new FileNotFoundException("cannot open file: " + reason),
            LinuxFileSystem.EAcces or LinuxFileSystem.EPerm => new UnauthorizedAccessException("cannot open file: " + reason),
            LinuxFileSystem.ELoop => new IOException("not a regular file: a symbolic link (ELOOP)"),
            _ => new IOException("cannot open file: " + reason),
        };
    }

    private static string KindOf(ushort mode) => (mode & LinuxFileSystem.SIfMt) switch
    {
        LinuxFileSystem.SIfDir => "a folder",
        LinuxFileSystem.SIfLnk => "a symbolic link",
        0x1000 => "a fifo",
        0xC000 => "a socket",
        0x2000 => "a character device",
        0x6000 => "a block device",
        _ => "an unknown kind",
    };
}

/// <summary>
/// What every header stream of a source file shares: read-only, unbuffered, reading at its position and seeking anywhere
/// within the size the file had when opened. Subclasses say where the bytes come from.
/// </summary>
internal abstract class SourceFileStream : Stream
{
    private long _position;

    public override bool CanWrite => false;
    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    // Local files: a read does not wait long enough for an async hop to pay off.
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<int>(cancellationToken) : new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        SeekOrigin.End => Length + offset,
        _ => throw new ArgumentOutOfRangeException(nameof(origin)),
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>pread of the descriptor at the position, which it advances; the message names the reason, never the path.</summary>
    protected int ReadAt(int fd, Span<byte> buffer)
    {
        nint n = LinuxFileSystem.Pread(fd, buffer, _position, out int errno);
        if (n < 0) throw new IOException("cannot read file: " + LinuxFileSystem.ErrnoName(errno));
        _position += n;
        return (int)n;
    }
}

/// <summary>A stream over a file descriptor it owns: every read is one pread at the stream's position.</summary>
internal sealed class PreadStream(SafeFileHandle handle, long length) : SourceFileStream
{
    public override bool CanRead => !handle.IsClosed;
    public override bool CanSeek => !handle.IsClosed;
    public override long Length => length; // as opened: the fingerprint's size

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(handle.IsClosed, this);
        if (buffer.IsEmpty) return 0;
        bool added = false;
        handle.DangerousAddRef(ref added);
        try { return ReadAt((int)handle.DangerousGetHandle(), buffer); }
        finally { if (added) handle.DangerousRelease(); }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) handle.Dispose();
        base.Dispose(disposing);
    }
}
