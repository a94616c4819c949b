using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// Syncs a connection's database or WAL file through SQLite's own file handle (the VFS's <c>xSync</c>, reached by
/// <c>SQLITE_FCNTL_FILE_POINTER</c> / <c>SQLITE_FCNTL_JOURNAL_POINTER</c>), so the checkpointer can time and place the
/// fsyncs a checkpoint makes. A descriptor of our own would not do: closing it drops every POSIX lock the process
/// holds on the file, SQLite's included.
/// </summary>
internal static class SqliteFileSync
{
    private const int FileControlFilePointer = 7;
    private const int FileControlJournalPointer = 28;

    // What a checkpoint passes at synchronous NORMAL or FULL (SQLITE_SYNC_NORMAL); FULL differs only on macOS.
    private const int SyncNormal = 2;

    private static readonly byte[] s_main = "main\0"u8.ToArray();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int XSync(IntPtr file, int flags);

    /// <summary>fsyncs the database file of <paramref name="connection"/> (any connection's descriptor syncs the file).</summary>
    public static void SyncDatabase(SqliteConnection connection) => Sync(connection, FileControlFilePointer, "database");

    /// <summary>fsyncs the WAL file of <paramref name="connection"/>; nothing when the connection has not opened the WAL.</summary>
    public static void SyncWal(SqliteConnection connection) => Sync(connection, FileControlJournalPointer, "WAL");

    /// <summary>SQLite's <c>sqlite3_file</c> of <paramref name="connection"/>'s database file (its methods table first).</summary>
    public static IntPtr DatabaseFile(SqliteConnection connection) => File(connection, FileControlFilePointer, "database");

    private static IntPtr File(SqliteConnection connection, int operation, string what)
    {
        var rc = NativeMethods.sqlite3_file_control(connection.Handle!.DangerousGetHandle(), s_main, operation, out var file);
        if (rc != 0)
        {
            throw new SqliteException($"Could not reach the {what} file's handle (file control {operation})", rc);
        }

        return file;
    }

    private static void Sync(SqliteConnection connection, int operation, string what)
    {
        var file = File(connection, operation, what);

        // sqlite3_file starts with its methods table; a file not open (no WAL yet) has none.
        var methods = file == IntPtr.Zero ? IntPtr.Zero : Marshal.ReadIntPtr(file);
        if (methods == IntPtr.Zero)
        {
            return;
        }

        // sqlite3_io_methods: int iVersion, then xClose, xRead, xWrite, xTruncate, xSync (pointer-aligned).
        var xSync = Marshal.GetDelegateForFunctionPointer<XSync>(Marshal.ReadIntPtr(methods, 5 * IntPtr.Size));
        var rc = xSync(file, SyncNormal);
        if (rc != 0)
        {
            throw new SqliteException($"fsync of the {what} file failed", rc);
        }
    }

    private static class NativeMethods
    {
        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int sqlite3_file_control(IntPtr db, byte[] name, int operation, out IntPtr file);
    }
}
