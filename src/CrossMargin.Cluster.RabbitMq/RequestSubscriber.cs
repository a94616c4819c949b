using Microsoft.Extensions.Logging;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// A node's subscription to cluster-wide queries on the requests exchange (<see cref="TopologyNames.Requests"/>): its
/// own queue (<c>{prefix}.requests.{nodeId}</c>), exclusive to the node's connection and deleted with it, bound with
/// the query names the node answers. Queries are auto-acked: one that finds no node alive has nobody to answer it
/// and expires with its TTL; the asker collects whatever came within its window.
/// </summary>
public sealed class RequestSubscriber : IAsyncDisposable
{
    private readonly QueueSubscription _subscription;

    private RequestSubscriber(QueueSubscription subscription) => _subscription = subscription;

    /// <summary>How long <see cref="DisposeAsync"/> waits for the channel to close before leaving it to the connection.</summary>
    public static TimeSpan CloseTimeout => QueueSubscription.CloseTimeout;

    /// <summary>Declares the node's queue, binds it to the requests exchange under <paramref name="keys"/> and hands every query to <paramref name="handler"/>.</summary>
    public static async Task<RequestSubscriber> StartAsync(
        RabbitMqConnection connection, string nodeId, IReadOnlyCollection<string> keys, Func<ReceivedMessage, Task> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(handler);
        var names = connection.Names;
        return new RequestSubscriber(await QueueSubscription.StartAsync(connection, names.RequestsQueue(nodeId), null,
            keys.Select(k => (names.Requests, k)).ToArray(), handler, connection.LoggerFactory.CreateLogger<RequestSubscriber>(),
            $"is the topology declared, and is node id '{nodeId}' unique?", cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Stops answering (queries still queued are dropped: a query can take its collect window and a reply's confirm, and
    /// answering a backlog held a node's stop for minutes) and closes the channel, waiting at most <see cref="CloseTimeout"/>.
    /// </summary>
    public ValueTask DisposeAsync() => _subscription.DisposeAsync();
}
