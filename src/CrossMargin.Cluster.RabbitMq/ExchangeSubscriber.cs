using Microsoft.Extensions.Logging;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// A listener on outbound exchanges, as a venue binds one: a queue of its own, exclusive to the connection and deleted
/// with it, bound with <c>#</c> to each exchange, auto-acked. For consumers that can afford to miss what was published
/// while they were away (the market simulator's matching stand-in: an unfilled liquidation order is re-planned by the
/// coordinator); a venue that must not miss a fact binds a durable queue of its own instead.
/// </summary>
public sealed class ExchangeSubscriber : IAsyncDisposable
{
    private readonly QueueSubscription _subscription;

    private ExchangeSubscriber(QueueSubscription subscription) => _subscription = subscription;

    /// <summary>The subscriber's queue.</summary>
    public string QueueName => _subscription.QueueName;

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
        return new ExchangeSubscriber(await QueueSubscription.StartAsync(connection, queueName, null, exchanges.Select(e => (e, "#")).ToArray(), handler,
            connection.LoggerFactory.CreateLogger<ExchangeSubscriber>(), "is the topology declared?", cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Stops handling and closes the channel (the exclusive queue goes with it when the connection closes).</summary>
    public ValueTask DisposeAsync() => _subscription.DisposeAsync();
}
