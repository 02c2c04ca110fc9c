using System.Runtime.InteropServices;

namespace Lakehouse.Tables.Parquet;

/// <summary>Which zstd implementation compresses pages.</summary>
internal enum ZstdImplementation
{
    /// <summary>The system's libzstd.so.1 (Debian ships it: dpkg links it), through <see cref="NativeZstd"/>.</summary>
    Native,

    /// <summary>ZstdSharp, the managed port (the fallback where libzstd cannot be loaded).</summary>
    Managed,
}

/// <summary>
/// zstd for Parquet page bodies (the ZSTD codec: one complete zstd frame per page). The system's libzstd when it loads,
/// else ZstdSharp: both write standard frames that every reader decodes, so which one ran is invisible in the file.
/// One compression context per instance, reused from page to page and freed on <see cref="Dispose"/>. Not thread-safe.
/// </summary>
internal sealed class ZstdPageCompressor : IDisposable
{
    private readonly NativeZstd.CompressionContext? _native;
    private readonly ZstdSharp.Compressor? _managed;
    private readonly int _level;
    private bool _disposed;

    private ZstdPageCompressor(int level, ZstdImplementation implementation)
    {
        _level = level;
        Implementation = implementation;
        if (implementation == ZstdImplementation.Native) _native = NativeZstd.CreateContext();
        else _managed = new ZstdSharp.Compressor(level);
    }

    /// <summary>Whether libzstd loaded on this machine (then <see cref="Create"/> uses it by default).</summary>
    public static bool NativeAvailable => NativeZstd.IsLoaded;

    /// <summary>
    /// A compressor at <paramref name="level"/> (negative levels are zstd's faster ones); <paramref name="implementation"/>
    /// forces one (tests and benchmarks keep both paths exercised), null picks native when it loaded.
    /// </summary>
    /// <exception cref="InvalidOperationException">Native was asked for and libzstd is not loadable.</exception>
    public static ZstdPageCompressor Create(int level, ZstdImplementation? implementation = null)
    {
        var chosen = implementation ?? (NativeAvailable ? ZstdImplementation.Native : ZstdImplementation.Managed);
        if (chosen == ZstdImplementation.Native && !NativeAvailable)
            throw new InvalidOperationException($"the native zstd library ({NativeZstd.LibraryName}) could not be loaded");
        return new ZstdPageCompressor(level, chosen);
    }

    /// <summary>The implementation this instance uses.</summary>
    public ZstdImplementation Implementation { get; }

    /// <summary>
    /// The largest frame <see cref="Compress"/> can write for <paramref name="length"/> input bytes: zstd's ZSTD_COMPRESSBOUND,
    /// the same for both implementations (a test checks it against libzstd's ZSTD_compressBound).
    /// </summary>
    public static int MaxCompressedLength(int length) => ZstdSharp.Compressor.GetCompressBound(length);

    /// <summary>Compresses <paramref name="source"/> as one zstd frame into <paramref name="destination"/>; returns the frame's length.</summary>
    /// <param name="source">The page body.</param>
    /// <param name="destination">At least <see cref="MaxCompressedLength"/> of the source's length (then compression cannot run out of room).</param>
    /// <exception cref="InvalidOperationException">zstd reported an error (its error name, a library constant, is the message).</exception>
    public int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_native is not null) return NativeZstd.Compress(_native, source, destination, _level);
        // ZstdSharp's messages are its error names too: one exception type whichever implementation runs.
        try { return _managed!.Wrap(source, destination); }
        catch (ZstdSharp.ZstdException e) { throw new InvalidOperationException($"zstd compression failed: {e.Message}", e); }
    }

    /// <summary>Frees the compression context (native memory for libzstd).</summary>
    public void Dispose()
    {
        _disposed = true;
        _native?.Dispose();
        _managed?.Dispose();
    }
}

/// <summary>
/// The few libzstd entry points a page compressor needs (zstd.h, stable API). The library is probed once with
/// <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/>; the imports are only called after the probe succeeded.
/// </summary>
internal static class NativeZstd
{
    public const string LibraryName = "libzstd.so.1";

    private static readonly Lazy<bool> Loaded = new(Probe);

    /// <summary>Whether libzstd loaded and answers (its version is 1.4 or later: the API used here is stable since).</summary>
    public static bool IsLoaded => Loaded.Value;

    /// <summary>The library's version, e.g. "1.5.4".</summary>
    public static string Version
    {
        get
        {
            uint v = ZSTD_versionNumber();
            return $"{v / 10000}.{v / 100 % 100}.{v % 100}";
        }
    }

    private static bool Probe()
    {
        if (!NativeLibrary.TryLoad(LibraryName, out _)) return false;
        try { return ZSTD_versionNumber() >= 10400; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    /// <summary>libzstd's own worst-case frame size for <paramref name="length"/> input bytes.</summary>
    public static long CompressBound(int length) => (long)ZSTD_compressBound((nuint)length);

    /// <summary>A new compression context (ZSTD_CCtx).</summary>
    /// <exception cref="OutOfMemoryException">libzstd could not allocate one.</exception>
    public static CompressionContext CreateContext()
    {
        var context = ZSTD_createCCtx();
        if (context.IsInvalid)
        {
            context.Dispose();
            throw new OutOfMemoryException("libzstd could not allocate a compression context");
        }
        return context;
    }

    /// <summary>One zstd frame of <paramref name="source"/> into <paramref name="destination"/> at <paramref name="level"/>; returns its length.</summary>
    public static int Compress(CompressionContext context, ReadOnlySpan<byte> source, Span<byte> destination, int level)
    {
        nuint result = ZSTD_compressCCtx(context, ref MemoryMarshal.GetReference(destination), (nuint)destination.Length,
            in MemoryMarshal.GetReference(source), (nuint)source.Length, level);
        if (ZSTD_isError(result) != 0)
            throw new InvalidOperationException($"zstd compression failed: {Marshal.PtrToStringUTF8(ZSTD_getErrorName(result))}");
        return (int)result;
    }

    /// <summary>A ZSTD_CCtx*, freed with ZSTD_freeCCtx.</summary>
    internal sealed class CompressionContext : SafeHandle
    {
        public CompressionContext() : base(IntPtr.Zero, ownsHandle: true) { }

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            ZSTD_freeCCtx(handle);
            return true;
        }
    }

    [DllImport(LibraryName)]
    private static extern uint ZSTD_versionNumber();

    [DllImport(LibraryName)]
    private static extern CompressionContext ZSTD_createCCtx();

    [DllImport(LibraryName)]
    private static extern nuint ZSTD_freeCCtx(IntPtr context);

    [DllImport(LibraryName)]
    private static extern nuint ZSTD_compressCCtx(CompressionContext context, ref byte destination, nuint capacity, in byte source, nuint length, int level);

    [DllImport(LibraryName)]
    private static extern nuint ZSTD_compressBound(nuint length);

    [DllImport(LibraryName)]
    private static extern uint ZSTD_isError(nuint code);

    [DllImport(LibraryName)]
    private static extern IntPtr ZSTD_getErrorName(nuint code);
}
