using CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;

namespace CrossMargin.Cluster.RabbitMq.Tests;

[Collection(UsesRabbitMqBroker.Name)]
public sealed class RawRateProbeTests(RabbitMqBrokerFixture fixture)
{
    [Fact]
    public async Task The_probe_moves_every_message_and_reports_a_rate()
    {
        await using var connection = await RabbitMqConnection.ConnectAsync(fixture.Options()).Within();

        var result = await RawRateProbe.MeasureAsync(connection, messageSize: 300, messageCount: 2_000).Within();

        Assert.Equal(2_000, result.Messages);
        Assert.True(result.MessagesPerSecond > 0);
    }
}
