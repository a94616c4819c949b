using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// The write connection's WAL hook (<c>sqlite3_wal_hook</c>), which only records how many frames the WAL holds after each
/// commit. Installing it removes SQLite's auto-checkpoint from that connection (the two share one slot: the pragma
/// <c>wal_autocheckpoint</c> installs SQLite's own hook, which runs a checkpoint inside the COMMIT and ignores its result,
/// so a failed fsync there went unseen). The writer then checkpoints itself after the commit and checks the result
/// (<see cref="SqliteDatabase.CheckpointIfWalPastLimit"/>). SQLitePCLRaw 2.0 does not wrap this function.
/// </summary>
internal sealed class SqliteWalHook : IDisposable
{
    private readonly IntPtr _db;

    // Kept alive for as long as SQLite holds its function pointer.
    private readonly WalCallback _callback;
    private int _frames;
    private int _removed;

    private SqliteWalHook(IntPtr db)
    {
        _db = db;
        _callback = OnCommit;
        NativeMethods.sqlite3_wal_hook(_db, Marshal.GetFunctionPointerForDelegate(_callback), IntPtr.Zero);
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int WalCallback(IntPtr argument, IntPtr db, IntPtr schema, int frames);

    /// <summary>Frames in the WAL after the connection's last commit (those of frames already checkpointed included).</summary>
    public int Frames => Volatile.Read(ref _frames);

    /// <summary>Installs the hook on <paramref name="connection"/> (open), replacing SQLite's auto-checkpoint there.</summary>
    public static SqliteWalHook Install(SqliteConnection connection) =>
        new(connection.Handle?.DangerousGetHandle() ?? throw new InvalidOperationException("The write connection is not open."));

    /// <summary>Removes the hook; call before the connection closes (it goes back to a pool open, and this delegate may then be collected).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _removed, 1) == 0)
        {
            NativeMethods.sqlite3_wal_hook(_db, IntPtr.Zero, IntPtr.Zero);
        }
    }

    // Called by SQLite on the committing thread, inside the COMMIT: it must not throw (an exception cannot cross into C).
    private int OnCommit(IntPtr argument, IntPtr db, IntPtr schema, int frames)
    {
        Volatile.Write(ref _frames, frames);
        return 0;
    }

    private static class NativeMethods
    {
        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern IntPtr sqlite3_wal_hook(IntPtr db, IntPtr callback, IntPtr argument);
    }
}
