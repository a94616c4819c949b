using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// Starts the kernel's write-out of a database file's dirty pages without waiting for it
/// (<c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>, Linux only), through SQLite's own descriptor for the file, and
/// reads how many of the file's pages are dirty with no write-out started (<c>cachestat</c>, Linux 6.5+). Neither makes
/// anything durable: only an fsync does, and the checkpointer still makes every one it made before. What the early
/// start changes is when the disk writes the pages: a little after each checkpoint pass instead of megabytes at once
/// in one fsync beside the commits' WAL fsyncs.
/// </summary>
/// <remarks>
/// The descriptor is SQLite's (<c>unixFile.h</c>, the int after three pointers), checked to name the database file
/// through <c>/proc/self/fd</c> before it is used; a descriptor of our own would drop SQLite's POSIX locks when closed.
/// Anywhere this cannot be had (not Linux, another VFS or layout) <see cref="Open"/> gives null and the checkpointer
/// works as before: its fsync writes everything.
/// </remarks>
internal sealed class SqliteWriteBack
{
    private const uint SyncFileRangeWrite = 2;
    private const long CachestatSyscall = 451;

    private readonly int _descriptor;
    private bool _cachestatMissing;

    private SqliteWriteBack(int descriptor) => _descriptor = descriptor;

    /// <summary>
    /// The write-back of <paramref name="connection"/>'s database file (<paramref name="path"/>, full path), or null where
    /// SQLite's descriptor for it cannot be found and checked.
    /// </summary>
    public static SqliteWriteBack? Open(SqliteConnection connection, string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var file = SqliteFileSync.DatabaseFile(connection);
        if (file == IntPtr.Zero || Marshal.ReadIntPtr(file) == IntPtr.Zero)
        {
            return null;
        }

        // unixFile: pMethod, pVfs, pInode, then int h. Another VFS or layout puts something else there, which the check
        // below refuses (unless it happens to be a descriptor of this very file, which is then as good).
        var descriptor = Marshal.ReadInt32(file, 3 * IntPtr.Size);
        return NamesFile(descriptor, path) ? new SqliteWriteBack(descriptor) : null;
    }

    /// <summary>
    /// Starts writing out every dirty page of the file; returns at once unless the disk's queue is full. Gives the errno
    /// when the kernel refused (nothing is lost then: the fsync that follows writes whatever this did not start), else 0.
    /// </summary>
    public int Start() => NativeMethods.sync_file_range(_descriptor, 0, 0, SyncFileRangeWrite) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>The file's dirty pages whose write-out has not started, or null where the kernel cannot say (before Linux 6.5).</summary>
    public long? DirtyPages()
    {
        if (_cachestatMissing)
        {
            return null;
        }

        var range = new CachestatRange(0, 0);
        if (NativeMethods.syscall(CachestatSyscall, _descriptor, ref range, out var stat, 0) != 0)
        {
            _cachestatMissing = true;
            return null;
        }

        return (long)stat.Dirty;
    }

    private static bool NamesFile(int descriptor, string path)
    {
        if (descriptor < 0)
        {
            return false;
        }

        try
        {
            var target = new FileInfo($"/proc/self/fd/{descriptor}").LinkTarget;
            return string.Equals(target, path, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct CachestatRange(ulong Offset, ulong Length);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Cachestat(ulong Cache, ulong Dirty, ulong Writeback, ulong Evicted, ulong RecentlyEvicted);

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int sync_file_range(int fd, long offset, long length, uint flags);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern long syscall(long number, int fd, ref CachestatRange range, out Cachestat stat, uint flags);
    }
}
