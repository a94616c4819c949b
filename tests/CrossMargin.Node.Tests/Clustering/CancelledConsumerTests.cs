using System.Net;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Cluster.Sharding;
using Npgsql;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>The broker cancels a whole node's shard consumer (its queue deleted) while nothing is in flight on the node's connection.</summary>
[Collection(UsesClusterServers.Name)]
public sealed class CancelledConsumerTests(ClusterServers servers)
{
    [Fact]
    public async Task A_shard_whose_queue_the_broker_deleted_is_given_up_and_served_again_with_every_deposit_applied_once()
    {
        await using var cluster = await TestCluster.CreateAsync(servers);
        var nodes = new[] { await cluster.StartNodeAsync("n1"), await cluster.StartNodeAsync("n2") };
        await cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        var accounts = Enumerable.Range(0, 16).Select(i => $"trader-{i}").ToArray();
        foreach (var account in accounts)
        {
            await TestCluster.OpenAsync(nodes[0], account);
            await DepositAsync(nodes[1], account, 1, 100m);
        }

        // Every deposit answered (applied and acked) before the delete: no traffic on n1's connection when the broker cancels.
        await TestCluster.BalancesEqualAsync(nodes[0], accounts.ToDictionary(a => a, _ => 100m), TimeSpan.FromSeconds(30));
        var n1 = TestCluster.HostOf(nodes[0]).Cluster!.Node;
        var shard = n1.Shards.Keys.Min();
        var inShard = accounts.Where(a => ShardIds.Of(a, cluster.Shards) == shard).ToArray();
        Assert.NotEmpty(inShard);
        await using (var connection = await RabbitMqConnection.ConnectAsync(cluster.Broker()))
        await using (var channel = await connection.CreateChannelAsync(publisherConfirms: false))
        {
            await channel.QueueDeleteAsync(connection.Names.Shard(shard), ifUnused: false, ifEmpty: false);
        }

        await TestCluster.EventuallyAsync(async () => await EventCountAsync(cluster, "shard-unserved", $"shard {shard} %") == 1, TimeSpan.FromSeconds(10),
            $"n1 gives shard {shard} up");
        await cluster.AllShardsServedAsync(nodes, TimeSpan.FromSeconds(30));
        await TestCluster.EventuallyAsync(async () => await ConsumersAsync(cluster, shard) == 1, TimeSpan.FromSeconds(10), $"shard {shard}'s queue consumed again");
        foreach (var account in accounts)
        {
            await DepositAsync(nodes[1], account, 2, 10.25m);
        }

        // 100 + 10.25 each, nothing lost or applied twice; the shard's accounts included.
        await TestCluster.BalancesEqualAsync(nodes[0], accounts.ToDictionary(a => a, _ => 110.25m), TimeSpan.FromSeconds(30));
        await cluster.AssertHistoriesAsync(accounts.ToDictionary(a => a, a => (IReadOnlyCollection<string>)[TestCluster.DepositId(a, 1), TestCluster.DepositId(a, 2)]));
    }

    private static async Task DepositAsync(Api.NodeUnderTest via, string account, int sequence, decimal amount)
    {
        var response = await via.Client.PostAsync("/api/v1/deposits",
            new ByteArrayContent(TestCluster.Deposit(account, sequence, amount)) { Headers = { ContentType = new("application/json") } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // The consumers of the shard's queue, -1 while it does not exist (a passive declare of a missing queue closes its channel).
    private static async Task<long> ConsumersAsync(TestCluster cluster, int shard)
    {
        await using var connection = await RabbitMqConnection.ConnectAsync(cluster.Broker());
        await using var channel = await connection.CreateChannelAsync(publisherConfirms: false);
        try
        {
            return (await channel.QueueDeclarePassiveAsync(connection.Names.Shard(shard))).ConsumerCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason is { ReplyCode: 404 })
        {
            return -1;
        }
    }

    private static async Task<long> EventCountAsync(TestCluster cluster, string kind, string detailLike)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM cluster_event WHERE kind = $1 AND detail LIKE $2", connection)
        {
            Parameters = { new NpgsqlParameter<string> { TypedValue = kind }, new NpgsqlParameter<string> { TypedValue = detailLike } },
        };
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
