using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Parameters;
using CrossMargin.Persistence.Snapshots;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossMargin.Persistence.Sqlite;

/// <summary>
/// The embedded default: journal and snapshot store in one SQLite file (WAL) under the node's data directory.
/// Opening applies the schema migrations.
/// </summary>
public sealed class SqlitePersistence : IAsyncDisposable
{
    private readonly SqliteDatabase _database;
    private readonly SqliteJournal _journal;

    private SqlitePersistence(SqliteDatabase database)
    {
        _database = database;
        _journal = new SqliteJournal(database);
        SnapshotStore = new SqliteSnapshotStore(database);
        ParameterHistory = new SqliteParameterHistory(database);
    }

    /// <summary>The history of applied risk parameter sets.</summary>
    public IParameterHistory ParameterHistory { get; }

    /// <summary>The event journal.</summary>
    public IJournal Journal => _journal;

    /// <summary>The snapshot store.</summary>
    public ISnapshotStore SnapshotStore { get; }

    /// <summary>Full path of the database file.</summary>
    public string DatabasePath => _database.Path;

    /// <summary>Commit and checkpoint figures since opening or the last <see cref="ResetStatistics"/>.</summary>
    public SqliteStatistics Statistics => new(
        _journal.Commits, _journal.SlowCommits, _journal.LongestCommit,
        _database.Checkpointer?.Checkpoints ?? 0, _database.Checkpointer?.Deferred ?? 0, _database.Checkpointer?.LongestLocked ?? TimeSpan.Zero, _database.Checkpointer?.LongestPass ?? TimeSpan.Zero,
        _database.Checkpointer?.LongestLockedPass ?? SqliteLockedPass.None, _database.Checkpointer?.LongestPreSync ?? TimeSpan.Zero,
        _journal.CommitPercentile(0.99), _database.Checkpointer?.WriteBackStarts ?? 0, _database.Checkpointer?.WriteBackPages ?? 0,
        _database.Checkpointer?.LongestWriteBackStart ?? TimeSpan.Zero,
        _database.Checkpointer?.MostDirtyPagesAtPreSync);

    /// <summary>Starts <see cref="Statistics"/> afresh (counts to zero, longest times forgotten).</summary>
    public void ResetStatistics()
    {
        _journal.ResetStatistics();
        _database.Checkpointer?.ResetStatistics();
    }

    /// <summary>Test hook: the background checkpointer (null when checkpoints run inline).</summary>
    internal SqliteCheckpointer? Checkpointer => _database.Checkpointer;

    /// <summary>Test hook: how the process stops after a failed fsync (default <see cref="Environment.FailFast(string, Exception)"/>).</summary>
    internal Action<string, Exception> StopProcess
    {
        get => _database.StopProcess;
        set => _database.StopProcess = value;
    }

    /// <summary>Test hook: the connection every write and inline checkpoint runs on.</summary>
    internal Microsoft.Data.Sqlite.SqliteConnection WriteConnection => _database.WriteConnection;

    /// <summary>Test hook: runs inside each journal write transaction just before COMMIT.</summary>
    internal Action? BeforeCommit
    {
        get => _journal.BeforeCommit;
        set => _journal.BeforeCommit = value;
    }

    /// <summary>Opens (creating when missing) the database and brings its schema up to date.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public static Task<SqlitePersistence> OpenAsync(SqlitePersistenceOptions options, TimeProvider timeProvider, CancellationToken cancellationToken = default) =>
        OpenAsync(options, timeProvider, null, cancellationToken);

    /// <summary>Opens (creating when missing) the database and brings its schema up to date; the background checkpointer logs to <paramref name="logger"/>.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public static async Task<SqlitePersistence> OpenAsync(SqlitePersistenceOptions options, TimeProvider timeProvider, ILogger<SqlitePersistence>? logger,
        CancellationToken cancellationToken = default)
    {
        OptionsGuard.ThrowIfInvalid(new SqlitePersistenceOptionsValidator(), options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var database = await SqliteDatabase.OpenAsync(options, timeProvider, (ILogger?)logger ?? NullLogger.Instance, cancellationToken).ConfigureAwait(false);
        return new SqlitePersistence(database);
    }

    /// <summary>Closes the write connection (after the write in progress, if any).</summary>
    public ValueTask DisposeAsync() => _database.DisposeAsync(_journal.Dispose);
}
