using System.Runtime.InteropServices;

namespace Lakehouse.Jobs.Ingest;

/// <summary>
/// <see cref="SourceTree.Walk"/> on Linux: one open and one directory read per folder, and nothing per file; the
/// type comes from the directory entry (a stat only on file systems that leave it unknown). Folders are opened by path
/// with O_NOFOLLOW (a folder swapped for a link meanwhile is not followed); only the root may be a link.
/// </summary>
internal static unsafe class LinuxSourceWalk
{
    // A folder to read: its path as the walk yields it, and the same as NUL-terminated bytes for open.
    private sealed record Folder(string Path, byte[] Bytes);

    private static readonly Comparison<Folder> ByPath = static (a, b) => string.CompareOrdinal(a.Path, b.Path);

    /// <summary>The walk; <paramref name="statEveryEntry"/> classifies every entry as on a file system without d_type (for tests).</summary>
    public static IEnumerable<string> Walk(string root, bool statEveryEntry = false)
    {
        var folders = new Stack<Folder>();
        folders.Push(RootFolder(root));
        var files = new List<string>();
        var subfolders = new List<Folder>();
        bool isRoot = true;
        while (folders.Count > 0)
        {
            files.Clear();
            subfolders.Clear();
            long count = 0;
            bool read = TryRead(folders.Pop(), isRoot, files, subfolders, statEveryEntry, ref count);
            isRoot = false;
            if (!read) continue;
            files.Sort(StringComparer.Ordinal);
            foreach (string file in files) yield return file;
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
            if (TryRead(folders.Pop(), isRoot, null, subfolders, false, ref count)) n += count;
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

    // Reads one folder: its files (or only their count when files is null) and subfolders. False when it cannot be opened
    // or read to its end (vanished, no permission, I/O error): the folder is skipped, as the managed walk does.
    private static bool TryRead(Folder folder, bool followLink, List<string>? files, List<Folder> subfolders, bool statEveryEntry, ref long count)
    {
        nint dir;
        fixed (byte* path = folder.Bytes) dir = LinuxFileSystem.OpenFolder(path, followLink);
        if (dir == 0) return false;
        try
        {
            while (true)
            {
                byte* entry = LinuxFileSystem.ReadEntry(dir, out int errno);
                if (entry is null) return errno == 0;
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
                else files.Add(ChildPath(folder.Path, name));
            }
        }
        finally
        {
            LinuxFileSystem.closedir(dir);
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
