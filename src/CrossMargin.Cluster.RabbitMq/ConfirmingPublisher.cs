using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// Publishes with publisher confirms on every message: a publish completes only once the broker has taken
/// responsibility for the message (persistent, so written to the quorum queue's log), and fails with a
/// <see cref="PublishFailedException"/> on a nack, a return (mandatory and unroutable), a missing exchange or a
/// confirm time-out. Through a lost connection it retries with exponential back-off until the connection is back
/// (or <see cref="RabbitMqOptions.PublishRetryTimeout"/> passes): a retry after a lost confirm can duplicate a message,
/// which the receiver drops by message id. Safe to use from many threads at once; many publishes in flight is how it
/// reaches the broker's rate.
/// </summary>
public sealed class ConfirmingPublisher : IAsyncDisposable
{
    private readonly RabbitMqConnection _connection;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _channelLock = new(1, 1);
    private readonly Random _jitter = new(Environment.ProcessId);
    private IChannel _channel;
    private int _disposed;

    private ConfirmingPublisher(RabbitMqConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
        _logger = connection.LoggerFactory.CreateLogger<ConfirmingPublisher>();
    }

    /// <summary>The RabbitMQ user its connection logs in as: the only <see cref="PublishOptions.UserId"/> the broker lets it publish under.</summary>
    public string UserName => _connection.UserName;

    /// <summary>Opens a confirming channel on <paramref name="connection"/>.</summary>
    public static async Task<ConfirmingPublisher> CreateAsync(RabbitMqConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var channel = await connection.CreateChannelAsync(publisherConfirms: true, cancellationToken).ConfigureAwait(false);
        return new ConfirmingPublisher(connection, channel);
    }

    /// <summary>
    /// Publishes <paramref name="body"/> persistently with <paramref name="messageId"/> and <paramref name="type"/> set,
    /// and waits for the broker's confirm.
    /// </summary>
    /// <exception cref="PublishFailedException">Nacked, unroutable (mandatory), missing exchange, or no confirm within the time-outs.</exception>
    public async Task PublishAsync(
        string exchange,
        string routingKey,
        ReadOnlyMemory<byte> body,
        string messageId,
        string type,
        PublishOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(routingKey);
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        ArgumentException.ThrowIfNullOrEmpty(type);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        options ??= PublishOptions.Default;
        var properties = new BasicProperties
        {
            Persistent = true,
            MessageId = messageId,
            Type = type,
            ContentType = "application/json",
            CorrelationId = options.CorrelationId,
            ReplyTo = options.ReplyTo,
            UserId = options.UserId,
            Expiration = options.Expiration is { } ttl ? ((long)Math.Ceiling(ttl.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) : null,
            Headers = options.Headers is null ? null : new Dictionary<string, object?>(options.Headers, StringComparer.Ordinal),
        };

        var settings = _connection.Options;
        var started = Stopwatch.StartNew();
        var delay = settings.ReconnectBackoffMin;
        for (var attempt = 1; ; attempt++)
        {
            Exception failure;
            using (var confirm = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                confirm.CancelAfter(settings.ConfirmTimeout);
                try
                {
                    var channel = await ChannelAsync(confirm.Token).ConfigureAwait(false);
                    await channel.BasicPublishAsync(exchange, routingKey, options.Mandatory, properties, body, confirm.Token).ConfigureAwait(false);
                    return;
                }
                catch (PublishException e) when (e.IsReturn)
                {
                    throw new PublishFailedException(PublishFailure.Unroutable, exchange, routingKey, messageId, "no queue is bound to receive it (basic.return)", e);
                }
                catch (PublishException e)
                {
                    throw new PublishFailedException(PublishFailure.Nacked, exchange, routingKey, messageId, "the broker nacked it", e);
                }
                catch (OperationInterruptedException e) when (IsMissingExchange(e, exchange))
                {
                    throw new PublishFailedException(PublishFailure.ExchangeNotFound, exchange, routingKey, messageId, e.ShutdownReason?.ReplyText ?? "NOT_FOUND", e);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = new TimeoutException($"No confirm within {settings.ConfirmTimeout}.", e);
                }
                catch (Exception e) when (e is OperationInterruptedException or BrokerUnreachableException or IOException or ObjectDisposedException)
                {
                    failure = e;
                }
            }

            if (!options.RetryThroughOutage || started.Elapsed + delay > settings.PublishRetryTimeout)
            {
                throw new PublishFailedException(PublishFailure.Timeout, exchange, routingKey, messageId,
                    $"not confirmed after {attempt} attempt(s) in {started.Elapsed.TotalSeconds:F1} s: {failure.Message}", failure);
            }

            _logger.LogDebug(failure, "Publish of {MessageId} to {Exchange} attempt {Attempt} failed; retrying in {Delay}", messageId, exchange, attempt, delay);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = NextDelay(delay, settings);
        }
    }

    /// <summary>
    /// Answers a request delivered with a reply-to address and a correlation id (a query or pre-trade check). Not
    /// mandatory: an asker that has gone away (timed out, restarted) simply never sees the answer.
    /// </summary>
    public Task ReplyAsync(string replyTo, string correlationId, ReadOnlyMemory<byte> body, string messageId, string type, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(replyTo);
        ArgumentException.ThrowIfNullOrEmpty(correlationId);
        return PublishAsync("", replyTo, body, messageId, type, new PublishOptions { Mandatory = false, CorrelationId = correlationId, RetryThroughOutage = false }, cancellationToken);
    }

    /// <summary>Closes the channel.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (_channel.IsOpen)
            {
                await _channel.CloseAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or OperationCanceledException)
        {
            _logger.LogDebug(e, "Closing the publisher channel failed; it is gone either way");
        }

        await _channel.DisposeAsync().ConfigureAwait(false);
        _channelLock.Dispose();
    }

    // A channel the broker closed for a channel-level error (a publish to a missing exchange) is not recovered by the
    // client, so it is replaced; one closed with the connection is left to the connection's recovery.
    private async ValueTask<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        var channel = _channel;
        if (channel.IsOpen || !IsChannelLevelError(channel.CloseReason))
        {
            return channel;
        }

        await _channelLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (ReferenceEquals(channel, _channel))
            {
                _channel = await _connection.CreateChannelAsync(publisherConfirms: true, cancellationToken).ConfigureAwait(false);
                await channel.DisposeAsync().ConfigureAwait(false);
            }

            return _channel;
        }
        finally
        {
            _channelLock.Release();
        }
    }

    private static bool IsChannelLevelError(RabbitMQ.Client.Events.ShutdownEventArgs? reason) =>
        reason is { Initiator: ShutdownInitiator.Peer, ReplyCode: 311 or 313 or 403 or 404 or 405 or 406 };

    // Another publish's missing exchange closes the channel for everyone on it: only the one whose exchange the
    // broker named fails for good; the others are retried on a fresh channel.
    private static bool IsMissingExchange(OperationInterruptedException e, string exchange) =>
        e.ShutdownReason is { ReplyCode: 404 } reason
        && reason.ReplyText.Contains($"exchange '{exchange}'", StringComparison.Ordinal);

    private TimeSpan NextDelay(TimeSpan delay, RabbitMqOptions settings)
    {
        var doubled = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, settings.ReconnectBackoffMax.Ticks));
        double factor;
        lock (_jitter)
        {
            factor = 0.8 + (_jitter.NextDouble() * 0.4);
        }

        return TimeSpan.FromTicks((long)(doubled.Ticks * factor));
    }
}
