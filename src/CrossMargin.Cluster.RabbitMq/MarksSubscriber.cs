using Microsoft.Extensions.Logging;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// A node's subscription to the marks fanout exchange: its own queue (<c>{prefix}.marks.{nodeId}</c>), exclusive to
/// the node's connection and deleted with it, so a dead node leaves no queue filling up. Marks conflate (only the
/// latest per instrument matters), so deliveries are auto-acked and the queue keeps at most
/// <see cref="RabbitMqOptions.MarksQueueMaxLength"/>, dropping the oldest; after a reconnect the client's recovery
/// re-declares the queue, its binding and the consumer, and the next marks bring the node up to date.
/// <para>
/// Beside it, the node's queue on the index overrides exchange (<c>{prefix}.index-overrides.{nodeId}</c>, same
/// lifetime): an operator's override does not conflate and must not go with the oldest marks when a flood of them
/// overflows the marks queue, so it has a queue that drops nothing (at most <see cref="IndexOverridesQueueMaxLength"/>,
/// beyond which the broker refuses the publish, which its publisher sees, rather than dropping one).
/// </para>
/// </summary>
public sealed class MarksSubscriber : IAsyncDisposable
{
    /// <summary>
    /// The most overrides a node's index overrides queue holds: a backstop against a publisher gone wrong (overrides are an
    /// operator's, minutes apart), past which a publish is refused (<c>reject-publish</c>), never an override dropped.
    /// </summary>
    public const int IndexOverridesQueueMaxLength = 10_000;

    private readonly QueueSubscription _subscription;
    private readonly QueueSubscription? _overrides;

    private MarksSubscriber(QueueSubscription subscription, QueueSubscription? overrides)
    {
        _subscription = subscription;
        _overrides = overrides;
    }

    /// <summary>The node's marks queue.</summary>
    public string QueueName => _subscription.QueueName;

    /// <summary>The node's index overrides queue; null when only marks are taken.</summary>
    public string? IndexOverridesQueueName => _overrides?.QueueName;

    /// <summary>Declares the node's queue, binds it to the marks exchange and hands every mark to <paramref name="handler"/>, one at a time.</summary>
    public static async Task<MarksSubscriber> StartAsync(RabbitMqConnection connection, string nodeId, Func<ReceivedMessage, Task> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        ArgumentNullException.ThrowIfNull(handler);
        return new MarksSubscriber(await StartMarksAsync(connection, nodeId, handler, cancellationToken).ConfigureAwait(false), null);
    }

    /// <summary>
    /// Takes the node's marks queue as <see cref="StartAsync(RabbitMqConnection, string, Func{ReceivedMessage, Task}, CancellationToken)"/>
    /// does, and its index overrides queue, handing each override to <paramref name="indexOverrides"/>, one at a time
    /// (alongside the marks).
    /// </summary>
    public static async Task<MarksSubscriber> StartAsync(RabbitMqConnection connection, string nodeId, Func<ReceivedMessage, Task> handler,
        Func<ReceivedMessage, Task> indexOverrides, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(indexOverrides);
        var names = connection.Names;
        var overrides = await QueueSubscription.StartAsync(connection, names.IndexOverridesQueue(nodeId), IndexOverridesQueueArguments(), [(names.IndexOverrides, "")],
            indexOverrides, connection.LoggerFactory.CreateLogger<MarksSubscriber>(), Hint(nodeId), cancellationToken).ConfigureAwait(false);
        try
        {
            return new MarksSubscriber(await StartMarksAsync(connection, nodeId, handler, cancellationToken).ConfigureAwait(false), overrides);
        }
        catch
        {
            await overrides.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static Task<QueueSubscription> StartMarksAsync(RabbitMqConnection connection, string nodeId, Func<ReceivedMessage, Task> handler, CancellationToken cancellationToken) =>
        QueueSubscription.StartAsync(connection, connection.Names.MarksQueue(nodeId), QueueArguments(connection), [(connection.Names.Marks, "")], handler,
            connection.LoggerFactory.CreateLogger<MarksSubscriber>(), Hint(nodeId), cancellationToken);

    /// <summary>
    /// Declares the node's marks and index overrides queues and binds them to their exchanges without consuming: from now
    /// on they collect what is published (marks at most <see cref="RabbitMqOptions.MarksQueueMaxLength"/>, in the broker)
    /// until <see cref="StartAsync(RabbitMqConnection, string, Func{ReceivedMessage, Task}, Func{ReceivedMessage, Task}, CancellationToken)"/>,
    /// on the same connection, takes them. A node declares them before its engine reads its stored state, so that nothing
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
            var (queue, exchange) = (names.IndexOverridesQueue(nodeId), names.IndexOverrides);
            try
            {
                await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true, IndexOverridesQueueArguments(),
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                await channel.QueueBindAsync(queue, exchange, "", cancellationToken: cancellationToken).ConfigureAwait(false);
                (queue, exchange) = (names.MarksQueue(nodeId), names.Marks);
                await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true, QueueArguments(connection),
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                await channel.QueueBindAsync(queue, exchange, "", cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason is { ReplyCode: 404 or 405 or 406 })
            {
                throw new TopologyConflictException($"Could not subscribe '{queue}' to '{exchange}': {e.ShutdownReason.ReplyText} ({Hint(nodeId)}).", e);
            }
        }
    }

    private static Dictionary<string, object?> QueueArguments(RabbitMqConnection connection) => new() { ["x-max-length"] = connection.Options.MarksQueueMaxLength };

    private static Dictionary<string, object?> IndexOverridesQueueArguments() =>
        new() { ["x-max-length"] = IndexOverridesQueueMaxLength, ["x-overflow"] = "reject-publish" };

    private static string Hint(string nodeId) => $"is the topology declared, and is node id '{nodeId}' unique?";

    /// <summary>Stops taking marks and overrides and closes the channels (the exclusive queues go with the connection).</summary>
    public async ValueTask DisposeAsync()
    {
        await _subscription.DisposeAsync().ConfigureAwait(false);
        if (_overrides is not null)
        {
            await _overrides.DisposeAsync().ConfigureAwait(false);
        }
    }
}
