using System.Runtime.InteropServices;

namespace Lakehouse.Jobs.Ingest;

/// <summary>
/// The few libc calls the source walk and the header open need on Linux, so a file costs what the kernel needs: a
/// directory read gives its type (no stat per file), an open by path then one statx on the descriptor (no flock, no
/// second path walk). 64-bit only: the dirent layout and the open flags below are those of x64, arm64, riscv64 and
/// loongarch64; anything else takes the managed path.
/// </summary>
internal static unsafe partial class LinuxFileSystem
{
    private const string Libc = "libc";

    public const byte DtUnknown = 0, DtDir = 4, DtReg = 8, DtLnk = 10;
    private const int ORdOnly = 0, ONonBlock = 0x800, OCloExec = 0x80000;
    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;

    /// <summary>statx's flag for "the descriptor itself" (an empty path).</summary>
    public const int AtEmptyPath = 0x1000;
    public const uint StatxType = 0x1, StatxMtime = 0x40, StatxSize = 0x200;
    public const ushort SIfMt = 0xF000, SIfReg = 0x8000, SIfDir = 0x4000, SIfLnk = 0xA000;
    public const int ENoEnt = 2, EIntr = 4, EAcces = 13, ENotDir = 20, EIsDir = 21, ELoop = 40, EPerm = 1;

    /// <summary>Whether a statx mode is a regular file's (not a folder, link, fifo, device or socket).</summary>
    public static bool IsRegularFile(ushort mode) => (mode & SIfMt) == SIfReg;

    // O_DIRECTORY and O_NOFOLLOW are the only flags whose values differ between the architectures we accept.
    private static readonly (int Directory, int NoFollow) ArchFlags = RuntimeInformation.ProcessArchitecture == Architecture.Arm64
        ? (0x4000, 0x8000)
        : (0x10000, 0x20000);

    /// <summary>True when this process can use the calls below (Linux, a known 64-bit architecture, statx in libc and the kernel).</summary>
    public static bool IsSupported { get; } = Probe();

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess) return false;
        if (RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64))
            return false;
        try
        {
            Statx st;
            byte* root = stackalloc byte[] { (byte)'/', 0 };
            return statx(AtFdCwd, root, 0, StatxType, &st) == 0; // ENOSYS: a kernel before 4.11 or a seccomp filter
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Opens a folder to list it; <paramref name="followLink"/> only for the walk's root (the caller named it).</summary>
    public static nint OpenFolder(byte* path, bool followLink)
    {
        int flags = ORdOnly | OCloExec | ArchFlags.Directory | (followLink ? 0 : ArchFlags.NoFollow);
        int fd = open(path, flags);
        if (fd < 0) return 0;
        nint dir = fdopendir(fd);
        if (dir == 0) close(fd);
        return dir;
    }

    /// <summary>The flags a header is opened with: read only, close on exec, no link followed, no wait on a fifo.</summary>
    public static int HeaderOpenFlags => ORdOnly | OCloExec | ONonBlock | ArchFlags.NoFollow;

    /// <summary>The descriptor of an open folder.</summary>
    public static int FolderDescriptor(nint dir) => dirfd(dir);

    /// <summary>pread on a raw descriptor (one the caller owns): bytes read, or -1 and errno.</summary>
    public static nint Pread(int fd, Span<byte> buffer, long offset, out int errno)
    {
        nint n;
        fixed (byte* p = buffer)
        {
            do n = pread(fd, p, (nuint)buffer.Length, offset);
            while (n < 0 && Marshal.GetLastPInvokeError() == EIntr);
        }
        errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
        return n;
    }

    /// <summary>Opens a file for reading without following a link and without blocking on a fifo; -1 and errno on failure.</summary>
    public static int OpenFile(byte* path, out int errno)
    {
        int fd = open(path, HeaderOpenFlags);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd;
    }

    /// <summary>As <see cref="OpenFile(byte*, out int)"/> for the entry <paramref name="name"/> of the open folder <paramref name="folderFd"/>.</summary>
    public static int OpenFileAt(int folderFd, byte* name, out int errno)
    {
        int fd = openat(folderFd, name, HeaderOpenFlags);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd;
    }

    /// <summary>The type, size and modification time of an open file.</summary>
    public static int StatDescriptor(int fd, out Statx st, out int errno)
    {
        byte empty = 0;
        fixed (Statx* p = &st)
        {
            int r = statx(fd, &empty, AtEmptyPath, StatxType | StatxSize | StatxMtime, p);
            errno = r < 0 ? Marshal.GetLastPInvokeError() : 0;
            return r;
        }
    }

    /// <summary>The type of a folder entry by its name (for file systems whose directory entries do not carry it).</summary>
    public static bool TryEntryType(nint dir, byte* name, out ushort type)
    {
        Statx st;
        int r = statx(dirfd(dir), name, AtSymlinkNoFollow, StatxType, &st);
        type = (ushort)(st.Mode & SIfMt);
        return r == 0;
    }

    /// <summary>The next entry of a folder: null at its end or on a read error (errno set, then nonzero).</summary>
    public static byte* ReadEntry(nint dir, out int errno)
    {
        Marshal.SetLastSystemError(0); // readdir leaves errno alone at the end of the folder: only a fresh 0 tells the end from an error
        byte* entry = readdir(dir);
        errno = entry is null ? Marshal.GetLastPInvokeError() : 0;
        return entry;
    }

    // struct dirent of glibc and musl on 64-bit Linux: d_ino 8, d_off 8, d_reclen 2, d_type 1, then the name.
    public const int DirentTypeOffset = 18, DirentNameOffset = 19;

    /// <summary>The name of errno values a file open or read reports (the message names the reason, never the path).</summary>
    public static string ErrnoName(int errno) => errno switch
    {
        EPerm => "EPERM",
        ENoEnt => "ENOENT",
        5 => "EIO",
        6 => "ENXIO",
        EAcces => "EACCES",
        ENotDir => "ENOTDIR",
        EIsDir => "EISDIR",
        23 => "ENFILE",
        24 => "EMFILE",
        36 => "ENAMETOOLONG",
        ELoop => "ELOOP",
        _ => "errno " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>statx's result: the same layout on every architecture (unlike struct stat).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct Statx
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(112)] public long MtimeSeconds;
        [FieldOffset(120)] public uint MtimeNanoseconds;
    }

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int open(byte* path, int flags); // variadic in C; the mode is only read with O_CREAT/O_TMPFILE

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int openat(int dirfd, byte* path, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial nint fdopendir(int fd);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial byte* readdir(nint dir);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int closedir(nint dir);

    [LibraryImport(Libc)]
    private static partial int dirfd(nint dir);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int statx(int dirfd, byte* path, int flags, uint mask, Statx* buffer);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial nint pread(int fd, byte* buffer, nuint count, long offset);
}
