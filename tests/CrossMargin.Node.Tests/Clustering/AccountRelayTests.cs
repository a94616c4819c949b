using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Node.Clustering;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>The liquidation coordinator's relay to the accounts' owners, against a real broker.</summary>
[Collection(UsesClusterServers.Name)]
public sealed class AccountRelayTests(ClusterServers servers)
{
    [Fact]
    public async Task A_command_the_broker_refuses_is_tried_again_until_it_is_published_and_the_commands_after_it_keep_their_order()
    {
        // One shard: while the topology is being declared the modulus-hash exchange hashes over the queues bound so
        // far, so with eight a retry landing mid-declaration could put the two commands in different shard queues (seen
        // in CI: cover-2 consumed first). With one there is no bound queue (returned, tried again) or the right one.
        await using var cluster = await TestCluster.CreateAsync(servers, shards: 1);
        await using var connection = await RabbitMqConnection.ConnectAsync(cluster.Broker());
        await using var requests = await RequestClient.StartAsync(connection, "relay-test");
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var relay = new AccountRelay(requests, publisher, connection.Names, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), NullLogger.Instance);

        // No topology yet: the accounts exchange does not exist, so the broker refuses every publish to it.
        relay.Tell(new ShardEnvelope("acc-1", new CoverDeficit("cover-1", "liquidation", 1, "USDT", 10m)), null);
        relay.Tell(new ShardEnvelope("acc-1", new CoverDeficit("cover-2", "liquidation", 2, "USDT", 20m)), null);
        await Task.Delay(AccountRelay.RetryBackoffMin * 4);
        await Topology.DeclareAsync(connection);

        var ids = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var consumers = new List<ShardConsumer>();
        for (var shard = 0; shard < cluster.Shards; shard++)
        {
            consumers.Add(await ShardConsumer.StartAsync(connection, shard, (delivery, _) =>
            {
                ids.Enqueue(delivery.MessageId!);
                return Task.CompletedTask;
            }));
        }

        await TestCluster.EventuallyAsync(() => Task.FromResult(ids.Count >= 2), TimeSpan.FromSeconds(30), "both commands in acc-1's shard queue");
        Assert.Equal(["cover-1", "cover-2"], ids);
        foreach (var consumer in consumers)
        {
            await consumer.DisposeAsync();
        }

        await relay.DisposeAsync();
    }
}
