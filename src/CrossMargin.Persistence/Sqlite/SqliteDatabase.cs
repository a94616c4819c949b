using CrossMargin.Persistence.Journal;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// The database file: one long-lived write connection (SQLite serializes writers anyway, so one connection and a
/// lock cost nothing and keep prepared statements warm) and pooled read connections (WAL lets readers run beside
/// the writer); replays use their own read connections with prepared statements (<see cref="SqliteReplayReaders"/>).
/// WAL checkpoints run on a third connection (<see cref="SqliteCheckpointer"/>) unless
/// <see cref="SqlitePersistenceOptions.BackgroundCheckpoint"/> is off; past <see cref="InlineCheckpointPages"/> the writer
/// checkpoints after its commits (<see cref="CheckpointIfWalPastLimit"/>). SQLite's own auto-checkpoint is never on.
/// </summary>
internal sealed class SqliteDatabase : IAsyncDisposable
{
    // SQLITE_IOERR_FSYNC: SQLITE_IOERR (10) extended with 4, what sqlite3_extended_errcode gives after a failed fsync.
    internal const int SqliteIoErrorFsync = 10 | (4 << 8);
    private const int SqliteBusy = 5;

    private static int s_initialized;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly string _readConnectionString;
    private readonly SqliteWalHook _walHook;
    private readonly ILogger _logger;
    private volatile SqliteException? _fsyncFailure;

    private SqliteDatabase(string path, SqlitePersistenceOptions options, TimeProvider timeProvider, SqliteConnection writeConnection, SqliteWalHook walHook,
        string readConnectionString, ILogger logger)
    {
        Path = path;
        Options = options;
        TimeProvider = timeProvider;
        WriteConnection = writeConnection;
        _walHook = walHook;
        _logger = logger;
        _readConnectionString = readConnectionString;
        ReplayReaders = new SqliteReplayReaders(readConnectionString, options.BusyTimeout);
    }

    public string Path { get; }

    public SqlitePersistenceOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    public SqliteConnection WriteConnection { get; }

    public JournalSignal Signal { get; } = new();

    /// <summary>Read connections with the replay statements prepared.</summary>
    public SqliteReplayReaders ReplayReaders { get; }

    /// <summary>Test hook: how the process stops when an fsync of the database or the WAL fails after a checkpoint copied into the database.</summary>
    internal Action<string, Exception> StopProcess { get; set; } = static (message, e) => Environment.FailFast(message, e);

    /// <summary>
    /// WAL frames past which a commit checkpoints on the write connection: <see cref="SqlitePersistenceOptions.WalHardLimitPages"/>
    /// with the background checkpointer (the backstop when it falls behind or a long read pins the WAL), else
    /// <see cref="SqlitePersistenceOptions.CheckpointPages"/>.
    /// </summary>
    public int InlineCheckpointPages => Options.BackgroundCheckpoint ? Options.WalHardLimitPages : Options.CheckpointPages;

    /// <summary>True once an fsync failed after a checkpoint copied into the database: no write is taken after that.</summary>
    public bool FsyncFailed => _fsyncFailure is not null;

    /// <summary>The background checkpointer; null when commits checkpoint inline.</summary>
    public SqliteCheckpointer? Checkpointer { get; private set; }

    public static async Task<SqliteDatabase> OpenAsync(SqlitePersistenceOptions options, TimeProvider timeProvider, ILogger logger, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref s_initialized, 1) == 0)
        {
            SQLitePCL.Batteries_V2.Init();
        }

        Directory.CreateDirectory(options.DataDirectory);
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(options.DataDirectory, options.FileName));
        var timeoutSeconds = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = timeoutSeconds,
        };
        var writeConnection = new SqliteConnection(builder.ToString());
        SqliteWalHook? walHook = null;
        try
        {
            await writeConnection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // In place of SQLite's auto-checkpoint, whose result nobody sees (a failed fsync in it went unnoticed): the
            // writer checkpoints after a commit that leaves the WAL past InlineCheckpointPages, and checks the result.
            walHook = SqliteWalHook.Install(writeConnection);
            using (var pragma = writeConnection.CreateCommand())
            {
                pragma.CommandText =
                    $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA journal_mode = WAL; " +
                    $"PRAGMA synchronous = {(options.SynchronousFull ? "FULL" : "NORMAL")}; PRAGMA cache_size = -{options.CacheSizeMebibytes * 1024L};";
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await Migrations.MigrationRunner.ApplyAsync(writeConnection, "Sqlite", null, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            walHook?.Dispose();
            await writeConnection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var database = new SqliteDatabase(path, options, timeProvider, writeConnection, walHook, builder.ToString(), logger);

        try
        {
            // A migration may have written much (0003 copied the whole journal).
            database.CheckpointIfWalPastLimit();
        }
        catch
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (options.BackgroundCheckpoint)
        {
            // Its own unpooled connection: a pooled one could be handed to a reader while the thread uses it.
            var checkpointConnection = new SqliteConnection(new SqliteConnectionStringBuilder(builder.ToString()) { Pooling = false }.ToString());
            try
            {
                await checkpointConnection.OpenAsync(cancellationToken).ConfigureAwait(false);

                // A connection opens the WAL on its first read; until then a checkpoint on it finds no WAL and does nothing.
                using var touch = checkpointConnection.CreateCommand();
                touch.CommandText = "SELECT count(*) FROM sqlite_master";
                await touch.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await checkpointConnection.DisposeAsync().ConfigureAwait(false);

                // The database, not only its write connection: the WAL hook must come off before the pooled connection closes.
                await database.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            database.Checkpointer = new SqliteCheckpointer(database, checkpointConnection, logger);
        }

        return database;
    }

    public async Task<SqliteConnection> OpenReadConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Takes the write lock.</summary>
    /// <exception cref="InvalidOperationException">An fsync failed after a checkpoint copied into the database (<see cref="FsyncFailed"/>).</exception>
    public async Task<IDisposable> LockWritesAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        return RefuseAfterFailedFsync();
    }

    /// <summary>Takes the write lock on a thread that may block (the checkpointer's).</summary>
    /// <exception cref="InvalidOperationException">An fsync failed after a checkpoint copied into the database (<see cref="FsyncFailed"/>).</exception>
    public IDisposable LockWrites()
    {
        _writeLock.Wait();
        return RefuseAfterFailedFsync();
    }

    /// <summary>
    /// Call with the write lock held after a commit: when the commit left the WAL at or past <see cref="InlineCheckpointPages"/>
    /// frames, runs a PASSIVE checkpoint on the write connection (what SQLite's auto-checkpoint ran inside the COMMIT) and
    /// checks it. A failed fsync in it stops the process and throws, so the batch just committed is not acknowledged
    /// either; another error is logged and left to the next commit past the limit (the WAL keeps every frame meanwhile).
    /// </summary>
    /// <exception cref="SqliteException">An fsync inside the checkpoint failed (reached only when <see cref="StopProcess"/> returns).</exception>
    public void CheckpointIfWalPastLimit()
    {
        if (_walHook.Frames < InlineCheckpointPages)
        {
            return;
        }

        var (rc, extended, _, _) = SqliteCheckpointer.CheckpointPassive(WriteConnection);

        // BUSY: the background checkpointer holds the checkpoint lock; its pass copies what this one would have.
        if (rc == raw.SQLITE_OK || rc == SqliteBusy)
        {
            return;
        }

        var error = new SqliteException($"WAL checkpoint after a commit failed: {raw.sqlite3_errmsg(WriteConnection.Handle).utf8_to_string()}", rc, extended);
        if (extended == SqliteIoErrorFsync)
        {
            // The WAL's fsync before the copy or the database file's after it (the code does not say which). Pages that earlier
            // passes copied and counted without an fsync of their own (a pass stopped short of the WAL's end by a reader makes
            // none) may now be marked clean unwritten: a later fsync would succeed without them and the WAL restart over their
            // frames. Stopped now, the next start rebuilds the WAL index and copies every frame again.
            StopAfterFailedFsync(error, "An fsync inside the WAL checkpoint a commit ran failed", "SQLite checkpoint after a commit: an fsync failed");
            throw error;
        }

        _logger.LogWarning(error, "WAL checkpoint after a commit failed; the next commit past {Frames} frames tries again", InlineCheckpointPages);
    }

    /// <summary>
    /// After an fsync failed once a checkpoint had copied into the database: refuses every later write (defence in depth:
    /// <see cref="StopProcess"/> does not return outside tests), logs, and stops the process. The WAL is left whole, and the
    /// next start recovers from it.
    /// </summary>
    public void StopAfterFailedFsync(SqliteException error, string logMessage, string stopMessage)
    {
        _fsyncFailure ??= error;
        _logger.LogCritical(error, "{What}; stopping the process so the WAL is not restarted", logMessage);
        StopProcess(stopMessage, error);
    }

    public ValueTask DisposeAsync() => DisposeAsync(null);

    /// <summary>Closes the write connection once no write runs, after <paramref name="beforeClose"/> (which finalizes statements).</summary>
    public async ValueTask DisposeAsync(Action? beforeClose)
    {
        // First, as its last pass may need the write lock.
        Checkpointer?.Dispose();
        ReplayReaders.Dispose();
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            beforeClose?.Invoke();
            _walHook.Dispose();
            await WriteConnection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private Releaser RefuseAfterFailedFsync()
    {
        var releaser = new Releaser(_writeLock);
        if (_fsyncFailure is { } failure)
        {
            releaser.Dispose();
            throw new InvalidOperationException($"The SQLite store takes no writes after a failed fsync ({failure.Message}); the process was stopped", failure);
        }

        return releaser;
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private SemaphoreSlim? _semaphore = semaphore;

        public void Dispose() => Interlocked.Exchange(ref _semaphore, null)?.Release();
    }
}
