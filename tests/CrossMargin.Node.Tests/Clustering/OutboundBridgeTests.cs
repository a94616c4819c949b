using System.Diagnostics;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Engine.Accounts;
using CrossMargin.Node.Clustering;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossMargin.Node.Tests.Clustering;

[Collection(UsesClusterServers.Name)]
public sealed class OutboundBridgeTests(ClusterServers servers)
{
    [Fact]
    public async Task A_bridge_whose_broker_is_gone_stops_within_its_drain_timeout_and_counts_what_it_gave_up()
    {
        await using var cluster = await TestCluster.CreateAsync(servers);
        var connection = await RabbitMqConnection.ConnectAsync(cluster.Broker());
        await Topology.DeclareAsync(connection);
        var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var bridge = new OutboundBridge(publisher, connection.Names, NullLogger.Instance);
        bridge.Tell(new AccountLimitsChanged("acc-1", 100m, new Dictionary<string, decimal> { ["USDT"] = 100m }), null);
        await TestCluster.EventuallyAsync(() => Task.FromResult(bridge.Published == 1), TimeSpan.FromSeconds(10), "the first fact confirmed");

        // The broker connection is gone (a crashed node) with a backlog of limit changes still queued: each publish
        // would retry through the outage for the publisher's whole retry timeout.
        await connection.DisposeAsync();
        for (var i = 0; i < 500; i++)
        {
            bridge.Tell(new AccountLimitsChanged("acc-1", i, new Dictionary<string, decimal> { ["USDT"] = i }), null);
        }

        var clock = Stopwatch.StartNew();
        await bridge.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(clock.Elapsed < OutboundBridge.DrainTimeout + TimeSpan.FromSeconds(10), $"stopped after {clock.Elapsed}");
        Assert.Equal(1, bridge.Published);
        Assert.Equal(500, bridge.Dropped);
        await publisher.DisposeAsync();
    }
}
