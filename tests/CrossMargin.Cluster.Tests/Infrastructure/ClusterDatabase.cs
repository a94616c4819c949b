using CrossMargin.Cluster.Coordination;
using CrossMargin.Cluster.Leases;
using CrossMargin.Cluster.Membership;
using CrossMargin.Persistence.Postgres;
using Npgsql;

namespace CrossMargin.Cluster.Tests.Infrastructure;

/// <summary>A fresh, migrated database on the private server, with the cluster's stores over it.</summary>
public sealed class ClusterDatabase : IAsyncDisposable
{
    private ClusterDatabase(string connectionString, NpgsqlDataSource dataSource)
    {
        ConnectionString = connectionString;
        DataSource = dataSource;
        Leases = new PostgresLeaseStore(dataSource);
        Membership = new PostgresMembership(dataSource);
        Assignments = new PostgresShardAssignments(dataSource);
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public PostgresLeaseStore Leases { get; }

    public PostgresMembership Membership { get; }

    public PostgresShardAssignments Assignments { get; }

    public static async Task<ClusterDatabase> CreateAsync(PostgresServerFixture fixture)
    {
        var connectionString = await fixture.NewDatabaseAsync();
        var dataSource = NpgsqlDataSource.Create(connectionString);
        await PostgresPersistence.MigrateAsync(dataSource, TimeProvider.System);
        return new ClusterDatabase(connectionString, dataSource);
    }

    /// <summary>A new data source for this database that connects through <paramref name="port"/> on the loopback (a proxy's).</summary>
    public NpgsqlDataSource DataSourceThrough(int port) =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ConnectionString) { Host = "127.0.0.1", Port = port }.ConnectionString);

    /// <summary>The port this database's server listens on.</summary>
    public int Port => new NpgsqlConnectionStringBuilder(ConnectionString).Port;

    /// <summary>Makes lease <paramref name="name"/> look expired, as if its holder had been frozen past its time-to-live.</summary>
    public async Task ExpireAsync(string name)
    {
        await using var command = DataSource.CreateCommand("UPDATE lease SET expires_at = clock_timestamp() - interval '1 second' WHERE name = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Makes a node's heartbeat look stale, as if it had died.</summary>
    public async Task StaleHeartbeatAsync(string nodeId)
    {
        await using var command = DataSource.CreateCommand("UPDATE cluster_member SET heartbeat_at = clock_timestamp() - interval '1 hour' WHERE node_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = nodeId });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Waits until <paramref name="sessions"/> statements on this database wait for a lock another transaction holds (a
    /// condition, not a pause: on a loaded machine a statement may take far longer than usual to reach its lock).
    /// </summary>
    /// <returns>Whether they did within 10 s.</returns>
    public Task<bool> UntilWaitingOnLocksAsync(int sessions) =>
        UntilAsync("SELECT count(*) >= $1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", sessions);

    /// <summary>Waits until lease <paramref name="name"/> has expired by the database's clock (the one its fence is checked by).</summary>
    /// <returns>Whether it did within 10 s.</returns>
    public Task<bool> UntilExpiredAsync(string name) =>
        UntilAsync("SELECT count(*) = 1 FROM lease WHERE name = $1 AND expires_at < clock_timestamp()", name);

    private async Task<bool> UntilAsync<T>(string condition, T parameter)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            await using var command = DataSource.CreateCommand(condition);
            command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = parameter });
            if ((bool)(await command.ExecuteScalarAsync())!)
            {
                return true;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                return false;
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Makes the database refuse the membership event <paramref name="kind"/> with <paramref name="detail"/> (a trigger
    /// raising an error), as a database failing between two statements of a tick would.
    /// </summary>
    public async Task RefuseEventAsync(string kind, string detail)
    {
        await using var command = DataSource.CreateCommand(
            "CREATE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
            $"IF NEW.kind = '{kind}' AND NEW.detail = '{detail}' THEN RAISE EXCEPTION 'test: event refused'; END IF; RETURN NEW; END $$; " +
            "CREATE TRIGGER refuse_event BEFORE INSERT ON cluster_event FOR EACH ROW EXECUTE FUNCTION refuse_event();");
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
