using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// What every auto-acked subscription of a node shares (marks, cluster-wide queries, outbound exchanges): a queue of its
/// own, exclusive to the connection and deleted with it, bound to its exchanges, each message handed to a handler one at
/// a time, a failing handler logged without ending the subscription, and a stop that does not wait on a backlog.
/// </summary>
internal sealed class QueueSubscription : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping;

    private QueueSubscription(IChannel channel, string queueName, ILogger logger, CancellationTokenSource stopping)
    {
        _channel = channel;
        QueueName = queueName;
        _logger = logger;
        _stopping = stopping;
    }

    /// <summary>How long <see cref="DisposeAsync"/> waits for the channel to close before leaving it to the connection.</summary>
    public static TimeSpan CloseTimeout { get; } = TimeSpan.FromSeconds(5);

    /// <summary>The subscription's queue.</summary>
    public string QueueName { get; }

    /// <summary>
    /// Declares <paramref name="queueName"/> with <paramref name="arguments"/>, binds it as <paramref name="bindings"/> say and
    /// consumes it with auto-ack; a conflict with the broker's topology is a <see cref="TopologyConflictException"/> ending in <paramref name="hint"/>.
    /// </summary>
    public static async Task<QueueSubscription> StartAsync(
        RabbitMqConnection connection, string queueName, IDictionary<string, object?>? arguments, IReadOnlyList<(string Exchange, string Key)> bindings,
        Func<ReceivedMessage, Task> handler, ILogger logger, string hint, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(publisherConfirms: false, cancellationToken).ConfigureAwait(false);
        var stopping = new CancellationTokenSource();
        try
        {
            await channel.QueueDeclareAsync(queueName, durable: false, exclusive: true, autoDelete: true, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var (exchange, key) in bindings)
            {
                await channel.QueueBindAsync(queueName, exchange, key, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, args) =>
            {
                // A stopping subscription handles nothing more: the client closes a channel only once every delivery
                // already handed to its consumer is handled, and a slow handler (a query's collect window and reply
                // confirm) would hold the node's stop for the whole backlog.
                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                var properties = args.BasicProperties;
                try
                {
                    await handler(new ReceivedMessage(args.Body.ToArray(), properties.MessageId, properties.Type)
                    {
                        CorrelationId = properties.CorrelationId,
                        ReplyTo = properties.ReplyTo,
                        UserId = properties.UserId,
                    }).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // One message the handler cannot take must not end the subscription.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    logger.LogError(e, "Handler of {Queue} failed on message {MessageId} ({Type}) from {Exchange}", queueName, properties.MessageId, properties.Type,
                        args.Exchange);
                }
            };
            await channel.BasicConsumeAsync(queueName, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason is { ReplyCode: 404 or 405 or 406 })
        {
            stopping.Dispose();
            await channel.DisposeAsync().ConfigureAwait(false);
            var exchanges = string.Join(", ", bindings.Select(b => $"'{b.Exchange}'").Distinct(StringComparer.Ordinal));
            throw new TopologyConflictException($"Could not subscribe '{queueName}' to {exchanges}: {e.ShutdownReason.ReplyText} ({hint}).", e);
        }
        catch
        {
            stopping.Dispose();
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new QueueSubscription(channel, queueName, logger, stopping);
    }

    /// <summary>
    /// Stops handling (messages still queued for the consumer are dropped) and closes the channel, waiting at most
    /// <see cref="CloseTimeout"/>; the exclusive queue goes with the connection.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            if (_channel.IsOpen)
            {
                using var timeout = new CancellationTokenSource(CloseTimeout);
                await _channel.CloseAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or OperationCanceledException)
        {
            _logger.LogDebug(e, "Closing the channel of {Queue} failed; it is gone either way", QueueName);
        }

        await _channel.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
