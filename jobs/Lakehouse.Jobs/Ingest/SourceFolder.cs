using System.Runtime.InteropServices;

namespace Lakehouse.Jobs.Ingest;

/// <summary>
/// A file the walk found: its full path (what bronze records and what an error is filed under) and, on Linux, the open
/// folder it was listed in: it is opened relative to that folder, so the kernel looks up one name instead of every folder
/// of the path again (as fts and find do), and a folder swapped for a link after the walk read it cannot redirect the open.
/// </summary>
/// <param name="Path">The full path.</param>
/// <param name="Folder">The open folder (null: open by path, the managed walk).</param>
/// <param name="NameStart">Where the file's NUL-terminated name starts in the folder's names.</param>
internal readonly record struct WalkedFile(string Path, SourceFolder? Folder, int NameStart);

/// <summary>
/// A folder of the Linux walk, kept open until each of its walked files has been opened or given up: the walk takes a
/// reference per file it hands out and drops its own once it has handed them all out; whoever takes a file releases it
/// once (<see cref="OpenedSourceFile"/> does, after the open). A folder whose files are never released (an abandoned run)
/// is closed by the handle's finalizer.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "the handle's life is counted (Retain/Release), not scoped")]
internal sealed unsafe class SourceFolder
{
    private readonly DirectoryHandle _dir;
    private readonly byte[] _names;
    private int _references = 1; // the walk's

    public SourceFolder(nint dir, byte[] names)
    {
        _dir = new DirectoryHandle(dir);
        _names = names;
        Descriptor = LinuxFileSystem.FolderDescriptor(dir);
    }

    /// <summary>The folder's descriptor: valid while the caller holds a reference (a walked file not yet released).</summary>
    public int Descriptor { get; }

    /// <summary>The name at <paramref name="nameStart"/>, with its terminating NUL.</summary>
    public ReadOnlySpan<byte> NameWithNul(int nameStart) =>
        _names.AsSpan(nameStart, _names.AsSpan(nameStart).IndexOf((byte)0) + 1);

    /// <summary>Whether the folder is closed (every reference released).</summary>
    public bool IsClosed => _dir.IsClosed;

    /// <summary>One more file handed out.</summary>
    public void Retain() => Interlocked.Increment(ref _references);

    /// <summary>A file is done with the folder (or the walk is); the last one closes it.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0) _dir.Dispose();
    }

    /// <summary>Opens the file named at <paramref name="nameStart"/> (see <see cref="LinuxFileSystem.OpenFileAt"/>); -1 and errno on failure.</summary>
    public int OpenFile(int nameStart, out int errno)
    {
        bool added = false;
        _dir.DangerousAddRef(ref added); // the caller holds a reference; this only keeps the handle valid during the call
        try
        {
            fixed (byte* name = &_names[nameStart]) return LinuxFileSystem.OpenFileAt(Descriptor, name, out errno);
        }
        finally
        {
            if (added) _dir.DangerousRelease();
        }
    }

    private sealed class DirectoryHandle : SafeHandle
    {
        public DirectoryHandle(nint dir) : base(0, ownsHandle: true) => SetHandle(dir);

        public override bool IsInvalid => handle == 0;

        protected override bool ReleaseHandle() => LinuxFileSystem.closedir(handle) == 0;
    }
}
