using System.Runtime.InteropServices;

namespace Lakehouse.Tables.Transaction;

/// <summary>
/// Puts a fully written temporary file at its final name only if nothing is there yet, atomically: the put-if-absent
/// a Delta commit needs (exactly one writer gets version N, and readers never see a half-written file). Also names and
/// writes the temporary files that the log's writers publish.
/// </summary>
/// <remarks>
/// .NET's <c>File.Move(overwrite: false)</c> is not that on Unix: it checks that the target is absent, then calls
/// <c>rename()</c>, which replaces a target created in between, so two writers racing for one version could both
/// "win" and one commit would be lost. On Unix the file is published with <c>link()</c>, which fails with EEXIST when
/// the name is taken; the temporary name is then removed. Windows' move without replace is already exclusive.
/// </remarks>
internal static partial class ExclusivePublish
{
    private const int EPerm = 1, EExist = 17, EXDev = 18, EMLink = 31, ENoSys = 38, EOpNotSupp = 95;

    /// <summary>A fresh temporary name beside <paramref name="target"/> (hidden, unique per writer): where its content is written before it is published.</summary>
    public static string TempFor(string target) =>
        Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");

    /// <summary>Creates <paramref name="temp"/> with <paramref name="content"/> (UTF-8) and flushes it to disk: a published file must survive a power loss.</summary>
    public static void WriteDurably(string temp, string content)
    {
        using var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write);
        fs.Write(System.Text.Encoding.UTF8.GetBytes(content));
        fs.Flush(flushToDisk: true);
    }

    /// <summary>Publishes <paramref name="temp"/> as <paramref name="target"/>; false (temp left in place) when the target exists.</summary>
    /// <exception cref="NotSupportedException">The file system has no hard links, so no exclusive publish (the message names the errno, not the path).</exception>
    /// <exception cref="IOException">Any other failure (I/O, permissions); the message names the errno, not the path.</exception>
    public static bool TryPublish(string temp, string target)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(temp, target, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(target))
            {
                return false;
            }
        }
        if (link(temp, target) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EExist) return false;
            if (errno is EPerm or EXDev or EMLink or ENoSys or EOpNotSupp)
                throw new NotSupportedException($"cannot commit: the table's file system refuses hard links (errno {errno}), which commits need to be exclusive");
            throw new IOException($"cannot publish the commit file: link failed with errno {errno}");
        }
        File.Delete(temp);
        return true;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);
}
