using CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace CrossMargin.Cluster.RabbitMq.Tests;

[Collection(UsesRabbitMqBroker.Name)]
public sealed class ConfirmingPublisherTests(RabbitMqBrokerFixture fixture)
{
    [Fact]
    public async Task A_publish_to_a_missing_exchange_fails_clearly_and_the_publisher_keeps_working()
    {
        await using var connection = await fixture.ConnectAsync(fixture.Options(shardCount: 1));
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var missing = connection.Names.Prefix + ".no-such-exchange";

        var e = await Assert.ThrowsAsync<PublishFailedException>(() => publisher.PublishAsync(missing, "acct-1", Bodies.Utf8("{}"), "m1", "execution").Within());

        Assert.Equal(PublishFailure.ExchangeNotFound, e.Failure);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        Assert.Contains("NOT_FOUND", e.Message, StringComparison.Ordinal);
        await publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{}"), "m2", "execution").Within();
        Assert.Equal(1u, await Bodies.ReadyAsync(connection, connection.Names.Shard(0)));
    }

    [Fact]
    public async Task An_unroutable_mandatory_publish_fails_as_unroutable()
    {
        await using var connection = await fixture.ConnectAsync(fixture.Options(shardCount: 1));
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);

        var e = await Assert.ThrowsAsync<PublishFailedException>(() =>
            publisher.PublishAsync(connection.Names.MarginCalls, "acct-1", Bodies.Utf8("{}"), "call-1", "margin-call").Within());

        Assert.Equal(PublishFailure.Unroutable, e.Failure);
        await publisher.PublishAsync(connection.Names.MarginCalls, "acct-1", Bodies.Utf8("{}"), "call-2", "margin-call", new PublishOptions { Mandatory = false }).Within();
    }

    [Fact]
    public async Task A_published_message_is_persistent_and_carries_its_id_and_type()
    {
        await using var connection = await fixture.ConnectAsync(fixture.Options(shardCount: 1));
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);

        await publisher.PublishAsync(connection.Names.Accounts, "acct-1", Bodies.Utf8("{\"a\":1}"), "exec-42", "execution").Within();

        // Shard queues refuse basic.get (single active consumer), so a consuming channel of the test's own reads it.
        await using var channel = await connection.CreateChannelAsync(publisherConfirms: false);
        var got = new TaskCompletionSource<BasicDeliverEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, args) =>
        {
            got.TrySetResult(args);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(connection.Names.Shard(0), autoAck: true, consumer);
        var delivery = await got.Task.Within();
        Assert.Equal("exec-42", delivery.BasicProperties.MessageId);
        Assert.Equal("execution", delivery.BasicProperties.Type);
        Assert.Equal(DeliveryModes.Persistent, delivery.BasicProperties.DeliveryMode);
        Assert.Equal("acct-1", delivery.RoutingKey);
    }
}
