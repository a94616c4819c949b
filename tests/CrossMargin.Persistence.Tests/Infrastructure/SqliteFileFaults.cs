using System.Runtime.InteropServices;
using CrossMargin.Persistence.Sqlite;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Persistence.Tests.Infrastructure;

/// <summary>
/// Makes SQLite's own fsyncs or writes of one connection's database file fail as the disk would, with no root and no
/// compiled shim: that handle's I/O methods table (<c>sqlite3_io_methods</c>, the first field of its <c>sqlite3_file</c>)
/// is swapped for a copy whose <c>xSync</c> or <c>xWrite</c> returns what the unix VFS returns when fsync or pwrite fails
/// (<c>SQLITE_IOERR_FSYNC</c>, <c>SQLITE_IOERR_WRITE</c>), as many times as asked, then calls SQLite's own again (after a
/// failed fsync Linux reports the next one as a success). Other connections' handles of the file are untouched. Dispose it
/// while the connection is still open (declare it after the store): the write connection goes back to a pool open, and
/// whatever closes it later must find SQLite's own table.
/// </summary>
public sealed class SqliteFileFaults : IDisposable
{
    public const int SqliteIoErrorFsync = 10 | (4 << 8);
    public const int SqliteIoErrorWrite = 10 | (3 << 8);

    // Pointer-sized slots of sqlite3_io_methods: iVersion (an int, padded), then xClose, xRead, xWrite, xTruncate, xSync, ...
    private const int WriteSlot = 3;
    private const int SyncSlot = 5;

    private readonly IntPtr _file;
    private readonly IntPtr _original;
    private readonly IntPtr _table;
    private readonly XSync _sync;
    private readonly XWrite _write;
    private readonly XSync _originalSync;
    private readonly XWrite _originalWrite;
    private int _syncsToFail;
    private int _writesToFail;
    private int _syncs;
    private int _syncsFailed;
    private int _writesFailed;
    private int _disposed;

    private SqliteFileFaults(SqliteConnection connection)
    {
        _file = SqliteFileSync.DatabaseFile(connection);
        _original = Marshal.ReadIntPtr(_file);
        var version = Marshal.ReadInt32(_original);

        // Version 1 has 12 methods, 2 adds the 4 of shared memory, 3 the 2 of memory mapping.
        var slots = 1 + (version switch { >= 3 => 18, 2 => 16, _ => 12 });
        var bytes = new byte[slots * IntPtr.Size];
        Marshal.Copy(_original, bytes, 0, bytes.Length);
        _table = Marshal.AllocHGlobal(bytes.Length);
        Marshal.Copy(bytes, 0, _table, bytes.Length);
        _originalSync = Marshal.GetDelegateForFunctionPointer<XSync>(Marshal.ReadIntPtr(_original, SyncSlot * IntPtr.Size));
        _originalWrite = Marshal.GetDelegateForFunctionPointer<XWrite>(Marshal.ReadIntPtr(_original, WriteSlot * IntPtr.Size));
        _sync = Sync;
        _write = Write;
        Marshal.WriteIntPtr(_table, SyncSlot * IntPtr.Size, Marshal.GetFunctionPointerForDelegate(_sync));
        Marshal.WriteIntPtr(_table, WriteSlot * IntPtr.Size, Marshal.GetFunctionPointerForDelegate(_write));
        Marshal.WriteIntPtr(_file, _table);
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int XSync(IntPtr file, int flags);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int XWrite(IntPtr file, IntPtr buffer, int amount, long offset);

    /// <summary>fsyncs of the database file through this handle so far (failed ones included).</summary>
    public int Syncs => Volatile.Read(ref _syncs);

    /// <summary>fsyncs made to fail so far.</summary>
    public int SyncsFailed => Volatile.Read(ref _syncsFailed);

    /// <summary>Writes made to fail so far.</summary>
    public int WritesFailed => Volatile.Read(ref _writesFailed);

    /// <summary>Swaps the methods of <paramref name="connection"/>'s handle of its database file.</summary>
    public static SqliteFileFaults On(SqliteConnection connection) => new(connection);

    /// <summary>The next <paramref name="count"/> fsyncs of the database file fail.</summary>
    public void FailSyncs(int count) => Volatile.Write(ref _syncsToFail, count);

    /// <summary>The next <paramref name="count"/> writes into the database file fail.</summary>
    public void FailWrites(int count) => Volatile.Write(ref _writesToFail, count);

    /// <summary>Puts SQLite's own methods back.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Marshal.WriteIntPtr(_file, _original);
        Marshal.FreeHGlobal(_table);
        GC.KeepAlive(_sync);
        GC.KeepAlive(_write);
    }

    private int Sync(IntPtr file, int flags)
    {
        Interlocked.Increment(ref _syncs);
        if (Take(ref _syncsToFail))
        {
            Interlocked.Increment(ref _syncsFailed);
            return SqliteIoErrorFsync;
        }

        return _originalSync(file, flags);
    }

    private int Write(IntPtr file, IntPtr buffer, int amount, long offset)
    {
        if (Take(ref _writesToFail))
        {
            Interlocked.Increment(ref _writesFailed);
            return SqliteIoErrorWrite;
        }

        return _originalWrite(file, buffer, amount, offset);
    }

    private static bool Take(ref int budget)
    {
        var left = Volatile.Read(ref budget);
        while (left > 0)
        {
            var seen = Interlocked.CompareExchange(ref budget, left - 1, left);
            if (seen == left)
            {
                return true;
            }

            left = seen;
        }

        return false;
    }
}
