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
        var arguments = new Dictionary<string, object?> { ["x-max-length"] = connection.Options.MarksQueueMaxLength };
        return new MarksSubscriber(await QueueSubscription.StartAsync(connection, names.MarksQueue(nodeId), arguments, [(names.Marks, "")], handler,
            connection.LoggerFactory.CreateLogger<MarksSubscriber>(), $"is the topology declared, and is node id '{nodeId}' unique?", cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Stops taking marks and closes the channel (the exclusive queue goes with the connection).</summary>
    public ValueTask DisposeAsync() => _subscription.DisposeAsync();
}
