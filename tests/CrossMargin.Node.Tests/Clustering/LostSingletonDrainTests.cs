using CrossMargin.Node.Clustering;

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
    [Fact]
    public async Task A_liquidation_read_in_the_drain_when_the_node_loses_the_singleton_goes_back_to_the_queue_for_the_next_holder_not_answered_from_memory()
    {
        await using var lost = await StartAsync(servers);
        await using (var journal = await RunAgainBehindALockedJournalAsync(lost))
        {
            var read = await SendAsync(lost, ClusterMessageTypes.ListHalts);
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
        await using var lost = await StartAsync(servers, "--Cluster:HandOffTimeout=00:00:02", "--RabbitMq:ConsumerCancelTimeout=00:00:01",
            "--RabbitMq:HandlerDrainTimeout=00:00:08", "--RabbitMq:ChannelCloseTimeout=00:00:01");
        await using (var journal = await RunAgainBehindALockedJournalAsync(lost))
        {
            var read = await SendAsync(lost, ClusterMessageTypes.ShowFund);
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
        await using var lost = await StartAsync(servers);
        var leases = lost.StandInForTheNodesRenewals();

        var read = await SendAsync(lost, ClusterMessageTypes.ListHalts);
        await TestCluster.EventuallyAsync(() => Task.FromResult(leases.Asked >= 2), TimeSpan.FromSeconds(10),
            "the liquidation read's answer waits for the node's leases to be current");
        Assert.False(read.IsCompleted, $"the read was answered while the node's leases were not current: {TestCluster.Describe(read)}");

        leases.Current = true;
        var answer = await read.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(200, answer.Status);
    }

    /// <summary>Node <c>a</c> running the liquidation singleton; the test is about the liquidation queue and the singleton's lease.</summary>
    private static Task<LeasedQueueNode> StartAsync(ClusterServers servers, params string[] settings) =>
        LeasedQueueNode.StartAsync(servers, LeasedQueueNode.Watched.LiquidationSingleton, settings);

    /// <summary>
    /// Publishes an operator's request of <paramref name="type"/> to the liquidation queue, as a node relays one from its
    /// HTTP API, and returns, once the broker confirmed it, the task of its answer.
    /// </summary>
    private static Task<Task<AccountReply>> SendAsync(LeasedQueueNode lost, string type) => lost.SendAsync("", lost.Names.Liquidation, type, "{}"u8.ToArray());

    /// <summary>
    /// Has the node run the singleton again with the journal locked: its lease taken and given back, the coordinator and
    /// the fund start at a new epoch and recover behind the lock, and the liquidation queue is consumed meanwhile.
    /// Returns the lock.
    /// </summary>
    private static async Task<JournalLock> RunAgainBehindALockedJournalAsync(LeasedQueueNode lost)
    {
        await lost.TakeTheLeaseAsync();
        await lost.StopFinishedAsync();
        var journal = await JournalLock.TakeAsync(lost.Db);
        await lost.GiveTheLeaseBackAsync();
        await LeasedQueueNode.RunsTheSingletonAsync(lost.Node);
        await JournalLock.WaitedOnAsync(lost.Db, "SELECT coalesce(max(sequence_nr), 0) FROM event_journal", "the coordinator's recovery waits on the lock");
        return journal;
    }
}
