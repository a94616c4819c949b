using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// Request/reply over AMQP for queries and pre-trade checks: requests carry a correlation id, the connection's user as
/// <c>user_id</c> and this node's reply queue (<c>{prefix}.reply.{nodeId}</c>, exclusive, deleted with the connection);
/// the answer is matched by correlation id, and an unanswered request fails with a <see cref="TimeoutException"/>. The
/// request's TTL equals its time-out, so a request nobody waits for any more is dropped by the broker rather than
/// answered. A pre-trade check is published to the accounts exchange (routing key = account id), so it reaches the
/// account's owner behind the executions before it; a cluster-wide query goes to the requests exchange. A per-node
/// reply queue rather than direct reply-to (<c>amq.rabbitmq.reply-to</c>): direct reply-to ties requests to the
/// consuming channel and does not survive a
/// reconnect, while a named queue is re-declared by the connection's recovery.
/// </summary>
public sealed class RequestClient : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly ConfirmingPublisher _publisher;
    private readonly ConcurrentDictionary<string, Action<ReceivedMessage>> _pending = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly string _userName;

    private RequestClient(IChannel channel, ConfirmingPublisher publisher, string replyQueue, string userName, ILogger logger)
    {
        _userName = userName;
        _channel = channel;
        _publisher = publisher;
        ReplyQueue = replyQueue;
        _logger = logger;
    }

    /// <summary>This node's reply queue.</summary>
    public string ReplyQueue { get; }

    /// <summary>Declares the node's reply queue and starts listening for answers.</summary>
    public static async Task<RequestClient> StartAsync(RabbitMqConnection connection, string nodeId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        var logger = connection.LoggerFactory.CreateLogger<RequestClient>();
        var queue = connection.Names.ReplyQueue(nodeId);
        var channel = await connection.CreateChannelAsync(publisherConfirms: false, cancellationToken).ConfigureAwait(false);
        ConfirmingPublisher? publisher = null;
        try
        {
            await channel.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true, arguments: null, cancellationToken: cancellationToken).ConfigureAwait(false);
            publisher = await ConfirmingPublisher.CreateAsync(connection, cancellationToken).ConfigureAwait(false);
            var client = new RequestClient(channel, publisher, queue, connection.UserName, logger);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += client.OnReplyAsync;
            await channel.BasicConsumeAsync(queue, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason is { ReplyCode: 405 or 406 })
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            if (publisher is not null)
            {
                await publisher.DisposeAsync().ConfigureAwait(false);
            }

            throw new TopologyConflictException($"Could not declare reply queue '{queue}': {e.ShutdownReason.ReplyText} (is node id '{nodeId}' unique?).", e);
        }
    }

    /// <summary>Publishes a request and waits for its answer.</summary>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>.</exception>
    /// <exception cref="PublishFailedException">The request itself could not be published.</exception>
    public async Task<ReceivedMessage> RequestAsync(
        string exchange,
        string routingKey,
        ReadOnlyMemory<byte> body,
        string messageId,
        string type,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        var answer = await SendAsync(exchange, routingKey, body, messageId, type, timeout, expires: true, cancellationToken).ConfigureAwait(false);
        return await answer.ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes a request and returns, once the broker has confirmed it, the task of its answer (which fails with a
    /// <see cref="TimeoutException"/> after <paramref name="timeout"/>): a caller that must keep its requests in order
    /// awaits each publish before the next and the answers together. Without <paramref name="expires"/> the request
    /// has no TTL: it waits in its queue however long (a command that must reach its target even after the asker gave
    /// up on the answer).
    /// </summary>
    /// <exception cref="PublishFailedException">The request could not be published.</exception>
    public async Task<Task<ReceivedMessage>> SendAsync(
        string exchange,
        string routingKey,
        ReadOnlyMemory<byte> body,
        string messageId,
        string type,
        TimeSpan timeout,
        bool expires,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        var correlationId = Guid.NewGuid().ToString("N");
        var answer = new TaskCompletionSource<ReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[correlationId] = m => answer.TrySetResult(m);
        try
        {
            // Signed with the connection's user: a shard owner takes the coordinator's commands only from its own user.
            var options = new PublishOptions
            {
                CorrelationId = correlationId, ReplyTo = ReplyQueue, Expiration = expires ? timeout : null, RetryThroughOutage = !expires, UserId = _userName,
            };
            await _publisher.PublishAsync(exchange, routingKey, body, messageId, type, options, cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            // The wait gave up, not the publish: a slow confirm on a loaded broker. Say which request, as the answer's
            // own timeout does, and that it may still arrive (its answer is then dropped).
            _pending.TryRemove(correlationId, out _);
            throw new TimeoutException(
                $"Request '{messageId}' ({type}) sent to '{exchange}' with routing key '{routingKey}' was not confirmed by the broker within {timeout}; it may still be delivered, its answer is dropped.", e);
        }
        catch
        {
            _pending.TryRemove(correlationId, out _);
            throw;
        }

        return AwaitAnswerAsync(answer.Task, correlationId, exchange, routingKey, messageId, type, timeout, cancellationToken);
    }

    /// <summary>
    /// Publishes a query that several nodes answer (the requests exchange) and returns every answer that came within
    /// <paramref name="window"/>; none is not an error. The query expires with the window. Each answer is also handed
    /// to <paramref name="onAnswer"/> as it arrives (on the reply consumer's thread: keep it short), for an asker whose
    /// own deadline is nearer than the window's end.
    /// </summary>
    /// <exception cref="PublishFailedException">The query could not be published.</exception>
    public async Task<IReadOnlyList<ReceivedMessage>> CollectAsync(
        string exchange,
        string routingKey,
        ReadOnlyMemory<byte> body,
        string messageId,
        string type,
        TimeSpan window,
        Action<ReceivedMessage>? onAnswer = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        var correlationId = Guid.NewGuid().ToString("N");
        var answers = new ConcurrentQueue<ReceivedMessage>();
        _pending[correlationId] = answer =>
        {
            answers.Enqueue(answer);
            onAnswer?.Invoke(answer);
        };
        try
        {
            var options = new PublishOptions
            {
                CorrelationId = correlationId, ReplyTo = ReplyQueue, Expiration = window, RetryThroughOutage = false, Mandatory = false, UserId = _userName,
            };
            await _publisher.PublishAsync(exchange, routingKey, body, messageId, type, options, cancellationToken).ConfigureAwait(false);
            await Task.Delay(window, cancellationToken).ConfigureAwait(false);
            return answers.ToArray();
        }
        finally
        {
            _pending.TryRemove(correlationId, out _);
        }
    }

    private async Task<ReceivedMessage> AwaitAnswerAsync(
        Task<ReceivedMessage> answer, string correlationId, string exchange, string routingKey, string messageId, string type, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await answer.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"No answer to request '{messageId}' ({type}) sent to '{exchange}' with routing key '{routingKey}' within {timeout}.", e);
        }
        finally
        {
            _pending.TryRemove(correlationId, out _);
        }
    }

    /// <summary>Stops listening; pending requests time out.</summary>
    public async ValueTask DisposeAsync()
    {
        await _publisher.DisposeAsync().ConfigureAwait(false);
        try
        {
            if (_channel.IsOpen)
            {
                await _channel.CloseAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or OperationCanceledException)
        {
            _logger.LogDebug(e, "Closing the reply channel failed; it is gone either way");
        }

        await _channel.DisposeAsync().ConfigureAwait(false);
    }

    private Task OnReplyAsync(object sender, BasicDeliverEventArgs args)
    {
        var correlationId = args.BasicProperties.CorrelationId;
        if (correlationId is not null && _pending.TryGetValue(correlationId, out var answer))
        {
            answer(new ReceivedMessage(args.Body.ToArray(), args.BasicProperties.MessageId, args.BasicProperties.Type));
        }
        else
        {
            _logger.LogDebug("Reply {CorrelationId} came after its request timed out; dropped", correlationId);
        }

        return Task.CompletedTask;
    }
}
