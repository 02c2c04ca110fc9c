namespace Lakehouse.Jobs.Tests.Support;

/// <summary>The file descriptors this process holds (Linux, /proc/self/fd): what the ingestion tests check is closed.</summary>
internal static class ProcessDescriptors
{
    /// <summary>Descriptors open on <paramref name="root"/> or anything under it (other tests' descriptors are elsewhere).</summary>
    public static int Under(string root) => Directory.GetFileSystemEntries("/proc/self/fd")
        .Select(fd => { try { return new FileInfo(fd).LinkTarget; } catch (IOException) { return null; } }) // closed meanwhile
        .Count(target => target is not null && (target == root || target.StartsWith(root + "/", StringComparison.Ordinal)));
}
