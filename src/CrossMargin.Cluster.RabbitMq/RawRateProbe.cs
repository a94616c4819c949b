using System.Diagnostics;
using System.Globalization;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// Measures RabbitMQ's own publish-to-consume rate for a message size on the path the cluster uses (one queue declared
/// like a shard queue, of the same type and with the same arguments, persistent messages, publisher confirms, manual
/// acks with the configured prefetch), with no handler work: the ceiling the cluster's end-to-end rate is compared with.
/// </summary>
public static class RawRateProbe
{
    /// <summary>
    /// Publishes <paramref name="messageCount"/> messages of <paramref name="messageSize"/> bytes into a temporary queue
    /// with up to <paramref name="publishWindow"/> unconfirmed at once, consumes them, and deletes the queue.
    /// <paramref name="queueType"/> is <c>quorum</c> or <c>classic</c>; by default the connection's
    /// <see cref="RabbitMqOptions.ShardQueueType"/>, so the probe measures the queue type the shards are. With
    /// <paramref name="throughAccountsExchange"/> the messages go through a temporary exchange of the accounts exchange's
    /// type (<see cref="RabbitMqOptions.AccountsExchangeType"/>) bound to the one queue, keyed by 300 account ids in turn,
    /// so that the routing's own cost on the broker can be told apart from the queue's.
    /// </summary>
    public static async Task<RawRateResult> MeasureAsync(
        RabbitMqConnection connection,
        int messageSize,
        int messageCount,
        int publishWindow = 512,
        string? queueType = null,
        bool throughAccountsExchange = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        queueType ??= connection.Options.ShardQueueType;
        if (queueType is not (Topology.QuorumQueueType or Topology.ClassicQueueType))
        {
            throw new ArgumentException($"Queue type is quorum or classic (was '{queueType}').", nameof(queueType));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(messageSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(messageCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(publishWindow, 1);
        var queue = $"{connection.Names.Prefix}.probe.{Guid.NewGuid():N}";
        var body = new byte[messageSize];
        body.AsSpan().Fill((byte)'x');
        var channel = await connection.CreateChannelAsync(publisherConfirms: false, cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            // A shard queue's arguments (single active consumer, overflow, delivery limit for quorum, version 2 for
            // classic) with no dead-letter exchange: nothing is dead-lettered here, and the probe needs no topology.
            var arguments = Topology.ShardQueueArguments(new RabbitMqOptions { ShardQueueType = queueType, BrokerDeliveryLimit = connection.Options.BrokerDeliveryLimit }, "");
            arguments.Remove("x-dead-letter-exchange");
            arguments.Remove("x-dead-letter-strategy");
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
            var exchange = "";
            try
            {
                if (throughAccountsExchange)
                {
                    exchange = queue + ".exchange";
                    await channel.ExchangeDeclareAsync(exchange, connection.Options.AccountsExchangeType, durable: false, autoDelete: false,
                        cancellationToken: cancellationToken).ConfigureAwait(false);
                    await channel.QueueBindAsync(queue, exchange, "1", cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                await channel.BasicQosAsync(0, connection.Options.Prefetch, global: false, cancellationToken).ConfigureAwait(false);
                var consumed = 0;
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += async (_, args) =>
                {
                    await channel.BasicAckAsync(args.DeliveryTag, multiple: false).ConfigureAwait(false);
                    if (Interlocked.Increment(ref consumed) == messageCount)
                    {
                        done.TrySetResult();
                    }
                };
                var tag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
                var publisher = await ConfirmingPublisher.CreateAsync(connection, cancellationToken).ConfigureAwait(false);
                await using (publisher.ConfigureAwait(false))
                {
                    var clock = Stopwatch.StartNew();
                    using var window = new SemaphoreSlim(publishWindow, publishWindow);
                    var inFlight = new List<Task>(messageCount);
                    for (var i = 0; i < messageCount; i++)
                    {
                        await window.WaitAsync(cancellationToken).ConfigureAwait(false);
                        var key = throughAccountsExchange ? "acc-" + (i % 300).ToString(CultureInfo.InvariantCulture) : queue;
                        inFlight.Add(PublishOneAsync(publisher, exchange, key, body, i, window, cancellationToken));
                    }

                    await Task.WhenAll(inFlight).ConfigureAwait(false);
                    await done.Task.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
                    var elapsed = clock.Elapsed;
                    await channel.BasicCancelAsync(tag, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return new RawRateResult(messageCount, messageSize, elapsed);
                }
            }
            finally
            {
                await channel.QueueDeleteAsync(queue, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                if (exchange.Length > 0)
                {
                    await channel.ExchangeDeleteAsync(exchange, cancellationToken: CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
    }

    // Through the default exchange ("") the routing key names the queue; through the probe's own exchange it is an account id.
    private static async Task PublishOneAsync(ConfirmingPublisher publisher, string exchange, string routingKey, byte[] body, int index, SemaphoreSlim window,
        CancellationToken cancellationToken)
    {
        try
        {
            await publisher.PublishAsync(exchange, routingKey, body, index.ToString(CultureInfo.InvariantCulture), "probe", PublishOptions.Default, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            window.Release();
        }
    }
}
