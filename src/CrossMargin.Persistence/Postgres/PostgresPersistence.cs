using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Parameters;
using CrossMargin.Persistence.Snapshots;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CrossMargin.Persistence.Postgres;

/// <summary>
/// The cluster store: journal and snapshot store in PostgreSQL. Opening applies the schema migrations (under an
/// advisory lock, so nodes starting together do not race). Statements are auto-prepared (Npgsql <c>Max Auto Prepare</c>
/// 32 unless the connection string sets it).
/// </summary>
public sealed class PostgresPersistence : IAsyncDisposable
{
    // Arbitrary, fixed: the key every node locks while migrating this database.
    private const long MigrationLockKey = 0x434D_4A4E_4C00;

    // How many distinct statements each pooled connection keeps prepared when the connection string does not say.
    private const int AutoPreparedStatements = 32;

    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _appends;
    private readonly PostgresNotificationListener _listener;
    private readonly PostgresJournal _journal;

    private PostgresPersistence(NpgsqlDataSource dataSource, NpgsqlDataSource appends, PostgresPersistenceOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _dataSource = dataSource;
        _appends = appends;
        var signal = new JournalSignal();
        _listener = new PostgresNotificationListener(dataSource, options.NotificationChannel, signal, timeProvider, logger);
        _journal = new PostgresJournal(dataSource, appends, options, timeProvider, signal, _listener);
        SnapshotStore = new PostgresSnapshotStore(dataSource, timeProvider);
        ParameterHistory = new PostgresParameterHistory(dataSource, timeProvider);
    }

    /// <summary>The history of applied risk parameter sets, shared by every node of the database.</summary>
    public IParameterHistory ParameterHistory { get; }

    /// <summary>The event journal.</summary>
    public IJournal Journal => _journal;

    /// <summary>The snapshot store.</summary>
    public ISnapshotStore SnapshotStore { get; }

    /// <summary>Test hook: runs inside each journal write transaction just before COMMIT.</summary>
    internal Func<NpgsqlConnection, Task>? BeforeCommit
    {
        get => _journal.BeforeCommit;
        set => _journal.BeforeCommit = value;
    }

    /// <summary>Connects and brings the schema up to date.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public static async Task<PostgresPersistence> OpenAsync(
        PostgresPersistenceOptions options, TimeProvider timeProvider, ILogger<PostgresPersistence>? logger = null, CancellationToken cancellationToken = default)
    {
        OptionsGuard.ThrowIfInvalid(new PostgresPersistenceOptionsValidator(), options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            // The journal sends the same few statements for every batch: prepared once per connection, the server stops
            // parsing and planning them each time (the append's CTE over unnest is most of its planning cost).
            builder.ConnectionStringBuilder.MaxAutoPrepare = AutoPreparedStatements;
        }

        var dataSource = builder.Build();

        // The appends' own small pool (see PostgresPersistenceOptions.AppendConnections): the shared pool hands out its
        // idle connections in turn, so appends from it kept landing on cold backends.
        var appendsBuilder = new NpgsqlDataSourceBuilder(builder.ConnectionStringBuilder.ConnectionString);
        appendsBuilder.ConnectionStringBuilder.MaxPoolSize = options.AppendConnections;
        appendsBuilder.ConnectionStringBuilder.MinPoolSize = Math.Min(appendsBuilder.ConnectionStringBuilder.MinPoolSize, options.AppendConnections);

        // An append leaves no session state behind (no SET, LISTEN, temporary table, cursor or session lock: its locks
        // and any failed transaction end with the batch), so the reset Npgsql otherwise prepends to the next use of a
        // returned connection (RESET ALL, CLOSE ALL, UNLISTEN *, advisory unlock, DISCARD: a simple query of utility
        // statements the server parses and runs) is work for nothing, once per append batch.
        appendsBuilder.ConnectionStringBuilder.NoResetOnClose = true;
        var appends = appendsBuilder.Build();
        try
        {
            await MigrateAsync(dataSource, timeProvider, cancellationToken).ConfigureAwait(false);
            return new PostgresPersistence(dataSource, appends, options, timeProvider, (ILogger?)logger ?? NullLogger.Instance);
        }
        catch
        {
            await appends.DisposeAsync().ConfigureAwait(false);
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Brings the schema of the database behind <paramref name="dataSource"/> up to date: the journal and, beside it,
    /// the cluster's leases and membership tables (writes are fenced against leases in the same transaction).
    /// Idempotent; concurrent callers queue on an advisory lock.
    /// </summary>
    public static async Task MigrateAsync(NpgsqlDataSource dataSource, TimeProvider timeProvider, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(timeProvider);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await Migrations.MigrationRunner.ApplyAsync(
            connection, "Postgres", $"SELECT pg_advisory_xact_lock({MigrationLockKey})", timeProvider, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The channel every parameter history append notifies (payload <c>slot:version</c>) when it commits.</summary>
    public const string ParameterNotificationChannel = PostgresParameterHistory.NotificationChannel;

    /// <summary>
    /// The parameter history on <paramref name="dataSource"/> without a journal: for a process that only reads and applies
    /// parameter sets. The schema must be migrated (<see cref="MigrateAsync"/>).
    /// </summary>
    public static IParameterHistory ParameterHistoryOn(NpgsqlDataSource dataSource, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(timeProvider);
        return new PostgresParameterHistory(dataSource, timeProvider);
    }

    /// <summary>Stops the LISTEN connection and closes the connection pools.</summary>
    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync().ConfigureAwait(false);
        await _appends.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}
