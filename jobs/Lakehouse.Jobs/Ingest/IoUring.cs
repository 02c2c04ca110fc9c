using System.Runtime.InteropServices;

namespace Lakehouse.Jobs.Ingest;

/// <summary>
/// The little of Linux io_uring (io_uring_setup(2), io_uring_enter(2)) that batched header opens need: one ring per
/// worker thread, submission entries filled in place, one system call to submit a batch and wait for all of it. Under a
/// hypervisor every system call is costly; a batch of 32 files then costs two calls instead of 128.
/// <see cref="TryCreate"/> returns null where io_uring is missing or forbidden (old kernel, seccomp, io_uring_disabled):
/// callers fall back to plain system calls. Not thread-safe: the creating thread submits (IORING_SETUP_SINGLE_ISSUER).
/// </summary>
internal sealed unsafe partial class IoUring : IDisposable
{
    public const byte OpOpenAt = 18, OpClose = 19, OpStatx = 21, OpRead = 22;

    // The same on every architecture: io_uring came after the unified system call table.
    private const long SysSetup = 425, SysEnter = 426;
    private const uint SetupSingleIssuer = 1u << 12, SetupDeferTaskrun = 1u << 13, EnterGetEvents = 1;
    private const long OffSqRing = 0, OffCqRing = 0x8000000, OffSqes = 0x10000000;
    private const int ProtReadWrite = 0x1 | 0x2, MapSharedPopulate = 0x01 | 0x8000;

    private readonly int _fd;
    private readonly nint _sqRing, _cqRing, _sqesMap;
    private readonly nuint _sqRingSize, _cqRingSize, _sqesSize;
    private readonly uint* _sqHead, _sqTail, _sqArray, _cqHead, _cqTail;
    private readonly uint _sqMask, _cqMask, _entries;
    private readonly Sqe* _sqes;
    private readonly Cqe* _cqes;
    private uint _pending; // entries filled since the last submit
    private bool _disposed;

    private IoUring(int fd, in Params p)
    {
        _fd = fd;
        _entries = p.SqEntries;
        _sqRingSize = p.SqOff.Array + p.SqEntries * sizeof(uint);
        _cqRingSize = p.CqOff.Cqes + p.CqEntries * (uint)sizeof(Cqe);
        _sqesSize = p.SqEntries * (uint)sizeof(Sqe);
        _sqRing = Map(_sqRingSize, OffSqRing);
        _cqRing = Map(_cqRingSize, OffCqRing);
        _sqesMap = Map(_sqesSize, OffSqes);
        byte* sq = (byte*)_sqRing, cq = (byte*)_cqRing;
        _sqHead = (uint*)(sq + p.SqOff.Head);
        _sqTail = (uint*)(sq + p.SqOff.Tail);
        _sqMask = *(uint*)(sq + p.SqOff.RingMask);
        _sqArray = (uint*)(sq + p.SqOff.Array);
        _cqHead = (uint*)(cq + p.CqOff.Head);
        _cqTail = (uint*)(cq + p.CqOff.Tail);
        _cqMask = *(uint*)(cq + p.CqOff.RingMask);
        _cqes = (Cqe*)(cq + p.CqOff.Cqes);
        _sqes = (Sqe*)_sqesMap;
    }

    /// <summary>Submission entries the ring holds.</summary>
    public uint Entries => _entries;

    /// <summary>A ring of <paramref name="entries"/> entries, or null where io_uring cannot be used.</summary>
    public static IoUring? TryCreate(uint entries)
    {
        if (!LinuxFileSystem.IsSupported || Environment.GetEnvironmentVariable("LAKEHOUSE_IO_URING") == "0") return null;
        try
        {
            Params p = default;
            p.Flags = SetupSingleIssuer | SetupDeferTaskrun;
            long fd = syscall(SysSetup, entries, (nint)(&p), 0, 0, 0, 0);
            if (fd < 0) return null; // ENOSYS, EPERM (seccomp, io_uring_disabled), EINVAL (a kernel before 6.1)
            try { return new IoUring((int)fd, p); }
            catch (IOException)
            {
                LinuxFileSystem.close((int)fd);
                return null;
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

    private nint Map(nuint size, long offset)
    {
        nint p = mmap(0, size, ProtReadWrite, MapSharedPopulate, _fd, offset);
        if (p == -1) throw new IOException("io_uring: cannot map the ring");
        return p;
    }

    /// <summary>The next submission entry, zeroed; the caller fills it. At most <see cref="Entries"/> between submits.</summary>
    public Sqe* Next()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pending == _entries) throw new InvalidOperationException("io_uring: more entries than the ring holds before a submit");
        uint tail = *_sqTail + _pending; // only this thread moves the tail
        uint index = tail & _sqMask;
        _sqArray[index] = index;
        var sqe = &_sqes[index];
        *sqe = default;
        _pending++;
        return sqe;
    }

    /// <summary>Submits the filled entries and waits until all of them completed; returns the completions reaped, in any order.</summary>
    public int SubmitAndWait(Span<(ulong UserData, int Result)> completions)
    {
        uint count = _pending;
        if (count == 0) return 0;
        if (completions.Length < count) throw new ArgumentException("room for every completion is needed", nameof(completions));
        Volatile.Write(ref *_sqTail, *_sqTail + count);
        _pending = 0;
        int reaped = 0;
        uint toSubmit = count;
        while (reaped < count)
        {
            long r = syscall(SysEnter, _fd, toSubmit, count - (uint)reaped, EnterGetEvents, 0, 0);
            if (r < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LinuxFileSystem.EIntr) continue;
                throw new IOException("io_uring_enter failed: " + LinuxFileSystem.ErrnoName(errno));
            }
            // Every entry is consumed (a bad one completes with its error); anything else would leave waits unmet.
            if (toSubmit > 0 && r != toSubmit) throw new IOException($"io_uring_enter submitted {r} of {toSubmit} entries");
            toSubmit = 0;
            uint head = *_cqHead, tail = Volatile.Read(ref *_cqTail);
            for (; head != tail; head++)
            {
                var cqe = &_cqes[head & _cqMask];
                completions[reaped++] = (cqe->UserData, cqe->Result);
            }
            Volatile.Write(ref *_cqHead, head);
        }
        return reaped;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Nothing to do if an unmap fails at this point: the ring is gone with the descriptor.
        _ = munmap(_sqesMap, _sqesSize);
        _ = munmap(_cqRing, _cqRingSize);
        _ = munmap(_sqRing, _sqRingSize);
        LinuxFileSystem.close(_fd);
    }

    /// <summary>struct io_uring_sqe (64 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct Sqe
    {
        [FieldOffset(0)] public byte Opcode;
        [FieldOffset(1)] public byte Flags;
        [FieldOffset(4)] public int Fd;
        [FieldOffset(8)] public ulong Offset;
        [FieldOffset(16)] public ulong Address;
        [FieldOffset(24)] public uint Length;
        [FieldOffset(28)] public uint OpFlags; // open_flags, statx_flags, rw_flags
        [FieldOffset(32)] public ulong UserData;
    }

    [StructLayout(LayoutKind.Explicit, Size = 16)]
    private struct Cqe
    {
        [FieldOffset(0)] public ulong UserData;
        [FieldOffset(8)] public int Result;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SqRingOffsets
    {
        public uint Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Resv1;
        public ulong UserAddr;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CqRingOffsets
    {
        public uint Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Resv1;
        public ulong UserAddr;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Params
    {
        public uint SqEntries, CqEntries, Flags, SqThreadCpu, SqThreadIdle, Features, WqFd, Resv0, Resv1, Resv2;
        public SqRingOffsets SqOff;
        public CqRingOffsets CqOff;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc")]
    private static partial int munmap(nint address, nuint length);
}
