using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// Checkpoints the WAL on its own connection and thread, so that no group commit waits for a checkpoint's page
/// writes and database fsync. A PASSIVE checkpoint on another connection runs beside the writer; what it cannot
/// do is bring the WAL back to its start, because that happens only when a write transaction begins with every
/// frame already copied, and the writer always commits new frames while a pass runs. So once the WAL holds
/// <see cref="SqlitePersistenceOptions.CheckpointPages"/> frames, a pass copies the bulk unlocked and a last short
/// pass runs holding the write lock: it copies only the frames committed meanwhile, and the next transaction
/// restarts the WAL. Commits then wait for that short pass (a few frames and one fsync), not for the bulk.
/// </summary>
/// <remarks>
/// Past <see cref="SqlitePersistenceOptions.WalHardLimitPages"/> the writer checkpoints after its commits
/// (<see cref="SqliteDatabase.CheckpointIfWalPastLimit"/>): if this thread falls behind or a long reader pins the WAL, the
/// WAL stays bounded. A failed fsync here or there stops the process through the database's one path.
/// </remarks>
internal sealed class SqliteCheckpointer : IDisposable
{
    private const int SqliteBusy = 5;
    private const int MaxCatchUpPasses = 4;
    private const int SmallCatchUpFrames = 256;
    private const int SynchronousOff = 0;

    private readonly SqliteDatabase _database;
    private readonly SqliteConnection _connection;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _passLock = new();
    private readonly Lock _statisticsLock = new();
    private readonly int _synchronous;
    private SqliteWriteBack? _writeBack;
    private SqliteLockedPass _longestLockedPass = SqliteLockedPass.None;
    private int _backfilled;
    private long _checkpoints;
    private long _deferred;
    private long _longestLockedTicks;
    private long _longestPassTicks;
    private long _longestPreSyncTicks;
    private long _longestWriteBackTicks;
    private long _writeBackStarts;
    private long _writeBackPages;
    private long _mostDirtyPagesAtPreSync = -1;
    private volatile bool _stopping;
    private int _disposed;

    public SqliteCheckpointer(SqliteDatabase database, SqliteConnection connection, ILogger logger)
    {
        _database = database;
        _connection = connection;
        _logger = logger;
        using (var pragma = connection.CreateCommand())
        {
            // Restored after each locked pass, which copies at OFF and makes its own fsyncs.
            pragma.CommandText = "PRAGMA synchronous";
            _synchronous = Convert.ToInt32(pragma.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        // Each unlocked pass starts the write-out of what it copied, so the fsync before the locked pass finds little
        // left to write instead of the whole round's pages at once beside the commits' WAL fsyncs.
        _writeBack = SqliteWriteBack.Open(connection, database.Path);
        if (_writeBack is null)
        {
            _logger.LogDebug("No early write-out of checkpointed pages here (not Linux, or SQLite's descriptor not found); each round's fsync writes them all");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "sqlite-checkpointer" };
        _thread.Start();
    }

    /// <summary>Times the WAL was brought back to its start by this checkpointer.</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Rounds that found the WAL past the threshold but commits too fast to take the write lock briefly.</summary>
    public long Deferred => Interlocked.Read(ref _deferred);

    /// <summary>The longest time a checkpoint held the write lock (what a commit could have waited).</summary>
    public TimeSpan LongestLocked => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _longestLockedTicks));

    /// <summary>The longest unlocked pass (what a commit would have waited under SQLite's inline auto-checkpoint).</summary>
    public TimeSpan LongestPass => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _longestPassTicks));

    /// <summary>The longest fsync of the database file before a locked pass, unlocked (commits went on during it).</summary>
    public TimeSpan LongestPreSync => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _longestPreSyncTicks));

    /// <summary>Times an unlocked pass started the kernel's write-out of the pages it copied (0 where that is not available).</summary>
    public long WriteBackStarts => Interlocked.Read(ref _writeBackStarts);

    /// <summary>Dirty pages those starts found, in all (a page copied again after its write-out counts again); 0 where the kernel cannot say.</summary>
    public long WriteBackPages => Interlocked.Read(ref _writeBackPages);

    /// <summary>The longest call that started a write-out (it waits only when the disk's queue is full).</summary>
    public TimeSpan LongestWriteBackStart => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _longestWriteBackTicks));

    /// <summary>The most database pages dirty with no write-out started when an fsync before a locked pass began (what it had to start itself); null where the kernel cannot say.</summary>
    public long? MostDirtyPagesAtPreSync
    {
        get
        {
            var pages = Interlocked.Read(ref _mostDirtyPagesAtPreSync);
            return pages < 0 ? null : pages;
        }
    }

    /// <summary>The parts of the pass that held the write lock longest.</summary>
    public SqliteLockedPass LongestLockedPass
    {
        get
        {
            lock (_statisticsLock)
            {
                return _longestLockedPass;
            }
        }
    }

    /// <summary>Test hook: runs on the checkpointing thread after the bulk passes, before the write lock is taken.</summary>
    public Action? BeforeLockedPass { get; set; }

    /// <summary>Test hook: runs on the checkpointing thread just before each fsync of the database file the checkpointer makes.</summary>
    public Action? BeforeDatabaseSync { get; set; }

    /// <summary>Test hook: the fsync of the database file (throws <see cref="SqliteException"/> when it fails).</summary>
    internal Action<SqliteConnection> SyncDatabaseFile { get; set; } = SqliteFileSync.SyncDatabase;

    /// <summary>Test hook: one PASSIVE pass of SQLite's own checkpoint on the checkpointer's connection.</summary>
    internal Func<SqliteConnection, SqliteCheckpointResult> PassiveCheckpoint { get; set; } = CheckpointPassive;

    /// <summary>Test hook: how the process stops when an fsync of the database file fails after a checkpoint copied into it (the database's, shared with the writer's checkpoints).</summary>
    internal Action<string, Exception> StopProcess
    {
        get => _database.StopProcess;
        set => _database.StopProcess = value;
    }

    /// <summary>Test hook: the database file's dirty pages whose write-out has not started; null where that cannot be had.</summary>
    public long? DirtyDatabasePages() => _writeBack?.DirtyPages();

    /// <summary>Forgets the longest times and the count (figures per benchmark phase).</summary>
    public void ResetStatistics()
    {
        Interlocked.Exchange(ref _checkpoints, 0);
        Interlocked.Exchange(ref _deferred, 0);
        Interlocked.Exchange(ref _longestLockedTicks, 0);
        Interlocked.Exchange(ref _longestPassTicks, 0);
        Interlocked.Exchange(ref _longestPreSyncTicks, 0);
        Interlocked.Exchange(ref _longestWriteBackTicks, 0);
        Interlocked.Exchange(ref _writeBackStarts, 0);
        Interlocked.Exchange(ref _writeBackPages, 0);
        Interlocked.Exchange(ref _mostDirtyPagesAtPreSync, -1);
        lock (_statisticsLock)
        {
            _longestLockedPass = SqliteLockedPass.None;
        }
    }

    /// <summary>
    /// One round: an unlocked pass, and when the WAL has reached the threshold, more unlocked passes until one
    /// finds few new frames (at most four; if none does, the round ends there), an fsync of what they copied, the same
    /// catch-up again for what was committed during it, then the short locked pass that lets the next transaction
    /// restart the WAL. Returns the WAL's size in frames as the first pass found it. The thread calls it every
    /// interval; tests call it directly.
    /// </summary>
    public int RunOnce()
    {
        lock (_passLock)
        {
            if (_database.FsyncFailed)
            {
                // Only reached when StopProcess returned (a test's): no pass may follow a failed fsync, the writer's included.
                return 0;
            }

            var (log, _) = Pass();
            if (log < _database.Options.CheckpointPages)
            {
                return log;
            }

            // Each pass copies what the previous one left (the frames committed while it ran); the locked pass
            // should copy only a few hundred, so commits wait for little more than its fsync.
            var previous = log;
            if (!CatchUp(ref previous))
            {
                return log;
            }

            // SQLite fsyncs the database file only in a pass that reaches the WAL's end, which a pass beside a busy writer
            // never does: the bulk's pages (thousands) are still dirty here, and the locked pass's fsync would write them
            // all while commits wait. Written out now, unlocked, they leave that fsync only the locked pass's own pages.
            BeforeDatabaseSync?.Invoke();
            if (_writeBack?.DirtyPages() is { } left)
            {
                InterlockedMax(ref _mostDirtyPagesAtPreSync, left);
            }

            var syncing = Stopwatch.GetTimestamp();
            if (!SyncDatabaseOrStop())
            {
                return log;
            }

            InterlockedMax(ref _longestPreSyncTicks, Stopwatch.GetTimestamp() - syncing);

            // Writing out megabytes takes a while on a busy disk; what was committed meanwhile is copied unlocked as well.
            if (!CatchUp(ref previous))
            {
                return log;
            }

            BeforeLockedPass?.Invoke();
            var remaining = PassHoldingWrites();
            if (remaining == 0)
            {
                Interlocked.Increment(ref _checkpoints);
            }
            else
            {
                // A reader's snapshot still needs frames past what could be copied: the WAL cannot restart yet.
                _logger.LogDebug("WAL checkpoint left {Remaining} frames for a reader; the WAL restarts on a later round", remaining);
            }

            return log;
        }
    }

    /// <summary>Stops the thread after the pass in progress and closes the checkpointer's connection.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping = true;
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }

        _thread.Join();
        _connection.Dispose();
        _wake.Dispose();
    }

    private void Run()
    {
        var interval = _database.Options.CheckpointInterval;
        while (!_stopping)
        {
            _wake.Wait(interval);
            if (_stopping)
            {
                return;
            }

            try
            {
                RunOnce();
            }
            catch (Exception e) when (e is SqliteException or InvalidOperationException or ObjectDisposedException)
            {
                // The writer's hard-limit auto-checkpoint still bounds the WAL; the next round tries again.
                _logger.LogWarning(e, "Background WAL checkpoint failed; retrying in {Interval}", interval);
            }
        }
    }

    /// <summary>
    /// Unlocked passes until one finds few frames committed since the one before (at most four). False when none does:
    /// commits outpace the passes (a saturated writer commits big batches) and holding the lock now would stall them for
    /// a long copy, so the round ends (counted as deferred); the next tries again, and past the hard limit the commits
    /// checkpoint inline.
    /// </summary>
    private bool CatchUp(ref int previous)
    {
        for (var extra = 0; extra < MaxCatchUpPasses; extra++)
        {
            var (next, _) = Pass();
            var converged = next - previous is >= 0 and <= SmallCatchUpFrames;
            previous = next;
            if (converged)
            {
                return true;
            }
        }

        Interlocked.Increment(ref _deferred);
        return false;
    }

    /// <summary>
    /// The last pass, holding the write lock, in SQLite's own order (the WAL's fsync, the copy, the database file's
    /// fsync) with the fsyncs made here so that each part is timed (and the WAL's left out where the commits made it):
    /// the copy itself runs at <c>synchronous=OFF</c>. The
    /// copy marks every frame as checkpointed before the database fsync, which SQLite does the other way round; that
    /// mark only matters to the next write transaction (it restarts the WAL), and the lock keeps that transaction out
    /// until the fsync has returned. Returns the frames left uncopied (a reader's snapshot still needs them).
    /// </summary>
    private int PassHoldingWrites()
    {
        SetSynchronous(SynchronousOff);
        try
        {
            using (_database.LockWrites())
            {
                var locked = Stopwatch.GetTimestamp();
                var walSynced = locked;
                if (!_database.Options.SynchronousFull)
                {
                    // At FULL every commit fsynced its frames before it returned (a commit whose fsync failed never
                    // became visible to a checkpoint), and the lock adds none: SQLite's fsync here would only wait for
                    // the disk's cache flush (measured at up to 4.4 ms). At NORMAL the commits did not sync the WAL.
                    SqliteFileSync.SyncWal(_connection);
                    walSynced = Stopwatch.GetTimestamp();
                }

                // Frames checkpointed so far, as the last pass left them; fewer now means a transaction restarted the WAL
                // since (the writer was idle when that pass reached its end), and all that is checkpointed is new.
                var before = _backfilled;
                var (last, copied) = Pass(locked: true);
                var copiedAt = Stopwatch.GetTimestamp();
                BeforeDatabaseSync?.Invoke();
                var syncing = Stopwatch.GetTimestamp();
                SyncDatabaseHoldingWrites();
                var synced = Stopwatch.GetTimestamp();
                InterlockedMax(ref _longestLockedTicks, synced - locked);
                RecordLockedPass(new SqliteLockedPass(
                    Stopwatch.GetElapsedTime(locked, synced), Stopwatch.GetElapsedTime(locked, walSynced), Stopwatch.GetElapsedTime(walSynced, copiedAt),
                    Stopwatch.GetElapsedTime(syncing, synced), copied >= before ? copied - before : copied));
                return last - copied;
            }
        }
        finally
        {
            SetSynchronous(_synchronous);
        }
    }

    // The fsync of the bulk's pages, unlocked. If it fails, the kernel may have marked the pages it could not write clean
    // (Linux does), so the next fsync succeeds without them, and a later round's locked pass would let the next transaction
    // restart the WAL over frames whose pages never reached the disk. So the process stops, as for the locked pass's fsync:
    // the next start recovers from the whole WAL (SQLite rebuilds its index, so nothing counts as checkpointed then).
    private bool SyncDatabaseOrStop()
    {
        try
        {
            SyncDatabaseFile(_connection);
            return true;
        }
        catch (SqliteException e)
        {
            _database.StopAfterFailedFsync(e, "The database file's fsync failed after WAL checkpoint passes copied into it",
                "SQLite checkpoint: the database file's fsync failed after checkpoint passes copied into it");
            return false;
        }
    }

    // SQLite's own fsync inside a PASSIVE pass failed: the WAL's before the copy, or the database file's when the pass reached
    // the WAL's end (the pass's result tells only that it was an fsync, SQLITE_IOERR_FSYNC, not which). SQLite then leaves the
    // frames uncounted as checkpointed, but the pages earlier passes copied without an fsync (a pass that stops short of the
    // WAL's end makes none) are counted, and may now be marked clean unwritten: a retry's fsync would succeed without them
    // and the WAL restart over their frames. So the process stops, as when the checkpointer's own fsync fails.
    private void StopAfterSqlitesOwnFsyncFailed(SqliteException error) =>
        _database.StopAfterFailedFsync(error, "An fsync inside SQLite's WAL checkpoint failed", "SQLite checkpoint: an fsync inside SQLite's own checkpoint pass failed");

    private void SyncDatabaseHoldingWrites()
    {
        try
        {
            SyncDatabaseFile(_connection);
        }
        catch (SqliteException e)
        {
            // The copy has marked every frame as checkpointed: released now, the next transaction would restart the WAL
            // over frames whose pages may not be on disk. Stopping here leaves the WAL whole, and the next start recovers
            // from it (SQLite rebuilds the WAL index, so nothing counts as checkpointed then).
            _database.StopAfterFailedFsync(e, "The database file's fsync failed after a WAL checkpoint copied into it",
                "SQLite checkpoint: the database file's fsync failed while the WAL could be restarted over its frames");
        }
    }

    private void RecordLockedPass(SqliteLockedPass pass)
    {
        lock (_statisticsLock)
        {
            if (pass.Held > _longestLockedPass.Held)
            {
                _longestLockedPass = pass;
            }
        }
    }

    private void SetSynchronous(int level)
    {
        using var pragma = _connection.CreateCommand();
        pragma.CommandText = $"PRAGMA synchronous = {level}";
        pragma.ExecuteNonQuery();
    }

    /// <summary>One PASSIVE pass of SQLite's checkpoint on <paramref name="connection"/>, with the extended code of a failure.</summary>
    internal static SqliteCheckpointResult CheckpointPassive(SqliteConnection connection)
    {
        var rc = raw.sqlite3_wal_checkpoint_v2(connection.Handle, "main", raw.SQLITE_CHECKPOINT_PASSIVE, out var log, out var copied);
        return new SqliteCheckpointResult(rc, rc == raw.SQLITE_OK ? rc : raw.sqlite3_extended_errcode(connection.Handle), log, copied);
    }

    private (int Log, int Copied) Pass(bool locked = false)
    {
        var started = Stopwatch.GetTimestamp();
        var (rc, extended, log, copied) = PassiveCheckpoint(_connection);
        if (rc != raw.SQLITE_OK && rc != SqliteBusy)
        {
            var error = new SqliteException($"WAL checkpoint failed: {raw.sqlite3_errmsg(_connection.Handle).utf8_to_string()}", rc, extended);
            if (extended == SqliteDatabase.SqliteIoErrorFsync)
            {
                StopAfterSqlitesOwnFsyncFailed(error);
            }

            throw error;
        }

        var before = _backfilled;
        _backfilled = Math.Max(copied, 0);
        if (!locked)
        {
            InterlockedMax(ref _longestPassTicks, Stopwatch.GetTimestamp() - started);
            if (_backfilled != before && _backfilled > 0)
            {
                StartWriteBack();
            }
        }

        return (Math.Max(log, 0), _backfilled);
    }

    private void StartWriteBack()
    {
        if (_writeBack is null || !_database.Options.EarlyWriteOut)
        {
            return;
        }

        var dirty = _writeBack.DirtyPages() ?? 0;
        var started = Stopwatch.GetTimestamp();
        var errno = _writeBack.Start();
        if (errno != 0)
        {
            // Durability never depended on it (the fsyncs write what it did not start); stop trying on this store.
            _logger.LogWarning("sync_file_range of the database file failed (errno {Errno}); checkpoints write their pages out in their fsyncs only", errno);
            _writeBack = null;
            return;
        }

        InterlockedMax(ref _longestWriteBackTicks, Stopwatch.GetTimestamp() - started);
        Interlocked.Increment(ref _writeBackStarts);
        Interlocked.Add(ref _writeBackPages, dirty);
    }

    internal static void InterlockedMax(ref long location, long value)
    {
        var current = Interlocked.Read(ref location);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
