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

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
