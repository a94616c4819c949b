using System.Diagnostics;
using CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;

namespace CrossMargin.Cluster.RabbitMq.Tests;

/// <summary>A node stops within its bounds when the broker stops answering: a node that cannot stop cannot be replaced.</summary>
[Collection(UsesRabbitMqBroker.Name)]
public sealed class FrozenBrokerTests(RabbitMqBrokerFixture fixture)
{
    [Fact]
    public async Task A_shard_consumer_and_its_connection_to_a_broker_that_stopped_answering_are_disposed_within_their_bounds()
    {
        await using var proxy = new FreezingProxy(fixture.Broker.Port);
        var options = fixture.Options(shardCount: 1, o =>
        {
            o.Uri = new Uri($"amqp://guest:guest@127.0.0.1:{proxy.Port}/");
            o.ConsumerCancelTimeout = TimeSpan.FromSeconds(1);
            o.HandlerDrainTimeout = TimeSpan.FromSeconds(1);
            o.ChannelCloseTimeout = TimeSpan.FromSeconds(1);
        });
        var connection = await fixture.ConnectAsync(options);
        var consumer = await ShardConsumer.StartAsync(connection, 0, (_, _) => Task.CompletedTask).Within();
        proxy.Freeze();
        var clock = Stopwatch.StartNew();

        var stopped = Task.Run(async () =>
        {
            await consumer.DisposeAsync();
            await connection.DisposeAsync();
        });

        // The bounds add up to 13 s: the consumer's cancel, channel close and channel dispose (1 s each here), then the
        // connection's close and dispose (5 s each). Before they were kept, the consumer alone took 40 s (two of the
        // client's 20 s RPC time-outs) and the connection's dispose could wait for ever.
        Assert.Same(stopped, await Task.WhenAny(stopped, Task.Delay(TimeSpan.FromSeconds(60))));
        await stopped;
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"stopped after {clock.Elapsed.TotalSeconds:F1} s");
    }
}
