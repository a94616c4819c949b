using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// A listener on outbound exchanges, as a venue binds one: a queue of its own, exclusive to the connection and deleted
/// with it, bound with <c>#</c> to each exchange, auto-acked. For consumers that can afford to miss what was published
/// while they were away (the market simulator's matching stand-in: an unfilled liquidation order is re-planned by the
/// coordinator); a venue that must not miss a fact binds a durable queue of its own instead.
/// </summary>
public sealed class ExchangeSubscriber : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly ILogger _logger;

    private ExchangeSubscriber(IChannel channel, string queueName, ILogger logger)
    {
        _channel = channel;
        QueueName = queueName;
        _logger = logger;
    }

    /// <summary>The subscriber's queue.</summary>
    public string QueueName { get; }

    /// <summary>
    /// Declares <paramref name="queueName"/>, binds it to every one of <paramref name="exchanges"/> and hands each message
    /// to <paramref name="handler"/>, one at a time, in arrival order.
    /// </summary>
    /// <exception cref="TopologyConflictException">An exchange is missing or the queue exists with other settings.</exception>
    public static async Task<ExchangeSubscriber> StartAsync(RabbitMqConnection connection, string queueName, IReadOnlyList<string> exchanges,
        Func<ReceivedMessage, Task> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(queueName);
        ArgumentNullException.ThrowIfNull(exchanges);
        ArgumentNullException.ThrowIfNull(handler);
        var logger = connection.LoggerFactory.CreateLogger<ExchangeSubscriber>();
        var channel = await connection.CreateChannelAsync(publisherConfirms: false, cancellationToken).ConfigureAwait(false);
        try
        {
            await channel.QueueDeclareAsync(queueName, durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var exchange in exchanges)
            {
                await channel.QueueBindAsync(queueName, exchange, "#", cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, args) =>
            {
                try
                {
                    await handler(new ReceivedMessage(args.Body.ToArray(), args.BasicProperties.MessageId, args.BasicProperties.Type)).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // One message the handler cannot take must not end the subscription.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    logger.LogError(e, "Handler failed on message {MessageId} ({Type}) from {Exchange}", args.BasicProperties.MessageId, args.BasicProperties.Type, args.Exchange);
                }
            };
            await channel.BasicConsumeAsync(queueName, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason is { ReplyCode: 404 or 405 or 406 })
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw new TopologyConflictException($"Could not bind '{queueName}' to {string.Join(", ", exchanges)}: {e.ShutdownReason.ReplyText} (is the topology declared?).", e);
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new ExchangeSubscriber(channel, queueName, logger);
    }

    /// <summary>Closes the channel (the exclusive queue goes with it when the connection closes).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_channel.IsOpen)
            {
                await _channel.CloseAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or OperationCanceledException)
        {
            _logger.LogDebug(e, "Closing the channel of {Queue} failed; it is gone either way", QueueName);
        }

        await _channel.DisposeAsync().ConfigureAwait(false);
    }
}
