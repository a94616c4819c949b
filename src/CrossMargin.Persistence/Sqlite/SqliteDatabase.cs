using CrossMargin.Persistence.Journal;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// The database file: one long-lived write connection (SQLite serializes writers anyway, so one connection and a
/// lock cost nothing and keep prepared statements warm) and pooled read connections (WAL lets readers run beside
/// the writer); replays use their own read connections with prepared statements (<see cref="SqliteReplayReaders"/>).
/// WAL checkpoints run on a third connection (<see cref="SqliteCheckpointer"/>) unless
/// <see cref="SqlitePersistenceOptions.BackgroundCheckpoint"/> is off.
/// </summary>
internal sealed class SqliteDatabase : IAsyncDisposable
{
    private static int s_initialized;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly string _readConnectionString;

    private SqliteDatabase(string path, SqlitePersistenceOptions options, TimeProvider timeProvider, SqliteConnection writeConnection, string readConnectionString)
    {
        Path = path;
        Options = options;
        TimeProvider = timeProvider;
        WriteConnection = writeConnection;
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
        try
        {
            await writeConnection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using (var pragma = writeConnection.CreateCommand())
            {
                // An auto-checkpoint runs inside the commit that crosses the threshold, and that group commit (and every
                // append queued behind it) waits for the page writes and the database fsync: tens of ms. With the
                // background checkpointer the writer's own auto-checkpoint is only the backstop at the hard limit.
                var autoCheckpoint = options.BackgroundCheckpoint ? options.WalHardLimitPages : options.CheckpointPages;
                pragma.CommandText =
                    $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA journal_mode = WAL; " +
                    $"PRAGMA synchronous = {(options.SynchronousFull ? "FULL" : "NORMAL")}; PRAGMA cache_size = -{options.CacheSizeMebibytes * 1024L}; " +
                    $"PRAGMA wal_autocheckpoint = {autoCheckpoint};";
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await Migrations.MigrationRunner.ApplyAsync(writeConnection, "Sqlite", null, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await writeConnection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var database = new SqliteDatabase(path, options, timeProvider, writeConnection, builder.ToString());
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
                await writeConnection.DisposeAsync().ConfigureAwait(false);
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

    public async Task<IDisposable> LockWritesAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(_writeLock);
    }

    /// <summary>Takes the write lock on a thread that may block (the checkpointer's).</summary>
    public IDisposable LockWrites()
    {
        _writeLock.Wait();
        return new Releaser(_writeLock);
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
            await WriteConnection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private SemaphoreSlim? _semaphore = semaphore;

        public void Dispose() => Interlocked.Exchange(ref _semaphore, null)?.Release();
    }
}
