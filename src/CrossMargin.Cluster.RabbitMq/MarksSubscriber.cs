using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// A node's subscription to the marks fanout exchange: its own queue (<c>{prefix}.marks.{nodeId}</c>), exclusive to
/// the node's connection and deleted with it, so a dead node leaves no queue filling up. Marks conflate (only the
/// latest per instrument matters), so deliveries are auto-acked and the queue keeps at most
/// <see cref="RabbitMqOptions.MarksQueueMaxLength"/>, dropping the oldest; after a reconnect the client's recovery
/// re-declares the queue, its binding and the consumer, and the next marks bring the node up to date.
/// </summary>
public sealed class MarksSubscriber : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly ILogger _logger;

    private MarksSubscriber(IChannel channel, string queueName, ILogger logger)
    {
        _channel = channel;
        QueueName = queueName;
        _logger = logger;
    }

    /// <summary>The node's marks queue.</summary>
    public string QueueName { get; }

    /// <summary>Declares the node's queue, binds it to the marks exchange and hands every mark to <paramref name="handler"/>, one at a time.</summary>
    public static async Task<MarksSubscriber> StartAsync(RabbitMqConnection connection, string nodeId, Func<ReceivedMessage, Task> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        ArgumentNullException.ThrowIfNull(handler);
        var logger = connection.LoggerFactory.CreateLogger<MarksSubscriber>();
        var names = connection.Names;
        var queue = names.MarksQueue(nodeId);
        var channel = await connection.CreateChannelAsync(publisherConfirms: false, cancellationToken).ConfigureAwait(false);
        try
        {
            var arguments = new Dictionary<string, object?> { ["x-max-length"] = connection.Options.MarksQueueMaxLength };
            await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
            await channel.QueueBindAsync(queue, names.Marks, "", cancellationToken: cancellationToken).ConfigureAwait(false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, args) =>
            {
                try
                {
                    await handler(new ReceivedMessage(args.Body.ToArray(), args.BasicProperties.MessageId, args.BasicProperties.Type)).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // One bad mark must not stop the subscription; the next mark supersedes it.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    logger.LogError(e, "Mark handler failed on message {MessageId}", args.BasicProperties.MessageId);
                }
            };
            await channel.BasicConsumeAsync(queue, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason is { ReplyCode: 404 or 405 or 406 })
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw new TopologyConflictException($"Could not subscribe '{queue}' to '{names.Marks}': {e.ShutdownReason.ReplyText} (is the topology declared, and is node id '{nodeId}' unique?).", e);
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new MarksSubscriber(channel, queue, logger);
    }

    /// <summary>Closes the channel (the exclusive queue goes with the connection).</summary>
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
            _logger.LogDebug(e, "Closing the marks channel failed; it is gone either way");
        }

        await _channel.DisposeAsync().ConfigureAwait(false);
    }
}
