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
    /// <see cref="RabbitMqOptions.ShardQueueType"/>, so the probe measures the queue type the shards are.
    /// </summary>
    public static async Task<RawRateResult> MeasureAsync(
        RabbitMqConnection connection,
        int messageSize,
        int messageCount,
        int publishWindow = 512,
        string? queueType = null,
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
            try
            {
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
                        inFlight.Add(PublishOneAsync(publisher, queue, body, i, window, cancellationToken));
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
            }
        }
    }

    private static async Task PublishOneAsync(ConfirmingPublisher publisher, string queue, byte[] body, int index, SemaphoreSlim window, CancellationToken cancellationToken)
    {
        try
        {
            // The default exchange routes straight to the queue named by the routing key.
            await publisher.PublishAsync("", queue, body, index.ToString(CultureInfo.InvariantCulture), "probe", PublishOptions.Default, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            window.Release();
        }
    }
}
