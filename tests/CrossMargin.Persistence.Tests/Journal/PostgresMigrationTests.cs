using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Postgres;
using CrossMargin.Persistence.Tests.Infrastructure;
using Npgsql;

namespace CrossMargin.Persistence.Tests.Journal;

/// <summary>
/// Migrating a PostgreSQL database that already holds a journal: migration 0005's backfill reads the whole journal, which
/// on a production journal takes longer than a connection's command timeout (Npgsql's 30 s unless the connection string
/// sets another), and a migration is one transaction: timed out, it rolls back and every start of the upgraded node fails.
/// </summary>
[Collection(UsesPostgresServer.Name)]
public sealed class PostgresMigrationTests(PostgresServerFixture fixture)
{
    private const string Undo0005 =
        "DROP FUNCTION journal_sequence_taken(text, bigint, bigint); DROP TABLE journal_deleted; DELETE FROM schema_version WHERE version = 5";

    /// <summary>
    /// The backfill is held here by a lock on the journal for longer than the connection's 1 s command timeout, as a large
    /// journal's scan would hold it. Before, the start failed with Npgsql's timeout and the schema stayed at 4.
    /// </summary>
    [Fact]
    public async Task A_migration_running_longer_than_the_connections_command_timeout_completes_instead_of_failing_the_start()
    {
        var connectionString = await fixture.DatabaseAsync("migration_timeout");
        await MigrateAsync(connectionString);
        await ExecuteAsync(connectionString, Undo0005);

        await using var holder = new NpgsqlConnection(connectionString);
        await holder.OpenAsync();
        await using var locked = await holder.BeginTransactionAsync();
        await using (var lockJournal = new NpgsqlCommand("LOCK TABLE event_journal IN ACCESS EXCLUSIVE MODE", holder, locked))
        {
            await lockJournal.ExecuteNonQueryAsync();
        }

        await using var shortTimeout = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 1 }.ConnectionString);
        var migrating = PostgresPersistence.MigrateAsync(shortTimeout, TimeProvider.System);
        await BackfillWaitingAsync(connectionString, migrating);
        await Task.Delay(TimeSpan.FromSeconds(2)); // past the command timeout: the backfill still runs
        await locked.CommitAsync();

        await migrating.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([1, 2, 3, 4, 5], await new PostgresBackend(fixture, "migration_timeout").SchemaVersionsAsync());
    }

    /// <summary>
    /// The backfill marks what was deleted before the migration (checked by hand in session 34, persist2; pinned here): an
    /// id whose lowest stored event is above 1 up to the one below it, including one deleted to its highest event (kept as
    /// the marker, which the key covers); an id with nothing deleted gets no mark; an append into a marked range is refused.
    /// </summary>
    [Fact]
    public async Task The_backfill_marks_ranges_deleted_before_it_and_an_append_into_one_is_refused()
    {
        var connectionString = await fixture.DatabaseAsync("migration_backfill");
        var (partly, wholly, kept) = (Events.NewPersistenceId("partly"), Events.NewPersistenceId("wholly"), Events.NewPersistenceId("kept"));
        await using (var persistence = await PostgresPersistence.OpenAsync(new PostgresPersistenceOptions { ConnectionString = connectionString }, TimeProvider.System).Within())
        {
            await persistence.Journal.WriteMessagesAsync([Events.Write(partly, 1, 5, "w"), Events.Write(wholly, 1, 5, "w"), Events.Write(kept, 1, 2, "w")]).Within();
            await persistence.Journal.DeleteMessagesToAsync(partly, 3).Within();
            await persistence.Journal.DeleteMessagesToAsync(wholly, 5).Within();
        }

        await ExecuteAsync(connectionString, Undo0005);
        await MigrateAsync(connectionString);

        Assert.Equal([(partly, 3L), (wholly, 4L)], await MarksAsync(connectionString, partly, wholly, kept));
        await using var reopened = await PostgresPersistence.OpenAsync(new PostgresPersistenceOptions { ConnectionString = connectionString }, TimeProvider.System).Within();
        var stale = await reopened.Journal.WriteMessagesAsync([Events.Write(partly, 2, 1, "stale")]).Within();
        Assert.IsType<JournalSequenceConflictException>(stale[0]);
    }

    private static async Task MigrateAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await PostgresPersistence.MigrateAsync(dataSource, TimeProvider.System).Within();
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<(string, long)>> MarksAsync(string connectionString, params string[] ids)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT persistence_id, to_sequence_nr FROM journal_deleted WHERE persistence_id = ANY($1) ORDER BY persistence_id", connection)
        {
            Parameters = { new() { Value = ids } },
        };
        var marks = new List<(string, long)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            marks.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return marks.OrderBy(m => Array.IndexOf(ids, m.Item1)).ToList();
    }

    // The migration's backfill is waiting on the journal's lock (or the migration already ended: its outcome then tells).
    private static async Task BackfillWaitingAsync(string connectionString, Task migrating)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE '%journal_deleted%'", connection);
        for (var i = 0; i < 300 && !migrating.IsCompleted; i++)
        {
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        if (migrating.IsCompleted)
        {
            await migrating; // its failure is the test's
        }

        Assert.Fail("the migration's backfill never waited on the journal's lock");
    }
}
