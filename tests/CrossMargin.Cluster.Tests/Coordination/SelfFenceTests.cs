using System.Collections.Concurrent;
using CrossMargin.Cluster.Coordination;
using CrossMargin.Cluster.Leases;
using CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;
using CrossMargin.Cluster.Tests.Infrastructure;
using static CrossMargin.Cluster.Tests.Infrastructure.TestNodes;
using Xunit.Abstractions;

namespace CrossMargin.Cluster.Tests.Coordination;

/// <summary>
/// A node cut off from PostgreSQL by a partition (a proxy that stops forwarding: nothing answers, not even the
/// cancellation of a statement) stops serving on its own clock, well before the database can let another node take
/// its shards, whatever its tick was doing at the time.
/// </summary>
[Collection(UsesPostgres.Name)]
public sealed class SelfFenceTests(PostgresServerFixture fixture, ITestOutputHelper output)
{
    // The node is due to self-fence two thirds of the lease (2 s) after its last renewal's request; the lease ends a
    // third (1 s) later at the earliest. Half of that third is the margin the stop must keep: a node that stops only
    // just before another can take its shards has answered reads from memory until then.
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Margin = Ttl / 6;

    [Fact]
    public async Task A_node_cut_off_from_a_database_that_answers_nothing_not_even_a_cancellation_stops_serving_a_sixth_of_a_lease_before_it_expires()
    {
        await using var cut = await CutOffNode.CreateAsync(fixture);
        var (cluster, proxy, _, stoppedAt, a) = cut;
        await cut.RunUntilStartedAllAsync();

        proxy.Freeze();
        var waited = await UntilAsync(() => stoppedAt.Count == ShardCount, Ttl * 3);

        Assert.True(stoppedAt.Count == ShardCount, $"after {waited} a stopped {stoppedAt.Count} of its {ShardCount} shards");
        await AssertStoppedWithMarginAsync(cluster.Db, output, stoppedAt);
        Assert.Empty(a.Shards);
        await UntilAsync(() => a.Singletons.Count == 0, Ttl);
        Assert.Empty(a.Singletons);
        Assert.Single(cluster.Log.Events, e => e.What == "stop-Lost" && e.Subject == "liquidation-coordinator");
        Assert.All(Enumerable.Range(0, ShardCount), s => Assert.Single(cluster.Log.Events, e => e.What.StartsWith("stop-", StringComparison.Ordinal) && e.Subject == $"shard {s}"));
    }

    [Fact]
    public async Task A_start_under_way_when_the_node_self_fences_is_stopped_once_it_returns_and_nothing_starts_after_the_fence()
    {
        await using var cut = await CutOffNode.CreateAsync(fixture);
        var (cluster, proxy, host, stoppedAt, a) = cut;
        // The node takes its twelve shards in order in its first ticks; the database goes away while shard 5 starts, and
        // that start returns only once the node has self-fenced, deaf to the cancellation of the tick it runs in.
        const int underWay = 5;
        host.DuringStart(underWay, async () =>
        {
            proxy.Freeze();
            await UntilAsync(() => !stoppedAt.IsEmpty, Ttl * 3);
            await Task.Delay(200);
        });
        await cluster.RunAsync(a);

        var waited = await UntilAsync(() => stoppedAt.ContainsKey(underWay), Ttl * 3);
        Assert.True(stoppedAt.ContainsKey(underWay), $"after {waited} a stopped shards {string.Join(", ", stoppedAt.Keys.Order())}, not shard {underWay}");
        // The tick unwinds meanwhile (the start returned, the next acquire is cancelled); give it time to do anything.
        await Task.Delay(Ttl / 3);

        var events = cluster.Log.Events.ToList();
        var fenced = events.First(e => e.What == "stop-Lost").Sequence;
        Assert.Equal(Enumerable.Range(0, underWay + 1), stoppedAt.Keys.Order());
        Assert.All(Enumerable.Range(0, underWay + 1), s => Assert.Single(events, e => e.What.StartsWith("stop-", StringComparison.Ordinal) && e.Subject == $"shard {s}"));
        // The start under way completed before its shard's stop began (the host's calls for one shard never overlap) ...
        var started = Assert.Single(events, e => e.What == "start" && e.Subject == $"shard {underWay}");
        Assert.True(started.Sequence > fenced, "the start under way was meant to return after the fence began");
        Assert.True(stoppedAt[underWay] > stoppedAt.Where(s => s.Key != underWay).Max(s => s.Value), "the start under way was stopped before the others");
        // ... and nothing else started after the fence: the shards the plan still gave a were never started.
        Assert.DoesNotContain(events, e => e.What == "start" && e.Sequence > fenced && e.Subject != $"shard {underWay}");
        Assert.DoesNotContain(events, e => e.What == "start" && e.Subject == $"shard {underWay + 1}");
        Assert.Empty(a.Shards);
        Assert.Empty(a.Singletons);
        await AssertStoppedWithMarginAsync(cluster.Db, output, stoppedAt.Where(s => s.Key != underWay).ToDictionary());
    }

    [Fact]
    public async Task A_shard_whose_hand_off_is_under_way_when_the_node_self_fences_is_not_stopped_twice()
    {
        await using var cut = await CutOffNode.CreateAsync(fixture);
        var (cluster, proxy, host, stoppedAt, a) = cut;
        await cut.RunUntilStartedAllAsync();

        // Shard 3's consumer is lost: the node gives it up, and the database goes away while that stop drains, which
        // outlasts the self-fence's due time.
        const int handingOff = 3;
        host.DuringStop(handingOff, async () =>
        {
            proxy.Freeze();
            await Task.Delay(Ttl);
        });
        host.Break($"shard {handingOff}");
        var waited = await UntilAsync(() => stoppedAt.Count == ShardCount && a.Shards.Count == 0, Ttl * 3);

        Assert.True(stoppedAt.Count == ShardCount && a.Shards.Count == 0, $"after {waited} a stopped shards {string.Join(", ", stoppedAt.Keys.Order())} and holds {string.Join(", ", a.Shards.Keys)}");
        var stops = cluster.Log.Events.Where(e => e.Subject == $"shard {handingOff}" && e.What.StartsWith("stop-", StringComparison.Ordinal)).ToList();
        Assert.Equal(["stop-HandOff"], stops.Select(e => e.What));
        Assert.All(Enumerable.Range(0, ShardCount).Where(s => s != handingOff),
            s => Assert.Equal(["stop-Lost"], cluster.Log.Events.Where(e => e.Subject == $"shard {s}" && e.What.StartsWith("stop-", StringComparison.Ordinal)).Select(e => e.What)));
        await AssertStoppedWithMarginAsync(cluster.Db, output, stoppedAt.Where(s => s.Key != handingOff).ToDictionary());
    }

    // Node a, not joined yet, whose every statement crosses a proxy the test freezes. Its host records when each shard
    // stopped, taken in the stop itself (the host's clock), to compare with the lease's expiry by the database's clock
    // (the same machine's) once all have stopped. The proxy is disposed first: what still waits on it then fails.
    private sealed record CutOffNode(TestNodes Cluster, FreezingProxy Proxy, FaultyHost Host, ConcurrentDictionary<int, DateTimeOffset> StoppedAt, ClusterNode Node)
        : IAsyncDisposable
    {
        public static async Task<CutOffNode> CreateAsync(PostgresServerFixture fixture)
        {
            var cluster = await TestNodes.CreateAsync(fixture);
            var proxy = new FreezingProxy(cluster.Db.Port);
            var host = new FaultyHost("a", cluster.Log);
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

            return new CutOffNode(cluster, proxy, host, stoppedAt, cluster.NodeThrough(proxy, "a", Ttl, host));
        }

        // Every shard and the singleton started on the host, not only held: the node holds a lease it took before it starts
        // the shard, and a shard never started is rightly not stopped by the fence (a freeze in between failed this test).
        public async Task RunUntilStartedAllAsync()
        {
            await Cluster.RunAsync(Node);
            await UntilAsync(() => Started() == ShardCount + 1, TimeSpan.FromSeconds(10));
            Assert.Equal(ShardCount + 1, Started());
            Assert.Equal(ShardCount, Node.Shards.Count);
        }

        private int Started() => Cluster.Log.Events.Count(e => e.Node == "a" && e.What == "start");

        public async ValueTask DisposeAsync()
        {
            await Proxy.DisposeAsync();
            await Cluster.DisposeAsync();
        }
    }

    // Read straight from the database, not through the frozen proxy: nothing has renewed the leases since the freeze.
    private static async Task AssertStoppedWithMarginAsync(ClusterDatabase db, ITestOutputHelper output, IReadOnlyDictionary<int, DateTimeOffset> stoppedAt)
    {
        var leases = (await db.Leases.ReadAsync(LeaseNames.ShardPrefix("accounts"))).ToDictionary(l => l.Name, StringComparer.Ordinal);
        output.WriteLine($"least time left on a lease at its shard's stop: {stoppedAt.Min(s => (leases[LeaseNames.Shard("accounts", s.Key)].ExpiresAt - s.Value).TotalMilliseconds):0} ms");
        Assert.All(stoppedAt, s =>
        {
            var lease = leases[LeaseNames.Shard("accounts", s.Key)];
            Assert.True(lease.Owner == "a" && s.Value <= lease.ExpiresAt - Margin,
                $"shard {s.Key} was stopped at {s.Value:O}, {(lease.ExpiresAt - s.Value).TotalMilliseconds:0} ms before its lease ({lease.Owner}'s) expired at {lease.ExpiresAt:O}; the margin is {Margin.TotalMilliseconds:0} ms");
        });
    }
}
