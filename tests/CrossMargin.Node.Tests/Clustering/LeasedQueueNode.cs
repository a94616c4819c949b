using CrossMargin.Cluster.Coordination;
using CrossMargin.Cluster.Leases;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Tests.Api;
using Npgsql;
using RabbitMQ.Client;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// Node <c>a</c>, alone in a one-shard cluster on private servers, serving the shard and the liquidation singleton, and
/// what the drain tests do to it about one of its leased queues (a shard's or the liquidation queue): send requests to it
/// through the broker as a venue or another node would, watch the queue, take the lease away in the database as another
/// node that took it after it lapsed would, and let it lapse again so that the node takes it back at a new epoch.
/// </summary>
internal sealed class LeasedQueueNode : IAsyncDisposable
{
    private const string LeaseTaker = "another-node";
    private readonly RabbitMqConnection _connection;
    private readonly RequestClient _requests;
    private readonly IChannel _channel;
    private readonly string _queue;
    private readonly string _lease;
    private readonly string _lostKind;
    private int _sent;

    private LeasedQueueNode(TestCluster cluster, NodeUnderTest node, RabbitMqConnection connection, RequestClient requests, IChannel channel, Watched watched)
    {
        Cluster = cluster;
        Node = node;
        _connection = connection;
        _requests = requests;
        _channel = channel;
        Db = NpgsqlDataSource.Create(cluster.ConnectionString);
        (_queue, _lease, _lostKind) = watched == Watched.Shard
            ? (connection.Names.Shard(0), Holder.Shards[0].Name, "shard-lost")
            : (connection.Names.Liquidation, LeaseNames.Singleton(ShardQueueHost.LiquidationSingletonName), "singleton-lost");
    }

    /// <summary>Which leased queue a test is about.</summary>
    public enum Watched
    {
        /// <summary>Shard 0's queue, under the shard's lease.</summary>
        Shard,

        /// <summary>The liquidation queue, under the liquidation singleton's lease.</summary>
        LiquidationSingleton,
    }

    public TestCluster Cluster { get; }

    public NodeUnderTest Node { get; }

    /// <summary>The cluster's database.</summary>
    public NpgsqlDataSource Db { get; }

    /// <summary>The broker's names of the cluster's exchanges and queues.</summary>
    public TopologyNames Names => _connection.Names;

    private ClusterNode Holder => TestCluster.HostOf(Node).Cluster!.Node;

    /// <summary>Starts node <c>a</c> with a long ask timeout (what it asks waits on a lock for as long as a test holds it) and <paramref name="settings"/>.</summary>
    public static async Task<LeasedQueueNode> StartAsync(ClusterServers servers, Watched watched, params string[] settings)
    {
        var cluster = await TestCluster.CreateAsync(servers, shards: 1);
        var node = await cluster.StartNodeAsync("a", ["--Actors:AskTimeout=00:00:20", .. settings]);
        await cluster.AllShardsServedAsync([node], TimeSpan.FromSeconds(30));
        await RunsTheSingletonAsync(node);
        var connection = await RabbitMqConnection.ConnectAsync(cluster.Broker());
        var requests = await RequestClient.StartAsync(connection, "asker");
        var channel = await connection.CreateChannelAsync(publisherConfirms: false);
        return new LeasedQueueNode(cluster, node, connection, requests, channel, watched);
    }

    /// <summary>Waits until <paramref name="node"/> runs the liquidation singleton and consumes its queue.</summary>
    public static Task RunsTheSingletonAsync(NodeUnderTest node) => TestCluster.EventuallyAsync(
        () => Task.FromResult(TestCluster.HostOf(node).Cluster!.Liquidation is not null), TimeSpan.FromSeconds(30),
        "the node runs the liquidation singleton and consumes its queue");

    /// <summary>Publishes a request and returns, once the broker confirmed it, the task of its answer (a minute at most).</summary>
    public async Task<Task<AccountReply>> SendAsync(string exchange, string routingKey, string type, byte[] body, string? messageId = null)
    {
        messageId ??= $"request-{Interlocked.Increment(ref _sent)}";
        var answer = await _requests.SendAsync(exchange, routingKey, body, messageId, type, TimeSpan.FromSeconds(60), expires: false);
        return ParseAsync(answer);
    }

    /// <summary>Waits until nothing is ready in the queue: what was published is in the node's handlers.</summary>
    public Task DeliveredAsync() => TestCluster.EventuallyAsync(async () => await ReadyInQueueAsync() == 0, TimeSpan.FromSeconds(10),
        "the queue delivered everything to the node");

    /// <summary>
    /// Messages ready in the queue (returned by a stop; nobody consumes it while the lease is taken). Counted, not read: a
    /// quorum queue with a single active consumer refuses basic.get.
    /// </summary>
    public async Task<uint> ReadyInQueueAsync() => (await _channel.QueueDeclarePassiveAsync(_queue)).MessageCount;

    /// <summary>Gives the lease to another node, as one that took it after it lapsed; waits until the node stops serving it as lost.</summary>
    public async Task TakeTheLeaseAsync()
    {
        await using var take = Db.CreateCommand(
            $"UPDATE lease SET owner = '{LeaseTaker}', epoch = epoch + 1, expires_at = clock_timestamp() + interval '1 hour' WHERE name = '{_lease}'");
        Assert.Equal(1, await take.ExecuteNonQueryAsync());
        await TestCluster.EventuallyAsync(() => Task.FromResult(!Holder.Shards.Values.Concat(Holder.Singletons.Values).Any(l => l.Name == _lease)),
            TimeSpan.FromSeconds(10), "the node stops serving what it lost the lease of");
    }

    /// <summary>Waits until the node recorded the lease lost <paramref name="losses"/> times, which it does once each stop returned.</summary>
    public Task StopFinishedAsync(int losses = 1) => TestCluster.EventuallyAsync(async () =>
    {
        await using var recorded = Db.CreateCommand($"SELECT count(*) FROM cluster_event WHERE node_id = 'a' AND kind = '{_lostKind}'");
        return (long)(await recorded.ExecuteScalarAsync())! >= losses;
    }, TimeSpan.FromSeconds(30), "the node records the lease lost once its stop returned");

    /// <summary>Waits until the node holds the lease no more (released, or lapsed).</summary>
    public Task ReleasedAsync() => TestCluster.EventuallyAsync(async () =>
    {
        await using var held = Db.CreateCommand($"SELECT count(*) FROM lease WHERE name = '{_lease}' AND owner = 'a' AND expires_at > clock_timestamp()");
        return (long)(await held.ExecuteScalarAsync())! == 0;
    }, TimeSpan.FromSeconds(20), "the node gives the lease up");

    /// <summary>Lets the taken lease lapse: the node takes it again at a new epoch, and what it serves recovers from the journal.</summary>
    public async Task GiveTheLeaseBackAsync()
    {
        await using var lapse = Db.CreateCommand($"UPDATE lease SET expires_at = clock_timestamp() WHERE owner = '{LeaseTaker}'");
        Assert.Equal(1, await lapse.ExecuteNonQueryAsync());
    }

    /// <summary>Makes the node's leases read as not current (as after a freeze past the self-fence point) until the test says.</summary>
    public LeaseStandIn StandInForTheNodesRenewals()
    {
        var standIn = new LeaseStandIn();
        TestCluster.HostOf(Node).Cluster!.Deliveries!.LeasesCurrent = standIn.Ask;
        return standIn;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _requests.DisposeAsync();
        await _connection.DisposeAsync();
        await Db.DisposeAsync();
        await Cluster.DisposeAsync();
    }

    private static async Task<AccountReply> ParseAsync(Task<ReceivedMessage> answer) => AccountReply.Parse((await answer).Body);
}
