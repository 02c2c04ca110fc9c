using System.IO.Enumeration;

namespace Lakehouse.Jobs.Ingest;

/// <summary>A file of a source archive as the walk found it: where it is, its size and modification time (µs since the epoch).</summary>
/// <param name="Path">Full path. PHI (exports name folders after patients): it goes to restricted tables only, never to a message.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="ModifiedMicros">Last write time, microseconds since the Unix epoch (the precision a Delta timestamp keeps).</param>
public readonly record struct SourceTreeFile(string Path, long Size, long ModifiedMicros);

/// <summary>
/// Walks a source archive: depth first, names in ordinal order (the same order on every run and file system), one
/// directory read per folder with size and time from the same entry. Symbolic links (to files or folders) are not
/// followed, so a file is read where it lives, once; folders that cannot be read are skipped.
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

    /// <summary>The regular files under <paramref name="root"/>.</summary>
    public static IEnumerable<SourceTreeFile> Walk(string root)
    {
        var folders = new Stack<string>();
        folders.Push(root);
        var files = new List<SourceTreeFile>();
        var subfolders = new List<string>();
        while (folders.Count > 0)
        {
            files.Clear();
            subfolders.Clear();
            if (!TryRead(folders.Pop(), files, subfolders)) continue;
            files.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path));
            foreach (var file in files) yield return file;
            subfolders.Sort(StringComparer.Ordinal);
            for (int i = subfolders.Count - 1; i >= 0; i--) folders.Push(subfolders[i]);
        }
    }

    /// <summary>How many files <see cref="Walk"/> would give, without reading their sizes and times (for an ETA).</summary>
    public static long Count(string root)
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

    private static bool TryRead(string folder, List<SourceTreeFile> files, List<string> subfolders)
    {
        try
        {
            var entries = new FileSystemEnumerable<(SourceTreeFile File, EntryKind Kind)>(folder, static (ref FileSystemEntry e) =>
            {
                if (e.IsDirectory) return (new SourceTreeFile(e.ToFullPath(), 0, 0), EntryKind.Folder);
                try { return (new SourceTreeFile(e.ToFullPath(), e.Length, FileFingerprint.Micros(e.LastWriteTimeUtc.UtcDateTime)), EntryKind.File); }
                catch (IOException) { return (default, EntryKind.Vanished); } // deleted between the directory read and its stat
            }, Options)
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

    // A link's attributes carry ReparsePoint (read without following it).
    private static bool IsNotALink(ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0;

    private enum EntryKind { File, Folder, Vanished }
}
