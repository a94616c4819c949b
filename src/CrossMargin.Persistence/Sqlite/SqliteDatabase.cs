using CrossMargin.Persistence.Journal;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// The database file: one long-lived write connection (SQLite serializes writers anyway, so one connection and a
/// lock cost nothing and keep prepared statements warm) and pooled read connections (WAL lets readers run beside
/// the writer).
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
    }

    public string Path { get; }

    public SqlitePersistenceOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    public SqliteConnection WriteConnection { get; }

    public JournalSignal Signal { get; } = new();

    public static async Task<SqliteDatabase> OpenAsync(SqlitePersistenceOptions options, TimeProvider timeProvider, CancellationToken cancellationToken)
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
                // Checkpointing every 10,000 pages (not SQLite's 1,000) keeps checkpoints out of most group commits.
                pragma.CommandText =
                    $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA journal_mode = WAL; " +
                    $"PRAGMA synchronous = {(options.SynchronousFull ? "FULL" : "NORMAL")}; PRAGMA cache_size = -{options.CacheSizeMebibytes * 1024L}; " +
                    "PRAGMA wal_autocheckpoint = 10000;";
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await Migrations.MigrationRunner.ApplyAsync(writeConnection, "Sqlite", null, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await writeConnection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new SqliteDatabase(path, options, timeProvider, writeConnection, builder.ToString());
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

    public ValueTask DisposeAsync() => DisposeAsync(null);

    /// <summary>Closes the write connection once no write runs, after <paramref name="beforeClose"/> (which finalizes statements).</summary>
    public async ValueTask DisposeAsync(Action? beforeClose)
    {
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
