using System.IO.Enumeration;

namespace Lakehouse.Jobs.Ingest;

/// <summary>
/// Walks a source archive and opens its files: depth first, names in ordinal order (the same order on every run and
/// file system), a folder's files before its subfolders. Symbolic links (to files or folders) are not followed, so a
/// file is read where it lives, once; folders that vanish or cannot be read are skipped. Fifos, devices and sockets are
/// walked like files: <see cref="Open(string)"/> reports them as not regular files.
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
    /// file (libc); names that are not valid UTF-8 keep their bytes as escapes that <see cref="Open(string)"/> understands.
    /// Size and time come with <see cref="Open(string)"/>, from the file actually read. A path is PHI (exports name folders after
    /// patients): it goes to restricted tables only, never to a message.
    /// </summary>
    public static IEnumerable<string> Walk(string root) =>
        LinuxFileSystem.IsSupported ? LinuxSourceWalk.Walk(root) : WalkManaged(root);

    /// <summary>
    /// The walk as <see cref="Walk"/> gives it, each file with what <see cref="Open(in WalkedFile)"/> needs to open it
    /// relative to its folder on Linux. Every file handed out must be opened once (or its folder released): its folder
    /// stays open until then.
    /// </summary>
    internal static IEnumerable<WalkedFile> WalkFiles(string root) =>
        LinuxFileSystem.IsSupported ? LinuxSourceWalk.WalkFiles(root) : WalkManaged(root).Select(p => new WalkedFile(p, null, 0));

    /// <summary>
    /// Opens a file <see cref="WalkFiles"/> gave, as <see cref="Open(string)"/> opens its path, but relative to the folder it
    /// was listed in (which it releases); the same exceptions.
    /// </summary>
    internal static OpenedSourceFile Open(in WalkedFile file) =>
        file.Folder is null ? Open(file.Path) : OpenedSourceFile.OpenLinux(file);

    /// <summary>Opens a file that <see cref="Walk"/> gave, for its header, with its size and modification time.</summary>
    /// <exception cref="IOException">It vanished (<see cref="FileNotFoundException"/>), is not a regular file (a link, folder, fifo, device) or cannot be read; the message never holds the path.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission; the message never holds the path.</exception>
    public static OpenedSourceFile Open(string path) =>
        LinuxFileSystem.IsSupported ? OpenedSourceFile.OpenLinux(path) : OpenedSourceFile.OpenManaged(path);

    /// <summary>How many files <see cref="Walk"/> gives (for an ETA).</summary>
    public static long Count(string root) => LinuxFileSystem.IsSupported ? LinuxSourceWalk.Count(root) : CountManaged(root);

    /// <summary>The walk over .NET's directory enumeration (other systems; tests compare it with the Linux walk).</summary>
    internal static IEnumerable<string> WalkManaged(string root)
    {
        var folders = new Stack<string>();
        folders.Push(root);
        var files = new List<string>();
        var subfolders = new List<string>();
        while (folders.Count > 0)
        {
            files.Clear();
            subfolders.Clear();
            if (!TryRead(folders.Pop(), files, subfolders)) continue;
            files.Sort(StringComparer.Ordinal);
            foreach (string file in files) yield return file;
            subfolders.Sort(StringComparer.Ordinal);
            for (int i = subfolders.Count - 1; i >= 0; i--) folders.Push(subfolders[i]);
        }
    }

    // The count off Linux (only for an ETA): the walk itself, so both agree on what a file is.
    internal static long CountManaged(string root) => WalkManaged(root).LongCount();

    private static bool TryRead(string folder, List<string> files, List<string> subfolders)
    {
        try
        {
            var entries = new FileSystemEnumerable<(string Path, bool IsFolder)>(folder,
                static (ref FileSystemEntry e) => (e.ToFullPath(), e.IsDirectory), Options)
            {
                ShouldIncludePredicate = IsNotALink,
            };
            foreach (var (path, isFolder) in entries) (isFolder ? subfolders : files).Add(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // the folder vanished or cannot be read
        }
    }

    // A link's attributes carry ReparsePoint (read without following it).
    private static bool IsNotALink(ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0;
}
