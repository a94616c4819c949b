using CrossMargin.Persistence.Postgres;
using Npgsql;

namespace CrossMargin.Persistence.Tests.Infrastructure;

/// <summary>The test class's own database on the run's private server.</summary>
public sealed class PostgresBackend(PostgresServerFixture fixture, string database)
{
    public async Task<string> ConnectionStringAsync() => await fixture.DatabaseAsync(database);

    public async Task<StoreUnderTest> OpenAsync(TimeProvider time)
    {
        var connectionString = await ConnectionStringAsync();
        var persistence = await PostgresPersistence.OpenAsync(new PostgresPersistenceOptions { ConnectionString = connectionString }, time).Within();
        return new StoreUnderTest(persistence.Journal, persistence.SnapshotStore, persistence, () =>
        {
            persistence.BeforeCommit = async connection =>
            {
                persistence.BeforeCommit = null;

                // What a dying backend looks like to the writer: the server ends its session mid-transaction.
                await using var admin = new NpgsqlConnection(fixture.Server.ConnectionString());
                await admin.OpenAsync();
                await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend($1, 10000)", admin) { Parameters = { new() { Value = connection.ProcessID } } };
                await terminate.ExecuteScalarAsync();
            };
            return Task.CompletedTask;
        });
    }

    public async Task<IReadOnlyList<int>> SchemaVersionsAsync()
    {
        await using var connection = new NpgsqlConnection(await ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version FROM schema_version ORDER BY version", connection);
        var versions = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }
}
