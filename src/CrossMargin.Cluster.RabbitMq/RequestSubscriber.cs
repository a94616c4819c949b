using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// A node's subscription to cluster-wide queries on the requests exchange (<see cref="TopologyNames.Requests"/>): its
/// own queue (<c>{prefix}.requests.{nodeId}</c>), exclusive to the node's connection and deleted with it, bound with
/// the query names the node answers. Queries are auto-acked: one that finds no node alive has nobody to answer it
/// and expires with its TTL; the asker collects whatever came within its window.
/// </summary>
public sealed class RequestSubscriber : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly ILogger _logger;

    private RequestSubscriber(IChannel channel, ILogger logger)
    {
        _channel = channel;
        _logger = logger;
    }

    /// <summary>Declares the node's queue, binds it to the requests exchange under <paramref name="keys"/> and hands every query to <paramref name="handler"/>.</summary>
    public static async Task<RequestSubscriber> StartAsync(
        RabbitMqConnection connection, string nodeId, IReadOnlyCollection<string> keys, Func<ReceivedMessage, Task> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(handler);
        var logger = connection.LoggerFactory.CreateLogger<RequestSubscriber>();
        var names = connection.Names;
        var queue = names.RequestsQueue(nodeId);
        var channel = await connection.CreateChannelAsync(publisherConfirms: false, cancellationToken).ConfigureAwait(false);
        try
        {
            await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var key in keys)
            {
                await channel.QueueBindAsync(queue, names.Requests, key, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, args) =>
            {
                var properties = args.BasicProperties;
                try
                {
                    await handler(new ReceivedMessage(args.Body.ToArray(), properties.MessageId, properties.Type)
                    {
                        CorrelationId = properties.CorrelationId,
                        ReplyTo = properties.ReplyTo,
                    }).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // One failed query must not stop the subscription; its asker times out.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    logger.LogError(e, "Query handler failed on message {MessageId}", properties.MessageId);
                }
            };
            await channel.BasicConsumeAsync(queue, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason is { ReplyCode: 404 or 405 or 406 })
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw new TopologyConflictException($"Could not subscribe '{queue}' to '{names.Requests}': {e.ShutdownReason.ReplyText} (is the topology declared, and is node id '{nodeId}' unique?).", e);
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new RequestSubscriber(channel, logger);
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
            _logger.LogDebug(e, "Closing the requests channel failed; it is gone either way");
        }

        await _channel.DisposeAsync().ConfigureAwait(false);
    }
}
