using CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// A whole node cut off from PostgreSQL by a partition (a proxy that stops forwarding: nothing answers, not even the
/// cancellation of a statement) while the broker still reaches it: it must stop answering its accounts' reads before
/// the database can give its shards to another node, whose newer executions it would not see.
/// </summary>
[Collection(UsesClusterServers.Name)]
public sealed class PartitionedNodeTests(ClusterServers servers, ITestOutputHelper output)
{
    [Fact]
    public async Task A_node_cut_off_from_postgresql_answers_no_read_of_its_accounts_within_a_sixth_of_a_lease_of_their_leases_expiry()
    {
        await using var cluster = await TestCluster.CreateAsync(servers, shards: 2);
        await using var proxy = new FreezingProxy(new NpgsqlConnectionStringBuilder(cluster.ConnectionString).Port);
        var through = new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port }.ConnectionString;
        // TestCluster's lease is 3 s: a read must not be answered later than 500 ms before it expires.
        var margin = TimeSpan.FromSeconds(3) / 6;
        var a = await cluster.StartNodeAsync("a", "--Cluster:PostgresConnectionString=" + through, "--Actors:AskTimeout=00:00:03");
        await cluster.AllShardsServedAsync([a], TimeSpan.FromSeconds(30));
        await TestCluster.OpenAsync(a, "acc-1");
        Assert.NotNull(await TestCluster.AccountAsync(a, "acc-1"));

        proxy.Freeze();
        // Reads through the node's own API go through the broker to the shard's queue: answered by whoever consumes it.
        var lastAnswered = DateTimeOffset.MinValue;
        var answered = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Past the leases' expiry: at most a lease (3 s) after the last renewal, which came before the freeze.
        while (clock.Elapsed < TimeSpan.FromSeconds(4))
        {
            if (await TestCluster.AccountAsync(a, "acc-1") is not null)
            {
                (lastAnswered, answered) = (TimeProvider.System.GetUtcNow(), answered + 1);
            }
        }

        // Straight from the database, not through the proxy: nothing renewed a's leases since the freeze.
        await using var direct = NpgsqlDataSource.Create(cluster.ConnectionString);
        await using var read = direct.CreateCommand("SELECT min(expires_at) FROM lease WHERE owner = 'a' AND name LIKE 'shard/%'");
        var expired = new DateTimeOffset((DateTime)(await read.ExecuteScalarAsync())!, TimeSpan.Zero);
        output.WriteLine($"{answered} reads answered after the freeze, the last {(expired - lastAnswered).TotalMilliseconds:0} ms before the first lease expired");
        Assert.True(lastAnswered <= expired - margin,
            $"a answered {answered} reads after the freeze, the last at {lastAnswered:O}, {(expired - lastAnswered).TotalMilliseconds:0} ms before its first shard lease expired at {expired:O}; the margin is {margin.TotalMilliseconds:0} ms");
    }
}
