using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Tests.Api;
using Npgsql;
using RabbitMQ.Client;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// The liquidation singleton's queue as <see cref="LostShardDrainTests"/> has a shard's: an operator's read of the
/// coordinator or the fund (the liquidations, the halts, the fund) still in hand when the node stops serving the
/// singleton must not be answered from this node's memory once another node may hold it (and may have taken a
/// liquidation step or covered a deficit since); it goes back to the queue for the next holder. The tests that hold a
/// read hold it behind the coordinator's recovery: the node takes the singleton again with the journal locked, so the
/// coordinator and the fund recover behind the lock and what is asked of them waits in their mailboxes.
/// </summary>
[Collection(UsesClusterServers.Name)]
public sealed class LostSingletonDrainTests(ClusterServers servers)
{
    private const string LeaseTaker = "another-node";
    private const string SingletonLease = "singleton/" + ShardQueueHost.LiquidationSingletonName;

    [Fact]
    public async Task A_liquidation_read_in_the_drain_when_the_node_loses_the_singleton_goes_back_to_the_queue_for_the_next_holder_not_answered_from_memory()
    {
        await using var lost = await LostSingleton.StartAsync(servers);
        await using (var journal = await lost.RunAgainBehindALockedJournalAsync())
        {
            var read = await lost.SendAsync(ClusterMessageTypes.ListHalts);
            await lost.DeliveredAsync();

            await lost.TakeTheLeaseAsync();
            await journal.ReleaseAsync();

            // The coordinator recovers now and would answer; the stop's drain waits for it (RabbitMq:HandlerDrainTimeout).
            await lost.StopFinishedAsync(losses: 2);
            var returned = await lost.ReadyInQueueAsync();
            Assert.True(returned == 1, $"the liquidation queue holds {returned} messages after the stop, not the read; the read's answer: {TestCluster.Describe(read)}");
            Assert.False(read.IsCompleted, $"the read was answered by the node that lost the singleton: {TestCluster.Describe(read)}");

            // The next holder (here the same node, at a new epoch, recovered from the journal) answers it.
            await lost.GiveTheLeaseBackAsync();
            var answer = await read.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(200, answer.Status);
            Assert.Empty(answer.Body.GetProperty("symbols").EnumerateArray());
        }
    }

    /// <summary>
    /// A graceful stop (here the node leaves the cluster, alone) keeps the singleton's lease while the queue's drain runs,
    /// but only up to <c>Cluster:HandOffTimeout</c>: then the node releases it, drain or not, and a read still waiting
    /// must not be answered from memory after that.
    /// </summary>
    [Fact]
    public async Task A_liquidation_read_in_a_graceful_stops_drain_is_not_answered_from_memory_once_the_node_stopped_waiting_and_released_the_singleton()
    {
        await using var lost = await LostSingleton.StartAsync(servers, "--Cluster:HandOffTimeout=00:00:02", "--RabbitMq:ConsumerCancelTimeout=00:00:01",
            "--RabbitMq:HandlerDrainTimeout=00:00:08", "--RabbitMq:ChannelCloseTimeout=00:00:01");
        await using (var journal = await lost.RunAgainBehindALockedJournalAsync())
        {
            var read = await lost.SendAsync(ClusterMessageTypes.ShowFund);
            await lost.DeliveredAsync();

            var leaving = TestCluster.HostOf(lost.Node).Cluster!.LeaveAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
            await lost.ReleasedAsync();
            await journal.ReleaseAsync();

            await TestCluster.EventuallyAsync(async () =>
            {
                Assert.False(read.IsCompleted, $"the read was answered after the node released the singleton: {TestCluster.Describe(read)}");
                return await lost.ReadyInQueueAsync() == 1;
            }, TimeSpan.FromSeconds(20), "the read goes back to the queue once the stop ends");
            await leaving;
        }
    }

    /// <summary>
    /// A node thawed from a freeze past its self-fence point (see <see cref="LostShardDrainTests"/>) holds a liquidation
    /// read's answer as it holds an account read's, until the node has renewed its leases again.
    /// </summary>
    [Fact]
    public async Task A_liquidation_read_is_not_answered_while_the_nodes_leases_are_not_current_and_is_once_they_are_renewed()
    {
        await using var lost = await LostSingleton.StartAsync(servers);
        var leases = lost.StandInForTheNodesRenewals();

        var read = await lost.SendAsync(ClusterMessageTypes.ListHalts);
        await TestCluster.EventuallyAsync(() => Task.FromResult(leases.Asked >= 2), TimeSpan.FromSeconds(10),
            "the liquidation read's answer waits for the node's leases to be current");
        Assert.False(read.IsCompleted, $"the read was answered while the node's leases were not current: {TestCluster.Describe(read)}");

        leases.Current = true;
        var answer = await read.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(200, answer.Status);
    }

    /// <summary>One node holding the cluster's one shard and the liquidation singleton, and an operator's node that asks it through the broker.</summary>
    private sealed class LostSingleton : IAsyncDisposable
    {
        private readonly TestCluster _cluster;
        private readonly RabbitMqConnection _connection;
        private readonly RequestClient _requests;
        private readonly IChannel _channel;
        private readonly NpgsqlDataSource _db;
        private int _sent;

        private LostSingleton(TestCluster cluster, NodeUnderTest node, RabbitMqConnection connection, RequestClient requests, IChannel channel)
        {
            _cluster = cluster;
            Node = node;
            _connection = connection;
            _requests = requests;
            _channel = channel;
            _db = NpgsqlDataSource.Create(cluster.ConnectionString);
        }

        public NodeUnderTest Node { get; }

        public static async Task<LostSingleton> StartAsync(ClusterServers servers, params string[] settings)
        {
            var cluster = await TestCluster.CreateAsync(servers, shards: 1);
            // A long ask timeout: the coordinator waits on the journal's lock for as long as the test holds it.
            var node = await cluster.StartNodeAsync("a", ["--Actors:AskTimeout=00:00:20", .. settings]);
            await cluster.AllShardsServedAsync([node], TimeSpan.FromSeconds(30));
            await RunningAsync(node);
            var connection = await RabbitMqConnection.ConnectAsync(cluster.Broker());
            var requests = await RequestClient.StartAsync(connection, "operator");
            var channel = await connection.CreateChannelAsync(publisherConfirms: false);
            return new LostSingleton(cluster, node, connection, requests, channel);
        }

        /// <summary>
        /// Publishes an operator's request of <paramref name="type"/> to the liquidation queue, as a node relays one from its
        /// HTTP API, and returns, once the broker confirmed it, the task of its answer.
        /// </summary>
        public async Task<Task<AccountReply>> SendAsync(string type)
        {
            var id = $"request-{Interlocked.Increment(ref _sent)}";
            var answer = await _requests.SendAsync("", _connection.Names.Liquidation, "{}"u8.ToArray(), id, type, TimeSpan.FromSeconds(60), expires: false);
            return ParseAsync(answer);
        }

        /// <summary>
        /// Has the node run the singleton again with the journal locked: its lease taken and given back, the coordinator and
        /// the fund start at a new epoch and recover behind the lock, and the liquidation queue is consumed meanwhile.
        /// Returns the lock.
        /// </summary>
        public async Task<JournalLock> RunAgainBehindALockedJournalAsync()
        {
            await TakeTheLeaseAsync();
            await StopFinishedAsync(losses: 1);
            var journal = await JournalLock.TakeAsync(_db);
            await GiveTheLeaseBackAsync();
            await RunningAsync(Node);
            await JournalLock.WaitedOnAsync(_db, "SELECT coalesce(max(sequence_nr), 0) FROM event_journal", "the coordinator's recovery waits on the lock");
            return journal;
        }

        /// <summary>Makes the node's leases read as not current (as after a freeze past the self-fence point) until the test says.</summary>
        public LeaseStandIn StandInForTheNodesRenewals()
        {
            var standIn = new LeaseStandIn();
            TestCluster.HostOf(Node).Cluster!.Deliveries!.LeasesCurrent = standIn.Ask;
            return standIn;
        }

        /// <summary>Waits until nothing is ready in the liquidation queue: what was published is in the node's handlers.</summary>
        public Task DeliveredAsync() => TestCluster.EventuallyAsync(async () => await ReadyInQueueAsync() == 0, TimeSpan.FromSeconds(10),
            "the liquidation queue delivered everything to the node");

        /// <summary>Gives the singleton's lease to another node, as one that took it after it lapsed; the node stops the singleton as lost.</summary>
        public async Task TakeTheLeaseAsync()
        {
            await using var take = _db.CreateCommand(
                $"UPDATE lease SET owner = '{LeaseTaker}', epoch = epoch + 1, expires_at = clock_timestamp() + interval '1 hour' WHERE name = '{SingletonLease}'");
            Assert.Equal(1, await take.ExecuteNonQueryAsync());
            await TestCluster.EventuallyAsync(
                () => Task.FromResult(!TestCluster.HostOf(Node).Cluster!.Node.Singletons.ContainsKey(ShardQueueHost.LiquidationSingletonName)),
                TimeSpan.FromSeconds(10), "the node stops the singleton whose lease it lost");
        }

        /// <summary>Waits until the node recorded the singleton lost <paramref name="losses"/> times, which it does once each stop returned.</summary>
        public Task StopFinishedAsync(int losses) => TestCluster.EventuallyAsync(async () =>
        {
            await using var recorded = _db.CreateCommand("SELECT count(*) FROM cluster_event WHERE node_id = 'a' AND kind = 'singleton-lost'");
            return (long)(await recorded.ExecuteScalarAsync())! >= losses;
        }, TimeSpan.FromSeconds(30), "the node records the singleton lost once its stop returned");

        /// <summary>Waits until the node holds the singleton's lease no more (released, or lapsed).</summary>
        public Task ReleasedAsync() => TestCluster.EventuallyAsync(async () =>
        {
            await using var held = _db.CreateCommand($"SELECT count(*) FROM lease WHERE name = '{SingletonLease}' AND owner = 'a' AND expires_at > clock_timestamp()");
            return (long)(await held.ExecuteScalarAsync())! == 0;
        }, TimeSpan.FromSeconds(20), "the node gives the singleton's lease up");

        /// <summary>Messages ready in the liquidation queue (returned by a stop; nobody consumes it while the lease is taken).</summary>
        public async Task<uint> ReadyInQueueAsync() => (await _channel.QueueDeclarePassiveAsync(_connection.Names.Liquidation)).MessageCount;

        /// <summary>Lets the taken lease lapse: the node takes the singleton again at a new epoch and its actors recover.</summary>
        public async Task GiveTheLeaseBackAsync()
        {
            await using var lapse = _db.CreateCommand($"UPDATE lease SET expires_at = clock_timestamp() WHERE owner = '{LeaseTaker}'");
            Assert.Equal(1, await lapse.ExecuteNonQueryAsync());
        }

        public async ValueTask DisposeAsync()
        {
            await _channel.DisposeAsync();
            await _requests.DisposeAsync();
            await _connection.DisposeAsync();
            await _db.DisposeAsync();
            await _cluster.DisposeAsync();
        }

        private static Task RunningAsync(NodeUnderTest node) => TestCluster.EventuallyAsync(
            () => Task.FromResult(TestCluster.HostOf(node).Cluster!.Liquidation is not null), TimeSpan.FromSeconds(30),
            "the node runs the liquidation singleton and consumes its queue");

        private static async Task<AccountReply> ParseAsync(Task<ReceivedMessage> answer) => AccountReply.Parse((await answer).Body);
    }
}
