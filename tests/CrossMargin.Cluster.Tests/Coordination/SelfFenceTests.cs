using System.Collections.Concurrent;
using CrossMargin.Cluster.Leases;
using CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;
using CrossMargin.Cluster.Tests.Infrastructure;
using static CrossMargin.Cluster.Tests.Infrastructure.TestNodes;

namespace CrossMargin.Cluster.Tests.Coordination;

/// <summary>
/// A node cut off from PostgreSQL by a partition (a proxy that stops forwarding: nothing answers, not even the
/// cancellation of a statement) stops serving on its own clock, well before the database can let another node take
/// its shards, whatever its tick was doing at the time.
/// </summary>
[Collection(UsesPostgres.Name)]
public sealed class SelfFenceTests(PostgresServerFixture fixture)
{
    // The node is due to self-fence two thirds of the lease (2 s) after its last renewal's request; the lease ends a
    // third (1 s) later at the earliest. Half of that third is the margin the stop must keep: a node that stops only
    // just before another can take its shards has answered reads from memory until then.
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Margin = Ttl / 6;

    [Fact]
    public async Task A_node_cut_off_from_a_database_that_answers_nothing_not_even_a_cancellation_stops_serving_a_sixth_of_a_lease_before_it_expires()
    {
        await using var cluster = await TestNodes.CreateAsync(fixture);
        await using var proxy = new FreezingProxy(cluster.Db.Port);
        var host = new FaultyHost("a", cluster.Log);
        var stoppedAt = StopTimes(host);
        var a = cluster.NodeThrough(proxy, "a", Ttl, host);
        await cluster.RunUntilServingAllAsync(a);
        Assert.Equal(ShardCount, a.Shards.Count);

        proxy.Freeze();
        var waited = await UntilAsync(() => stoppedAt.Count == ShardCount, Ttl * 3);

        Assert.True(stoppedAt.Count == ShardCount, $"after {waited} a stopped {stoppedAt.Count} of its {ShardCount} shards");
        await AssertStoppedWithMarginAsync(cluster.Db, stoppedAt);
        Assert.Empty(a.Shards);
        await UntilAsync(() => a.Singletons.Count == 0, Ttl);
        Assert.Empty(a.Singletons);
        Assert.Single(cluster.Log.Events, e => e.What == "stop-Lost" && e.Subject == "liquidation-coordinator");
        Assert.All(Enumerable.Range(0, ShardCount), s => Assert.Single(cluster.Log.Events, e => e.What.StartsWith("stop-", StringComparison.Ordinal) && e.Subject == $"shard {s}"));
    }

    // When each shard stopped, taken in the stop itself (the host's clock); compared with the lease's expiry by the
    // database's clock (the same machine's) once all have stopped.
    private static ConcurrentDictionary<int, DateTimeOffset> StopTimes(FaultyHost host)
    {
        var stoppedAt = new ConcurrentDictionary<int, DateTimeOffset>();
        for (var shard = 0; shard < ShardCount; shard++)
        {
            var id = shard;
            host.AfterStop(id, () =>
            {
                stoppedAt[id] = TimeProvider.System.GetUtcNow();
                return Task.CompletedTask;
            });
        }

        return stoppedAt;
    }

    // Read straight from the database, not through the frozen proxy: nothing has renewed the leases since the freeze.
    private static async Task AssertStoppedWithMarginAsync(ClusterDatabase db, IReadOnlyDictionary<int, DateTimeOffset> stoppedAt)
    {
        var leases = (await db.Leases.ReadAsync(LeaseNames.ShardPrefix("accounts"))).ToDictionary(l => l.Name, StringComparer.Ordinal);
        Assert.All(stoppedAt, s =>
        {
            var lease = leases[LeaseNames.Shard("accounts", s.Key)];
            Assert.True(lease.Owner == "a" && s.Value <= lease.ExpiresAt - Margin,
                $"shard {s.Key} was stopped at {s.Value:O}, {(lease.ExpiresAt - s.Value).TotalMilliseconds:0} ms before its lease ({lease.Owner}'s) expired at {lease.ExpiresAt:O}; the margin is {Margin.TotalMilliseconds:0} ms");
        });
    }
}
