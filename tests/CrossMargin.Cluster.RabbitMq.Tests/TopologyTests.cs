using System.Collections.Concurrent;
using System.Globalization;
using CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;

namespace CrossMargin.Cluster.RabbitMq.Tests;

[Collection(UsesRabbitMqBroker.Name)]
public sealed class TopologyTests(RabbitMqBrokerFixture fixture)
{
    [Fact]
    public async Task Declaring_the_topology_twice_is_a_no_op()
    {
        var options = fixture.Options(shardCount: 4);
        await using var connection = await fixture.ConnectAsync(options);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        await publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "m1", "execution").Within();

        await Topology.DeclareAsync(connection).Within();
        await using var second = await fixture.ConnectAsync(options);

        var ready = 0u;
        for (var shard = 0; shard < 4; shard++)
        {
            ready += await Bodies.ReadyAsync(connection, connection.Names.Shard(shard));
        }

        Assert.Equal(1u, ready); // the queued message survived both re-declarations
    }

    [Fact]
    public async Task A_node_configured_differently_fails_with_a_clear_conflict()
    {
        var options = fixture.Options(shardCount: 2);
        await using var connection = await fixture.ConnectAsync(options);
        var other = fixture.Options(shardCount: 2, o =>
        {
            o.Prefix = options.Prefix;
            o.BrokerDeliveryLimit = options.BrokerDeliveryLimit + 1;
        });
        await using var otherConnection = await RabbitMqConnection.ConnectAsync(other).Within();

        var e = await Assert.ThrowsAsync<TopologyConflictException>(() => Topology.DeclareAsync(otherConnection).Within());

        Assert.Contains(connection.Names.Shard(0), e.Message, StringComparison.Ordinal);
        Assert.Contains("PRECONDITION_FAILED", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_whose_shard_queues_are_of_the_other_type_fails_with_a_clear_conflict()
    {
        // A queue cannot change type: a classic deployment and a quorum one must not both believe they own the shards.
        var options = fixture.Options(shardCount: 2, queueType: Topology.ClassicQueueType);
        await using var connection = await fixture.ConnectAsync(options);
        await Topology.DeclareAsync(connection).Within(); // the same classic declaration again is a no-op
        var other = fixture.Options(shardCount: 2, o => o.Prefix = options.Prefix, Topology.QuorumQueueType);
        await using var otherConnection = await RabbitMqConnection.ConnectAsync(other).Within();

        var e = await Assert.ThrowsAsync<TopologyConflictException>(() => Topology.DeclareAsync(otherConnection).Within());

        Assert.Contains(connection.Names.Shard(0), e.Message, StringComparison.Ordinal);
        Assert.Contains("(quorum)", e.Message, StringComparison.Ordinal);
        Assert.Contains("ShardQueueType", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Topology.ModulusHashExchangeType)]
    [InlineData(Topology.ConsistentHashExchangeType)]
    public async Task Hashing_spreads_8000_accounts_evenly_over_8_shards_and_keeps_each_account_on_its_shard(string exchangeType)
    {
        const int accounts = 8_000;
        var options = fixture.Options(shardCount: 8, o =>
        {
            o.Prefetch = 500;
            o.AccountsExchangeType = exchangeType;
        });
        await using var connection = await fixture.ConnectAsync(options);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        await PublishAccountsAsync(publisher, connection, accounts, "a");

        var counts = new int[8];
        for (var shard = 0; shard < 8; shard++)
        {
            counts[shard] = (int)await Bodies.ReadyAsync(connection, connection.Names.Shard(shard));
        }

        Assert.Equal(accounts, counts.Sum());
        Assert.All(counts, c => Assert.InRange(c, 700, 1300)); // 1,000 each if perfectly even

        // A second message per account must land on the shard the first one did.
        await PublishAccountsAsync(publisher, connection, accounts, "b");
        var shardOf = new ConcurrentDictionary<string, ConcurrentBag<int>>(StringComparer.Ordinal);
        var received = 0;
        var consumers = new List<ShardConsumer>();
        for (var shard = 0; shard < 8; shard++)
        {
            consumers.Add(await ShardConsumer.StartAsync(connection, shard, (d, _) =>
            {
                shardOf.GetOrAdd(d.AccountId, _ => []).Add(d.Shard);
                Interlocked.Increment(ref received);
                return Task.CompletedTask;
            }).Within());
        }

        await Bounded.UntilAsync(() => Volatile.Read(ref received) == 2 * accounts, "every message consumed");
        foreach (var consumer in consumers)
        {
            await consumer.DisposeAsync();
        }

        Assert.Equal(accounts, shardOf.Count);
        Assert.All(shardOf, pair => Assert.Single(pair.Value.Distinct()));
    }

    private static async Task PublishAccountsAsync(ConfirmingPublisher publisher, RabbitMqConnection connection, int accounts, string round)
    {
        var tasks = new List<Task>(accounts);
        for (var i = 0; i < accounts; i++)
        {
            var account = "acct-" + i.ToString(CultureInfo.InvariantCulture);
            tasks.Add(publisher.PublishAsync(connection.Names.Accounts, account, Bodies.Utf8(account), $"{round}-{account}", "execution"));
        }

        await Task.WhenAll(tasks).Within();
    }
}
