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
    private readonly CancellationTokenSource _stopping;

    private RequestSubscriber(IChannel channel, ILogger logger, CancellationTokenSource stopping)
    {
        _channel = channel;
        _logger = logger;
        _stopping = stopping;
    }

    /// <summary>How long <see cref="DisposeAsync"/> waits for the channel to close before leaving it to the connection.</summary>
    public static TimeSpan CloseTimeout { get; } = TimeSpan.FromSeconds(5);

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
        var stopping = new CancellationTokenSource();
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
                // A stopping node answers nothing more: the client only closes the channel once every delivery already
                // handed to this consumer is handled, and a query can take its collect window and a reply's confirm,
                // so answering a backlog could hold the node's stop for minutes. Its askers take what came in time.
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
            stopping.Dispose();
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new RequestSubscriber(channel, logger, stopping);
    }

    /// <summary>
    /// Stops answering (queries still queued are dropped) and closes the channel, waiting at most
    /// <see cref="CloseTimeout"/> (the exclusive queue goes with the connection).
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
            _logger.LogDebug(e, "Closing the requests channel failed; it is gone either way");
        }

        await _channel.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
