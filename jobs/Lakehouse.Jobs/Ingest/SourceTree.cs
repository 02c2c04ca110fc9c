using System.IO.Enumeration;

namespace Lakehouse.Jobs.Ingest;

/// <summary>A file of a source archive as the walk found it: where it is, its size and modification time (µs since the epoch).</summary>
/// <param name="Path">Full path. PHI (exports name folders after patients): it goes to restricted tables only, never to a message.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="ModifiedMicros">Last write time, microseconds since the Unix epoch (the precision a Delta timestamp keeps).</param>
public readonly record struct SourceTreeFile(string Path, long Size, long ModifiedMicros);

/// <summary>
/// Walks a source archive and opens its files: depth first, names in ordinal order (the same order on every run and
/// file system), a folder's files before its subfolders. Symbolic links (to files or folders) are not followed, so a
/// file is read where it lives, once; folders that vanish or cannot be read are skipped. Fifos, devices and sockets are
/// walked like files: <see cref="Open"/> reports them as not regular files.
/// </summary>
public static class SourceTree
{
    private static readonly EnumerationOptions Options = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = true,
        AttributesToSkip = 0, // hidden files are still files of the export
        ReturnSpecialDirectories = false,
    };

    /// <summary>
    /// The full paths of the files under <paramref name="root"/>. On Linux one directory read per folder and no stat per
    /// file (libc); names that are not valid UTF-8 keep their bytes as escapes that <see cref="Open"/> understands.
    /// Size and time come with <see cref="Open"/>, from the file actually read.
    /// </summary>
    public static IEnumerable<string> WalkPaths(string root) =>
        LinuxFileSystem.IsSupported ? LinuxSourceWalk.Walk(root) : WalkPathsManaged(root);

    /// <summary>Opens a file that <see cref="WalkPaths"/> gave, for its header, with its size and modification time.</summary>
    /// <exception cref="IOException">It vanished (<see cref="FileNotFoundException"/>), is not a regular file (a link, folder, fifo, device) or cannot be read; the message never holds the path.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission; the message never holds the path.</exception>
    public static OpenedSourceFile Open(string path) =>
        LinuxFileSystem.IsSupported ? OpenedSourceFile.OpenLinux(path) : OpenedSourceFile.OpenManaged(path);

    /// <summary>
    /// The files under <paramref name="root"/> with their sizes and times from the walk (a stat per file). Ingestion's
    /// walk until it moves to <see cref="WalkPaths"/> and <see cref="Open"/>, which cost no stat per file.
    /// </summary>
    public static IEnumerable<SourceTreeFile> Walk(string root) => ManagedWalk(root, withStat: true);

    /// <summary>How many files <see cref="WalkPaths"/> gives (for an ETA).</summary>
    public static long Count(string root) => LinuxFileSystem.IsSupported ? LinuxSourceWalk.Count(root) : CountManaged(root);

    /// <summary>The walk over .NET's directory enumeration (other systems; tests compare it with the Linux walk).</summary>
    internal static IEnumerable<string> WalkPathsManaged(string root) => ManagedWalk(root, withStat: false).Select(static f => f.Path);

    internal static long CountManaged(string root)
    {
        long n = 0;
        var folders = new Stack<string>();
        folders.Push(root);
        while (folders.Count > 0)
        {
            try
            {
                var entries = new FileSystemEnumerable<(string Path, bool IsFolder)>(folders.Pop(),
                    static (ref FileSystemEntry e) => (e.IsDirectory ? e.ToFullPath() : "", e.IsDirectory), Options)
                {
                    ShouldIncludePredicate = IsNotALink,
                };
                foreach (var (path, isFolder) in entries)
                    if (isFolder) folders.Push(path);
                    else n++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { } // the folder vanished or cannot be read
        }
        return n;
    }

    private static IEnumerable<SourceTreeFile> ManagedWalk(string root, bool withStat)
    {
        var folders = new Stack<string>();
        folders.Push(root);
        var files = new List<SourceTreeFile>();
        var subfolders = new List<string>();
        while (folders.Count > 0)
        {
            files.Clear();
            subfolders.Clear();
            if (!TryRead(folders.Pop(), withStat, files, subfolders)) continue;
            files.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
            foreach (var file in files) yield return file;
            subfolders.Sort(StringComparer.Ordinal);
            for (int i = subfolders.Count - 1; i >= 0; i--) folders.Push(subfolders[i]);
        }
    }

    private static bool TryRead(string folder, bool withStat, List<SourceTreeFile> files, List<string> subfolders)
    {
        try
        {
            var entries = new FileSystemEnumerable<(SourceTreeFile File, EntryKind Kind)>(folder, withStat ? WithStat : PathOnly, Options)
            {
                ShouldIncludePredicate = IsNotALink,
            };
            foreach (var (file, kind) in entries)
                if (kind == EntryKind.Folder) subfolders.Add(file.Path);
                else if (kind == EntryKind.File) files.Add(file);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // the folder vanished or cannot be read
        }
    }

    private static (SourceTreeFile, EntryKind) WithStat(ref FileSystemEntry e)
    {
        if (e.IsDirectory) return (new SourceTreeFile(e.ToFullPath(), 0, 0), EntryKind.Folder);
        try { return (new SourceTreeFile(e.ToFullPath(), e.Length, FileFingerprint.Micros(e.LastWriteTimeUtc.UtcDateTime)), EntryKind.File); }
        catch (IOException) { return (default, EntryKind.Vanished); } // deleted between the directory read and its stat
    }

    private static (SourceTreeFile, EntryKind) PathOnly(ref FileSystemEntry e) =>
        (new SourceTreeFile(e.ToFullPath(), 0, 0), e.IsDirectory ? EntryKind.Folder : EntryKind.File);

    // A link's attributes carry ReparsePoint (read without following it).
    private static bool IsNotALink(ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0;

    private enum EntryKind { File, Folder, Vanished }
}
