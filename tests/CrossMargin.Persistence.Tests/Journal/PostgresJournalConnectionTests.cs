using System.Collections.Concurrent;
using CrossMargin.Persistence.Postgres;
using CrossMargin.Persistence.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace CrossMargin.Persistence.Tests.Journal;

/// <summary>
/// Which server connections the PostgreSQL journal's appends run on: a small pool of their own
/// (<see cref="PostgresPersistenceOptions.AppendConnections"/>), not the pool that reads and recoveries grow, which hands
/// out its idle connections in turn and so sent each append batch to a different, cold server backend.
/// </summary>
[Collection(UsesPostgresServer.Name)]
public sealed class PostgresJournalConnectionTests(PostgresServerFixture fixture)
{
    private readonly PostgresBackend _backend = new(fixture, "journal_connections");

    [Fact]
    public async Task After_reads_grew_the_pool_appends_one_after_another_keep_to_one_server_backend()
    {
        await using var store = await PostgresPersistence.OpenAsync(new PostgresPersistenceOptions { ConnectionString = await _backend.ConnectionStringAsync() }, TimeProvider.System).Within();
        var ids = Enumerable.Range(0, 8).Select(_ => Events.NewPersistenceId()).ToArray();
        foreach (var id in ids)
        {
            await store.Journal.WriteMessagesAsync([Events.Write(id, 1, 3)]).Within();
        }

        // Eight replays held open at once: the read pool grows to eight connections, idle once they finish.
        var replays = ids.Select(id => store.Journal.ReplayMessagesAsync(id).GetAsyncEnumerator()).ToArray();
        foreach (var replay in replays)
        {
            Assert.True(await replay.MoveNextAsync().AsTask().Within());
        }

        foreach (var replay in replays)
        {
            await replay.DisposeAsync();
        }

        var backends = new HashSet<int>();
        store.BeforeCommit = connection =>
        {
            backends.Add(connection.ProcessID);
            return Task.CompletedTask;
        };
        foreach (var id in ids)
        {
            await store.Journal.WriteMessagesAsync([Events.Write(id, 4)]).Within();
        }

        Assert.Single(backends);
    }

    // Npgsql resets a pooled connection's session when it is next used (a simple query of RESET ALL, CLOSE ALL,
    // UNLISTEN * and more, which the server parses and runs) unless told the pool needs none. An append leaves no
    // session state, so its pool sends no reset: a setting made on the connection is still there at the next batch.
    [Fact]
    public async Task Append_batches_send_no_session_reset_between_them()
    {
        await using var store = await PostgresPersistence.OpenAsync(
            new PostgresPersistenceOptions { ConnectionString = await _backend.ConnectionStringAsync(), AppendConnections = 1 }, TimeProvider.System).Within();
        store.BeforeCommit = async connection =>
        {
            await using var set = new Npgsql.NpgsqlCommand("SET cm.append_marker = 'kept'", connection);
            await set.ExecuteNonQueryAsync();
        };
        await store.Journal.WriteMessagesAsync([Events.Write(Events.NewPersistenceId(), 1)]).Within();

        string? seen = null;
        store.BeforeCommit = async connection =>
        {
            await using var read = new Npgsql.NpgsqlCommand("SELECT current_setting('cm.append_marker', true)", connection);
            seen = (string?)await read.ExecuteScalarAsync();
        };
        await store.Journal.WriteMessagesAsync([Events.Write(Events.NewPersistenceId(), 1)]).Within();

        Assert.Equal("kept", seen);
    }

    [Fact]
    public async Task Opening_refuses_fewer_than_one_append_connection()
    {
        var options = new PostgresPersistenceOptions { ConnectionString = await _backend.ConnectionStringAsync(), AppendConnections = 0 };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => PostgresPersistence.OpenAsync(options, TimeProvider.System)).Within();

        Assert.Contains(nameof(PostgresPersistenceOptions.AppendConnections), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_appends_use_at_most_the_append_connections()
    {
        await using var store = await PostgresPersistence.OpenAsync(
            new PostgresPersistenceOptions { ConnectionString = await _backend.ConnectionStringAsync(), AppendConnections = 2 }, TimeProvider.System).Within();
        var backends = new ConcurrentDictionary<int, bool>();
        store.BeforeCommit = async connection =>
        {
            backends.TryAdd(connection.ProcessID, true);

            // Held open a while, so the appends overlap and would each take a connection of their own if they could.
            await Task.Delay(50);
        };

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => store.Journal.WriteMessagesAsync([Events.Write(Events.NewPersistenceId(), 1)]))).Within();

        Assert.InRange(backends.Count, 1, 2);
    }
}
