using Microsoft.Extensions.Logging;

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
    private readonly QueueSubscription _subscription;

    private MarksSubscriber(QueueSubscription subscription) => _subscription = subscription;

    /// <summary>The node's marks queue.</summary>
    public string QueueName => _subscription.QueueName;

    /// <summary>Declares the node's queue, binds it to the marks exchange and hands every mark to <paramref name="handler"/>, one at a time.</summary>
    public static async Task<MarksSubscriber> StartAsync(RabbitMqConnection connection, string nodeId, Func<ReceivedMessage, Task> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        ArgumentNullException.ThrowIfNull(handler);
        var names = connection.Names;
        return new MarksSubscriber(await QueueSubscription.StartAsync(connection, names.MarksQueue(nodeId), QueueArguments(connection), [(names.Marks, "")], handler,
            connection.LoggerFactory.CreateLogger<MarksSubscriber>(), Hint(nodeId), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Declares the node's queue and binds it to the marks exchange without consuming: from now on it collects what is
    /// published (at most <see cref="RabbitMqOptions.MarksQueueMaxLength"/>, in the broker) until <see cref="StartAsync"/>,
    /// on the same connection, takes it. A node declares it before its engine reads its stored state, so that nothing
    /// published after that read is missed.
    /// </summary>
    public static async Task DeclareAsync(RabbitMqConnection connection, string nodeId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        var names = connection.Names;
        var channel = await connection.CreateChannelAsync(publisherConfirms: false, cancellationToken).ConfigureAwait(false);
        await using (channel.ConfigureAwait(false))
        {
            try
            {
                await channel.QueueDeclareAsync(names.MarksQueue(nodeId), durable: false, exclusive: true, autoDelete: true, QueueArguments(connection),
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                await channel.QueueBindAsync(names.MarksQueue(nodeId), names.Marks, "", cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason is { ReplyCode: 404 or 405 or 406 })
            {
                throw new TopologyConflictException($"Could not subscribe '{names.MarksQueue(nodeId)}' to '{names.Marks}': {e.ShutdownReason.ReplyText} ({Hint(nodeId)}).", e);
            }
        }
    }

    private static Dictionary<string, object?> QueueArguments(RabbitMqConnection connection) => new() { ["x-max-length"] = connection.Options.MarksQueueMaxLength };

    private static string Hint(string nodeId) => $"is the topology declared, and is node id '{nodeId}' unique?";

    /// <summary>Stops taking marks and closes the channel (the exclusive queue goes with the connection).</summary>
    public ValueTask DisposeAsync() => _subscription.DisposeAsync();
}
