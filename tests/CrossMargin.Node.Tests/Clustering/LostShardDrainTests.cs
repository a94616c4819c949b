using System.Text.Json;
using CrossMargin.Node.Clustering;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// What a node does with the deliveries still in flight when it loses a shard's lease (the drain of a <c>Lost</c> stop):
/// the lease may have passed, and another node may own the shard and hold newer state, so a read must not be answered
/// from this node's memory, and a write's fenced outcome must not be answered as applied. Each test holds one account's
/// mailbox behind a journal statement that waits on a table lock (as behind a slow or cut-off database), takes the
/// shard's lease away in the database (as another node that took it would), and lets the statement go once the stop began.
/// </summary>
[Collection(UsesClusterServers.Name)]
public sealed class LostShardDrainTests(ClusterServers servers)
{
    private const string Account = "acc-1";

    /// <summary>
    /// Reproduces the drain's hazard: the read waited behind the account's journal lookup (a resent deposit) and, with
    /// the drain up to <c>RabbitMq:HandlerDrainTimeout</c>, was answered from the old holder's memory after the lease was
    /// another node's. It must instead go back to the queue, and be answered by the shard's next holder.
    /// </summary>
    [Fact]
    public async Task A_read_in_the_drain_when_the_node_loses_its_shard_goes_back_to_the_queue_for_the_next_holder_not_answered_from_memory()
    {
        await using var lost = await StartAsync(servers);
        var read = await LoseTheShardWhileItHandlesAsync(lost, "read-1", AccountMessageTypes.GetAccount, "{}"u8.ToArray(), "read");

        // The next holder (here the same node, at a new epoch, recovered from the journal) answers it.
        await lost.GiveTheLeaseBackAsync();
        var answer = await read.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(200, answer.Status);
        Assert.Equal(100m, TestCluster.UsdtOf(answer.Body));
    }

    /// <summary>
    /// A graceful stop (here the node leaves the cluster) keeps the lease while its drain runs: the node renews it
    /// meanwhile, and a read answered then is answered under the lease. But the node waits only up to
    /// <c>Cluster:HandOffTimeout</c> and then releases the lease, drain or not: a read still waiting must not be answered
    /// from memory after that either.
    /// </summary>
    [Fact]
    public async Task A_read_in_a_graceful_stops_drain_is_not_answered_from_memory_once_the_node_stopped_waiting_and_released_the_lease()
    {
        // The drain (8 s) outlasts the node's wait for it (2 s), as the defaults allow (10 s each, plus the cancel).
        await using var lost = await StartAsync(servers, "--Cluster:HandOffTimeout=00:00:02", "--RabbitMq:ConsumerCancelTimeout=00:00:01",
            "--RabbitMq:HandlerDrainTimeout=00:00:08", "--RabbitMq:ChannelCloseTimeout=00:00:01");
        var (journal, resend) = await HoldTheAccountAsync(lost);
        await using (journal)
        {
            var read = await SendAsync(lost, "read-1", AccountMessageTypes.GetAccount, "{}"u8.ToArray());
            await lost.DeliveredAsync();

            var leaving = TestCluster.HostOf(lost.Node).Cluster!.LeaveAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
            await lost.ReleasedAsync();
            await journal.ReleaseAsync();

            Assert.Equal(200, (await resend).Status);
            await TestCluster.EventuallyAsync(async () =>
            {
                Assert.False(read.IsCompleted, $"the read was answered after the node released the lease: {TestCluster.Describe(read)}");
                return await lost.ReadyInQueueAsync() == 1;
            }, TimeSpan.FromSeconds(20), "the read goes back to the queue once the stop ends");
            await leaving;
        }
    }

    /// <summary>
    /// Pins exactly-once for a write in the same drain: behind the same lookup, its append reaches the fence only after
    /// the lease was taken, and the fence refuses it. The refusal is not answered as applied; the delivery goes back to
    /// the queue for the next holder, which applies it once. (A write whose fence check passed before the lease was
    /// taken commits: the check holds the lease row, so the taking waits for it.)
    /// </summary>
    [Fact]
    public async Task A_write_in_the_drain_when_the_node_loses_its_shard_is_refused_by_the_fence_not_answered_as_applied_and_goes_back_to_the_queue()
    {
        await using var lost = await StartAsync(servers);
        var deposit = await LoseTheShardWhileItHandlesAsync(lost, TestCluster.DepositId(Account, 2), "deposit", TestCluster.Deposit(Account, 2, 50m), "deposit");

        await lost.GiveTheLeaseBackAsync();
        Assert.Equal(200, (await deposit.WaitAsync(TimeSpan.FromSeconds(30))).Status);
        Assert.Equal(150m, TestCluster.UsdtOf(await ReadAsync(lost)));
        await lost.Cluster.AssertHistoriesAsync(new Dictionary<string, IReadOnlyCollection<string>>
        {
            [Account] = [TestCluster.DepositId(Account, 1), TestCluster.DepositId(Account, 2)],
        });
    }

    /// <summary>
    /// A node frozen past its self-fence point (a long GC or VM pause) and thawed has its read's answer ready before its
    /// self-fence runs: it must not send it until the node has renewed its leases again. The node's renewal age is stood
    /// in for by the deliveries' <c>LeasesCurrent</c> (the node's own is <c>ClusterNode.LeasesCurrent</c>, the self-fence's
    /// measure). Before, the answer went out at once.
    /// </summary>
    [Fact]
    public async Task A_read_is_not_answered_while_the_nodes_leases_are_not_current_and_is_once_they_are_renewed()
    {
        await using var lost = await StartAsync(servers);
        var leases = lost.StandInForTheNodesRenewals();

        var read = await SendAsync(lost, "read-1", AccountMessageTypes.GetAccount, "{}"u8.ToArray());
        await TestCluster.EventuallyAsync(() => Task.FromResult(leases.Asked >= 2), TimeSpan.FromSeconds(10),
            "the read's answer waits for the node's leases to be current");
        Assert.False(read.IsCompleted, $"the read was answered while the node's leases were not current: {TestCluster.Describe(read)}");

        leases.Current = true;
        var answer = await read.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((200, 100m), (answer.Status, TestCluster.UsdtOf(answer.Body)));
    }

    /// <summary>
    /// The same thawed node's self-fence then stops the shard as lost: the read waiting for a renewal is cut and goes back
    /// to the queue, and the shard's next holder answers it.
    /// </summary>
    [Fact]
    public async Task A_read_waiting_for_the_nodes_leases_goes_back_to_the_queue_when_the_node_loses_the_shard()
    {
        await using var lost = await StartAsync(servers);
        var leases = lost.StandInForTheNodesRenewals();
        var read = await SendAsync(lost, "read-1", AccountMessageTypes.GetAccount, "{}"u8.ToArray());
        await TestCluster.EventuallyAsync(() => Task.FromResult(leases.Asked >= 2), TimeSpan.FromSeconds(10),
            "the read's answer waits for the node's leases to be current");

        await lost.TakeTheLeaseAsync();
        await lost.StopFinishedAsync();
        Assert.Equal(1u, await lost.ReadyInQueueAsync());
        Assert.False(read.IsCompleted, $"the read was answered by the node that lost the lease: {TestCluster.Describe(read)}");

        leases.Current = true;
        await lost.GiveTheLeaseBackAsync();
        var answer = await read.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((200, 100m), (answer.Status, TestCluster.UsdtOf(answer.Body)));
    }

    /// <summary>Node <c>a</c> serving the cluster's one shard, an account on it with 100 USDT; the test is about the shard's queue and lease.</summary>
    private static async Task<LeasedQueueNode> StartAsync(ClusterServers servers, params string[] settings)
    {
        var lost = await LeasedQueueNode.StartAsync(servers, LeasedQueueNode.Watched.Shard, settings);
        await TestCluster.OpenAsync(lost.Node, Account);
        Assert.Equal(200, (await await SendAsync(lost, TestCluster.DepositId(Account, 1), "deposit", TestCluster.Deposit(Account, 1, 100m))).Status);
        return lost;
    }

    /// <summary>Publishes an account message as the venue would and returns, once the broker confirmed it, the task of its answer.</summary>
    private static Task<Task<AccountReply>> SendAsync(LeasedQueueNode lost, string messageId, string type, byte[] body) =>
        lost.SendAsync(lost.Names.Accounts, Account, type, body, messageId);

    /// <summary>
    /// Holds the account's mailbox: with the journal locked (reads too), the applied deposit is sent again, and the
    /// account reads its journal to tell a retry from a reused id, holding its later messages meanwhile. Returns the
    /// lock and the resend's answer.
    /// </summary>
    private static async Task<(JournalLock Lock, Task<AccountReply> Resend)> HoldTheAccountAsync(LeasedQueueNode lost)
    {
        var held = await JournalLock.TakeAsync(lost.Db);
        var resend = await SendAsync(lost, TestCluster.DepositId(Account, 1), "deposit", TestCluster.Deposit(Account, 1, 100m));
        await JournalLock.WaitedOnAsync(lost.Db, "SELECT sequence_nr, ordering, manifest", "the account's read of its journal waits on the lock");
        return (held, resend);
    }

    /// <summary>
    /// Holds the account (<see cref="HoldTheAccountAsync"/>), sends a message behind the held lookup, takes the shard's
    /// lease away once the node handles it, and lets the lookup go once the stop began; checks that after the stop the
    /// message is back in the queue, unanswered by this node. Returns the message's answer, to come from the next holder.
    /// </summary>
    private static async Task<Task<AccountReply>> LoseTheShardWhileItHandlesAsync(LeasedQueueNode lost, string messageId, string type, byte[] body, string what)
    {
        var (journal, resend) = await HoldTheAccountAsync(lost);
        await using (journal)
        {
            var answer = await SendAsync(lost, messageId, type, body);
            await lost.DeliveredAsync();

            await lost.TakeTheLeaseAsync();
            await journal.ReleaseAsync();

            // The lookup ends and answers (nothing to write); only then does the account take the next message.
            Assert.Equal(200, (await resend).Status);
            await lost.StopFinishedAsync();
            // The resend was answered and acked: what the queue holds is the message.
            var returned = await lost.ReadyInQueueAsync();
            Assert.True(returned == 1, $"the shard's queue holds {returned} messages after the stop, not the {what}; the {what}'s answer: {TestCluster.Describe(answer)}");
            Assert.False(answer.IsCompleted, $"the {what} was answered by the node that lost the lease: {TestCluster.Describe(answer)}");
            return answer;
        }
    }

    private static async Task<JsonElement> ReadAsync(LeasedQueueNode lost)
    {
        var reply = await await SendAsync(lost, "read-after", AccountMessageTypes.GetAccount, "{}"u8.ToArray());
        Assert.Equal(200, reply.Status);
        return reply.Body;
    }
}
