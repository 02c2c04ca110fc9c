using System.Runtime.InteropServices;

namespace Lakehouse.Jobs.Ingest;

/// <summary>
/// <see cref="SourceTree.Walk"/> on Linux: one open and one directory read per folder, and nothing per file; the
/// type comes from the directory entry (a stat only on file systems that leave it unknown). Folders are opened by path
/// with O_NOFOLLOW (a folder swapped for a link meanwhile is not followed); only the root may be a link. A folder stays
/// open while its files are handed out (<see cref="SourceFolder"/>): they open relative to it.
/// </summary>
internal static unsafe class LinuxSourceWalk
{
    // A folder to read: its path as the walk yields it, and the same as NUL-terminated bytes for open.
    private sealed record Folder(string Path, byte[] Bytes);

    private static readonly Comparison<Folder> ByPath = static (a, b) => string.CompareOrdinal(a.Path, b.Path);

    /// <summary>The walked paths (each file's folder released at once); see <see cref="WalkFiles"/>.</summary>
    public static IEnumerable<string> Walk(string root, bool statEveryEntry = false)
    {
        foreach (var file in WalkFiles(root, statEveryEntry))
        {
            file.Folder?.Release();
            yield return file.Path;
        }
    }

    /// <summary>
    /// The walk; each file comes with its open folder, which the taker releases once (<see cref="SourceFolder"/>).
    /// <paramref name="statEveryEntry"/> classifies every entry as on a file system without d_type (for tests).
    /// </summary>
    public static IEnumerable<WalkedFile> WalkFiles(string root, bool statEveryEntry = false)
    {
        var folders = new Stack<Folder>();
        folders.Push(RootFolder(root));
        var files = new List<(string Path, int NameStart)>();
        var names = new List<byte>();
        var subfolders = new List<Folder>();
        bool isRoot = true;
        while (folders.Count > 0)
        {
            files.Clear();
            names.Clear();
            subfolders.Clear();
            long count = 0;
            var read = TryRead(folders.Pop(), isRoot, files, names, subfolders, statEveryEntry, ref count);
            isRoot = false;
            if (read is not { } dir) continue;
            var folder = files.Count > 0 ? new SourceFolder(dir, [.. names]) : null;
            if (folder is null) LinuxFileSystem.closedir(dir);
            try
            {
                files.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
                foreach (var (path, nameStart) in files)
                {
                    folder!.Retain();
                    yield return new WalkedFile(path, folder, nameStart);
                }
            }
            finally
            {
                folder?.Release(); // the walk's own reference: the folder closes once its files are released too
            }
            subfolders.Sort(ByPath);
            for (int i = subfolders.Count - 1; i >= 0; i--) folders.Push(subfolders[i]);
        }
    }

    /// <summary>How many files <see cref="Walk"/> gives, without decoding their names.</summary>
    public static long Count(string root)
    {
        var folders = new Stack<Folder>();
        folders.Push(RootFolder(root));
        var subfolders = new List<Folder>();
        long n = 0;
        bool isRoot = true;
        while (folders.Count > 0)
        {
            subfolders.Clear();
            long count = 0;
            if (TryRead(folders.Pop(), isRoot, null, null, subfolders, false, ref count) is { } dir)
            {
                LinuxFileSystem.closedir(dir);
                n += count;
            }
            isRoot = false;
            foreach (var folder in subfolders) folders.Push(folder); // the order does not matter for a count
        }
        return n;
    }

    private static Folder RootFolder(string root)
    {
        string path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        byte[] bytes = new byte[PathBytes.MaxBytes(path.Length)];
        int n = PathBytes.Encode(path, bytes);
        return new Folder(path, bytes.AsSpan(0, n + 1).ToArray());
    }

    // Reads one folder: its files with their NUL-terminated names (or only their count when files is null) and subfolders;
    // returns the folder, still open, for the caller to close. Null when it cannot be opened or read to its end (vanished,
    // no permission, I/O error): the folder is skipped, as the managed walk does.
    private static nint? TryRead(Folder folder, bool followLink, List<(string Path, int NameStart)>? files, List<byte>? names,
        List<Folder> subfolders, bool statEveryEntry, ref long count)
    {
        nint dir;
        fixed (byte* path = folder.Bytes) dir = LinuxFileSystem.OpenFolder(path, followLink);
        if (dir == 0) return null;
        bool keep = false;
        try
        {
            while (true)
            {
                byte* entry = LinuxFileSystem.ReadEntry(dir, out int errno);
                if (entry is null)
                {
                    keep = errno == 0;
                    return keep ? dir : null;
                }
                byte* namePointer = entry + LinuxFileSystem.DirentNameOffset;
                var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(namePointer);
                if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)) continue;
                byte type = entry[LinuxFileSystem.DirentTypeOffset];
                if (type == LinuxFileSystem.DtUnknown || statEveryEntry)
                {
                    if (!LinuxFileSystem.TryEntryType(dir, namePointer, out ushort mode)) continue; // deleted meanwhile
                    type = mode switch
                    {
                        LinuxFileSystem.SIfDir => LinuxFileSystem.DtDir,
                        LinuxFileSystem.SIfLnk => LinuxFileSystem.DtLnk,
                        _ => LinuxFileSystem.DtReg, // regular, or a fifo/device/socket that the open reports
                    };
                }
                if (type == LinuxFileSystem.DtLnk) continue; // links are not followed: a file is read where it lives, once
                if (type == LinuxFileSystem.DtDir) subfolders.Add(Child(folder, name));
                else if (files is null) count++;
                else
                {
                    files.Add((ChildPath(folder.Path, name), names!.Count));
                    names.AddRange(name);
                    names.Add(0);
                }
            }
        }
        finally
        {
            if (!keep) LinuxFileSystem.closedir(dir);
        }
    }

    private static string ChildPath(string folder, ReadOnlySpan<byte> name)
    {
        Span<char> chars = stackalloc char[name.Length]; // a name is at most 255 bytes; a byte decodes to at most one char
        int n = PathBytes.Decode(name, chars);
        return folder.EndsWith('/') ? string.Concat(folder.AsSpan(), chars[..n]) : string.Concat(folder.AsSpan(), "/", chars[..n]);
    }

    private static Folder Child(Folder parent, ReadOnlySpan<byte> name)
    {
        int parentLength = parent.Bytes.Length - 1; // without the NUL
        bool separator = parent.Bytes[parentLength - 1] != (byte)'/';
        byte[] bytes = new byte[parentLength + (separator ? 1 : 0) + name.Length + 1];
        parent.Bytes.AsSpan(0, parentLength).CopyTo(bytes);
        if (separator) bytes[parentLength] = (byte)'/';
        name.CopyTo(bytes.AsSpan(bytes.Length - 1 - name.Length));
        return new Folder(ChildPath(parent.Path, name), bytes);
    }
}
