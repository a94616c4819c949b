using System.Net;
using System.Net.Http.Json;
using CrossMargin.Actors;
using CrossMargin.Cluster.Coordination;
using CrossMargin.Engine;
using CrossMargin.Engine.Prices;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Rejections;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Journal;
using Microsoft.Extensions.Logging.Abstractions;
using CrossMargin.Node.Tests.Api;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// The index move band in a cluster of two whole nodes over a private PostgreSQL and RabbitMQ: prices reach every node
/// on the marks exchange, and so does an operator's override given to either node.
/// </summary>
[Collection(UsesClusterServers.Name)]
public sealed class ClusterIndexOverrideTests(ClusterServers servers) : IAsyncLifetime
{
    private const string AdminToken = "cluster-test-admin-token-0123456789";
    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.CreateAsync(servers, 4);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <summary>
    /// BTC opens at 60,000. A fall to 40,000 posted through n1 is refused as an index jump on both nodes; the operator's
    /// accept-next-index near 40,000 given to n2 (202, published) reaches both with its level: 100,000 posted through n1
    /// is still refused on both, and the same 40,000 posted again is then accepted on both, overridden once on each.
    /// </summary>
    [Fact]
    public async Task An_override_given_to_one_node_lets_the_next_index_through_on_every_node()
    {
        var nodes = new[] { await StartNodeAsync("n1"), await StartNodeAsync("n2") };
        await _cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));

        await PostBtcAsync(nodes[0], 40_000m);
        await TestCluster.EventuallyAsync(async () => (await StatsAsync(nodes)).All(s => s.RejectedFor(PriceRejectionReason.IndexJump) == 1),
            TimeSpan.FromSeconds(10), "the jump refused on both nodes");
        Assert.All(nodes, n => Assert.Equal(60_000m, TestCluster.HostOf(n).Engine!.Market.Current.PriceOf("BTC")));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/prices/accept-next-index/BTC?near=40000");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        using var armed = await nodes[1].Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, armed.StatusCode);
        await PostBtcAsync(nodes[0], 100_000m);
        await TestCluster.EventuallyAsync(async () => (await StatsAsync(nodes)).All(s => s.RejectedFor(PriceRejectionReason.IndexJump) == 2),
            TimeSpan.FromSeconds(10), "100,000 refused on both nodes, the override waiting for 40,000");
        await PostBtcAsync(nodes[0], 40_000m);

        await TestCluster.EventuallyAsync(async () => (await StatsAsync(nodes)).All(s => s.IndexJumpsOverridden == 1),
            TimeSpan.FromSeconds(10), "the index accepted on both nodes by the override");
        await TestCluster.EventuallyAsync(() => Task.FromResult(nodes.All(n => TestCluster.HostOf(n).Engine!.Market.Current.PriceOf("BTC") == 40_000m)),
            TimeSpan.FromSeconds(10), "both nodes at 40,000");
        Assert.All(await StatsAsync(nodes), s => Assert.Equal((2L, 1L), (s.RejectedFor(PriceRejectionReason.IndexJump), s.IndexJumpsOverridden)));
    }

    /// <summary>
    /// The nodes save each asset's last accepted index in the cluster's PostgreSQL (here every second). The feed walks BTC
    /// from the market file's 60,000 to 79,000 through n1 (66,000, 72,000, 79,000, each accepted on n1 and n2); once it
    /// is stored, n3 starts (as a node restarted would: its market file says 60,000) and bands against the newest index
    /// any node saved: 85,000 (7.6% from 79,000, 41.7% from the file) is accepted on all three. Before, n3 refused it as
    /// an index jump and stayed at 60,000 while n1 and n2 moved to 85,000.
    /// </summary>
    [Fact]
    public async Task A_node_started_into_the_cluster_bands_against_the_newest_index_any_node_saved()
    {
        var nodes = new List<NodeUnderTest> { await StartNodeAsync("n1", "--Prices:IndexSaveInterval=00:00:01"), await StartNodeAsync("n2", "--Prices:IndexSaveInterval=00:00:01") };
        await _cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        foreach (var btc in new[] { 66_000m, 72_000m, 79_000m })
        {
            await PostBtcAsync(nodes[0], btc);
            await TestCluster.EventuallyAsync(() => Task.FromResult(nodes.All(n => TestCluster.HostOf(n).Engine!.Market.Current.PriceOf("BTC") == btc)),
                TimeSpan.FromSeconds(10), $"both nodes at {btc}");
        }

        await TestCluster.EventuallyAsync(async () => (await StoredBtcAsync())?.Contains("\"index\":79000", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(10), "79,000 stored as BTC's index reference");

        nodes.Add(await StartNodeAsync("n3", "--Prices:IndexSaveInterval=00:00:01"));
        await _cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        await PostBtcAsync(nodes[0], 85_000m);

        await TestCluster.EventuallyAsync(async () => (await StatsAsync(nodes)).All(s => s.Accepted >= 1),
            TimeSpan.FromSeconds(10), "85,000 accepted on every node");
        await TestCluster.EventuallyAsync(() => Task.FromResult(nodes.All(n => TestCluster.HostOf(n).Engine!.Market.Current.PriceOf("BTC") == 85_000m)),
            TimeSpan.FromSeconds(10), "every node at 85,000");
        Assert.All(await StatsAsync(nodes), s => Assert.Equal(0L, s.RejectedFor(PriceRejectionReason.IndexJump)));
    }

    /// <summary>
    /// An override's id travels with it and every node arms one id once. The override op-1 is published (through n2's
    /// runtime, as the endpoint does) and spent on both nodes by the fall to 24,000 (60% from 60,000); published again
    /// with the same id, as the copy a node starting into the cluster finds in its marks queue when the stored state it
    /// loaded holds it spent already, it arms nothing: 10,000 (58.3% from 24,000, beyond a factor of 2) is refused on
    /// both. A new id (op-2) then lets it through. (Each node takes the override before the price posted after it: both
    /// are on its marks queue in that order, the publish of the override confirmed first.)
    /// </summary>
    [Fact]
    public async Task An_override_whose_id_a_node_has_armed_is_not_armed_again_by_a_copy_of_it()
    {
        var nodes = new[] { await StartNodeAsync("n1"), await StartNodeAsync("n2") };
        await _cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        var runtime = TestCluster.HostOf(nodes[1]).Cluster!;

        await runtime.PublishAcceptNextIndexAsync("BTC", null, "op-1", CancellationToken.None);
        await PostBtcAsync(nodes[0], 24_000m);
        await TestCluster.EventuallyAsync(async () => (await StatsAsync(nodes)).All(s => s.IndexJumpsOverridden == 1),
            TimeSpan.FromSeconds(10), "24,000 accepted on both nodes by op-1");

        await runtime.PublishAcceptNextIndexAsync("BTC", null, "op-1", CancellationToken.None);
        await PostBtcAsync(nodes[0], 10_000m);
        await TestCluster.EventuallyAsync(async () => (await StatsAsync(nodes)).All(s => s.RejectedFor(PriceRejectionReason.IndexJump) == 1),
            TimeSpan.FromSeconds(10), "10,000 refused on both nodes, op-1's copy not armed");
        Assert.All(nodes, n => Assert.Equal(24_000m, TestCluster.HostOf(n).Engine!.Market.Current.PriceOf("BTC")));

        await runtime.PublishAcceptNextIndexAsync("BTC", null, "op-2", CancellationToken.None);
        await PostBtcAsync(nodes[0], 10_000m);
        await TestCluster.EventuallyAsync(async () => (await StatsAsync(nodes)).All(s => s.IndexJumpsOverridden == 2),
            TimeSpan.FromSeconds(10), "10,000 accepted on both nodes by op-2");
        Assert.All(await StatsAsync(nodes), s => Assert.Equal((1L, 2L), (s.RejectedFor(PriceRejectionReason.IndexJump), s.IndexJumpsOverridden)));
    }

    /// <summary>
    /// The start-up gap made deterministic: n3 is started through <see cref="ClusterRuntime.StartAsync"/> with an engine
    /// start that waits until n3's feed has read the stored state (BTC at the file's 60,000, no override) and only then
    /// has an operator's override published through n1 (its publish confirmed: in every queue bound to the marks
    /// exchange). n3's marks queue is bound before its engine starts, so the override reaches it: 24,000 (60% from 60,000)
    /// posted through n1 is accepted by the override on all three nodes. Before, n3 declared its queue only after its
    /// engine had started, the override never reached it, and n3 refused the jump n1 and n2 took.
    /// </summary>
    [Fact]
    public async Task An_override_published_after_a_starting_node_read_its_stored_state_still_reaches_that_node()
    {
        var nodes = new[] { await StartNodeAsync("n1"), await StartNodeAsync("n2") };
        await _cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        var template = TestCluster.HostOf(nodes[0]).Engine!.Settings;
        var n1 = TestCluster.HostOf(nodes[0]).Cluster!;
        var wait = TimeSpan.FromSeconds(10);

        await using var n3 = await StartN3AtTheGapAsync(template, _cluster.Broker(), wait,
            () => n1.PublishAcceptNextIndexAsync("BTC", null, "op-1", CancellationToken.None).WaitAsync(wait).GetAwaiter().GetResult());

        await PostBtcAsync(nodes[0], 24_000m);
        var engines = nodes.Select(n => TestCluster.HostOf(n).Engine!).Append(n3.Engine).ToArray();
        await TestCluster.EventuallyAsync(() => Task.FromResult(engines.All(e => e.PriceStatsNow().IndexJumpsOverridden == 1)),
            wait, "24,000 accepted by the override on all three nodes");
        // The count is made before the market is published: the price is awaited, not read at once.
        await TestCluster.EventuallyAsync(() => Task.FromResult(engines.All(e => e.Market.Current.PriceOf("BTC") == 24_000m)), wait, "every node at 24,000");
        Assert.All(engines, e => Assert.Equal(0L, e.PriceStatsNow().RejectedFor(PriceRejectionReason.IndexJump)));
    }

    /// <summary>
    /// A node that missed an override catches up from the index its peers saved. n3 keeps 10 marks
    /// (<c>RabbitMq:MarksQueueMaxLength</c>) and is held at the start-up gap (its marks queue bound, its feed done reading
    /// the store, nothing consumed yet) while n1 publishes 10 BTC ticks at 60,000, the override op-1 and 20 more ticks:
    /// n3's queue drops the oldest 20, op-1 among them. 24,000 (60% from 60,000, beyond a factor of 2) posted through n1
    /// is accepted by op-1 on n1 and n2 (saved at once) and refused by n3. Ticks near 24,000 are then posted until n3 is at
    /// their level: it adopts the reference its peers saved at its next refusal that reads it, and accepts the tick after.
    /// Before, n3 refused every one of them and stayed at 60,000 while n1 and n2 were at 24,000.
    /// </summary>
    [Fact]
    public async Task A_node_that_missed_an_override_takes_the_index_its_peers_saved_within_a_few_ticks()
    {
        var nodes = new[] { await StartNodeAsync("n1"), await StartNodeAsync("n2") };
        await _cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        var template = TestCluster.HostOf(nodes[0]).Engine!.Settings;
        var n1 = TestCluster.HostOf(nodes[0]).Cluster!;
        var wait = TimeSpan.FromSeconds(10);
        var broker = _cluster.Broker();
        broker.MarksQueueMaxLength = 10;

        await using var n3 = await StartN3AtTheGapAsync(template, broker, wait, () =>
        {
            FloodAsync(n1, 10).WaitAsync(wait).GetAwaiter().GetResult();
            n1.PublishAcceptNextIndexAsync("BTC", null, "op-1", CancellationToken.None).WaitAsync(wait).GetAwaiter().GetResult();
            FloodAsync(n1, 20).WaitAsync(wait).GetAwaiter().GetResult();
        });

        await PostBtcAsync(nodes[0], 24_000m);
        var running = nodes.Select(n => TestCluster.HostOf(n).Engine!).ToArray();
        await TestCluster.EventuallyAsync(() => Task.FromResult(running.All(e => e.PriceStatsNow().IndexJumpsOverridden == 1)),
            wait, "24,000 accepted by the override on n1 and n2");
        await TestCluster.EventuallyAsync(() => Task.FromResult(n3.Engine.PriceStatsNow().RejectedFor(PriceRejectionReason.IndexJump) >= 1),
            wait, "24,000 refused as a jump on n3, which missed op-1");

        var level = 24_000m;
        await TestCluster.EventuallyAsync(async () =>
        {
            if (n3.Engine.Market.Current.PriceOf("BTC") == level)
            {
                return true;
            }

            level += 10m;
            await PostBtcAsync(nodes[0], level);
            return false;
        }, wait, "n3 at the level n1 and n2 are at");

        var engines = running.Append(n3.Engine).ToArray();
        await TestCluster.EventuallyAsync(() => Task.FromResult(engines.All(e => e.Market.Current.PriceOf("BTC") == level)), wait, $"every node at {level}");
        // Once (its override count is not pinned: had n3's flood ticks gone stale before it took them, the row it adopts may
        // be op-1 armed at 60,000, saved at once by n1 or n2, and n3 then spends op-1 on the next tick, at the same level).
        Assert.Equal(1L, n3.Engine.PriceStatsNow().IndexReferencesAdoptedFromPeers);
        Assert.All(running, e => Assert.Equal((0L, 0L), (e.PriceStatsNow().RejectedFor(PriceRejectionReason.IndexJump), e.PriceStatsNow().IndexReferencesAdoptedFromPeers)));
    }

    /// <summary>
    /// Starts n3 through <see cref="ClusterRuntime.StartAsync"/> with an engine start that runs <paramref name="atTheGap"/>
    /// once n3's feed has read the store (the stats are answered once it has): its marks queue is bound then and nothing
    /// is consumed yet. The runtime starts the engine synchronously, so blocking there holds n3's start.
    /// </summary>
    private Task<ClusterRuntime> StartN3AtTheGapAsync(RiskEngineSettings template, CrossMargin.Cluster.RabbitMq.RabbitMqOptions broker, TimeSpan wait, Action atTheGap) =>
        ClusterRuntime.StartAsync(
            new ClusterNodeOptions { NodeId = "n3", HttpAddress = "in-process", ShardCount = _cluster.Shards },
            new ClusterModeOptions { PostgresConnectionString = _cluster.ConnectionString }, broker, new JournalOptions(), new PersistenceOptions(),
            (services, fence, breaches) =>
            {
                var system = ActorSystem.Create("n3", new ActorSystemOptions());
                var engine = RiskEngine.Start(system, template with { Persistence = services, ShardFence = fence, BreachReports = breaches });
                engine.GetPriceStatsAsync().WaitAsync(wait).GetAwaiter().GetResult();
                atTheGap();
                return (system, engine);
            }, new RejectionLog(1_000, NullLoggerFactory.Instance), NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);

    /// <summary>Publishes <paramref name="count"/> prices messages (BTC at 60,000, now) on the marks exchange through <paramref name="via"/>, each confirmed.</summary>
    private static async Task FloodAsync(ClusterRuntime via, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { indices = new[] { new { asset = "BTC", price = 60_000m, timestamp = TimeProvider.System.GetUtcNow() } } });
            await via.PublishPricesAsync(body, Guid.NewGuid().ToString("N"), CancellationToken.None);
        }
    }

    /// <summary>The payload of BTC's newest stored index reference (JSON), or null.</summary>
    private async Task<string?> StoredBtcAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(_cluster.ConnectionString);
        await connection.OpenAsync();
        await using var query = new Npgsql.NpgsqlCommand(
            "SELECT convert_from(payload, 'UTF8') FROM snapshot_store WHERE persistence_id = 'price-index-BTC' ORDER BY sequence_nr DESC LIMIT 1", connection);
        return await query.ExecuteScalarAsync() as string;
    }

    private Task<NodeUnderTest> StartNodeAsync(string name, params string[] settings) =>
        _cluster.StartNodeAsync(name, ["--Security:Tokens:ops:Token=" + AdminToken, .. settings]);

    private static async Task<PriceStats[]> StatsAsync(IEnumerable<NodeUnderTest> nodes) =>
        await Task.WhenAll(nodes.Select(n => TestCluster.HostOf(n).Engine!.GetPriceStatsAsync()));

    private static async Task PostBtcAsync(NodeUnderTest via, decimal price)
    {
        using var response = await via.Client.PostAsJsonAsync("/api/v1/prices", new { indices = new[] { new { asset = "BTC", price, timestamp = TimeProvider.System.GetUtcNow() } } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
