using CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;

namespace CrossMargin.Cluster.RabbitMq.Tests;

[Collection(UsesRabbitMqBroker.Name)]
public sealed class RawRateProbeTests(RabbitMqBrokerFixture fixture)
{
    [Theory]
    [InlineData(Topology.QuorumQueueType)]
    [InlineData(Topology.ClassicQueueType)]
    public async Task The_probe_moves_every_message_and_reports_a_rate(string queueType)
    {
        // The probe's queue is of the shards' configured type, declared with a shard queue's arguments.
        await using var connection = await RabbitMqConnection.ConnectAsync(fixture.Options(queueType: queueType)).Within();

        var result = await RawRateProbe.MeasureAsync(connection, messageSize: 300, messageCount: 2_000).Within();

        Assert.Equal(2_000, result.Messages);
        Assert.True(result.MessagesPerSecond > 0);
    }

    [Fact]
    public async Task Through_an_exchange_of_the_accounts_type_every_message_still_reaches_the_one_queue()
    {
        // Were any account id routed nowhere, the probe would wait for messages that never come and time out.
        await using var connection = await RabbitMqConnection.ConnectAsync(fixture.Options()).Within();

        var result = await RawRateProbe.MeasureAsync(connection, messageSize: 300, messageCount: 2_000, throughAccountsExchange: true).Within();

        Assert.Equal(2_000, result.Messages);
    }
}
