using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// A node's subscription to cluster-wide queries on the requests exchange (<see cref="TopologyNames.Requests"/>): its
/// own queue (<c>{prefix}.requests.{nodeId}</c>), exclusive to the node's connection and deleted with it, bound with
/// the query names the node answers. Queries are auto-acked: one that finds no node alive has nobody to answer it
/// and expires with its TTL; the asker collects whatever came within its window.
/// </summary>
/// <remarks>
/// Queries are answered side by side, each as it arrives. A query's answer takes a collect window of its own (the
/// accounts asked answer within it), and the asker waits only its window: answered one at a time, a crash's hundred
/// auto-deleverage queries were answered a window apart, every one after the first too late for its asker, and the
/// rounds found no counterparty on any node but the coordinator's.
/// </remarks>
public sealed class RequestSubscriber : IAsyncDisposable
{
    private readonly QueueSubscription _subscription;
    private readonly ConcurrentDictionary<Task, byte> _answering;

    private RequestSubscriber(QueueSubscription subscription, ConcurrentDictionary<Task, byte> answering)
    {
        _subscription = subscription;
        _answering = answering;
    }

    /// <summary>How long <see cref="DisposeAsync"/> waits for the channel to close, and then for the queries being answered, before leaving them.</summary>
    public static TimeSpan CloseTimeout => QueueSubscription.CloseTimeout;

    /// <summary>
    /// Declares the node's queue, binds it to the requests exchange under <paramref name="keys"/> and hands every query to
    /// <paramref name="handler"/>, without waiting for the queries before it to be answered.
    /// </summary>
    public static async Task<RequestSubscriber> StartAsync(
        RabbitMqConnection connection, string nodeId, IReadOnlyCollection<string> keys, Func<ReceivedMessage, Task> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(handler);
        var names = connection.Names;
        var queue = names.RequestsQueue(nodeId);
        var logger = connection.LoggerFactory.CreateLogger<RequestSubscriber>();
        var answering = new ConcurrentDictionary<Task, byte>();
        Task Dispatch(ReceivedMessage message)
        {
            var answer = AnswerAsync(handler, message, logger, queue);
            if (!answer.IsCompleted)
            {
                answering.TryAdd(answer, 0);
                _ = answer.ContinueWith(done => answering.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            return Task.CompletedTask;
        }

        var subscription = await QueueSubscription.StartAsync(connection, queue, null, keys.Select(k => (names.Requests, k)).ToArray(), Dispatch, logger,
            $"is the topology declared, and is node id '{nodeId}' unique?", cancellationToken).ConfigureAwait(false);
        return new RequestSubscriber(subscription, answering);
    }

    /// <summary>
    /// Stops answering (queries still queued are dropped) and closes the channel, waiting at most <see cref="CloseTimeout"/>
    /// for it and as long again for the queries being answered to finish.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _subscription.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_answering.Keys).WaitAsync(CloseTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Left to finish or fail on their own: each logs its own failure.
        }
    }

    private static async Task AnswerAsync(Func<ReceivedMessage, Task> handler, ReceivedMessage message, ILogger logger, string queue)
    {
        // Off the consumer's dispatch: the next query is handed over while this one waits out its window.
        await Task.Yield();
        try
        {
            await handler(message).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // One query the handler cannot answer must not end the subscription nor go unobserved.
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogError(e, "Handler of {Queue} failed on query {MessageId} ({Type})", queue, message.MessageId, message.Type);
        }
    }
}
