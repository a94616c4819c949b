using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// A delivery's way through: handed to the handler, then acked, requeued or dead-lettered by how the handler ended and
/// how many attempts it has had.
/// </summary>
public sealed partial class ShardConsumer
{
    private Task OnReceivedAsync(object sender, BasicDeliverEventArgs args)
    {
        lock (_gate)
        {
            if (_stopping)
            {
                // Arrived between cancel and cancel-ok: not handled, and returned with the unsettled ones, in delivery order.
                _unsettled.Add(args.DeliveryTag);
                return Task.CompletedTask;
            }

            _inFlight++;
            _unsettled.Add(args.DeliveryTag);
        }

        var properties = args.BasicProperties;
        var returned = Math.Max(DeliveryCount(properties.Headers), FailuresOf(properties.MessageId));
        var delivery = new ShardDelivery
        {
            // The client reuses the body's buffer once this callback returns; the handler outlives it.
            Body = args.Body.ToArray(),
            MessageId = properties.MessageId,
            Type = properties.Type,
            UserId = properties.UserId,
            AccountId = args.RoutingKey,
            Shard = Shard,
            Redelivered = args.Redelivered,
            Attempt = returned >= int.MaxValue - 1 ? int.MaxValue : (int)returned + 1,
            CorrelationId = properties.CorrelationId,
            ReplyTo = properties.ReplyTo,
        };

        Task handled;
        try
        {
            handled = _handler(delivery, _abort.Token);
        }
        catch (Exception e)
        {
            handled = Task.FromException(e);
        }

        _ = CompleteAsync(handled, args.DeliveryTag, delivery, args.Exchange);
        return Task.CompletedTask;
    }

    private async Task CompleteAsync(Task handled, ulong deliveryTag, ShardDelivery delivery, string exchange)
    {
        try
        {
            try
            {
                await handled.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                await FailAsync(deliveryTag, delivery, exchange, e).ConfigureAwait(false);
                return;
            }

            lock (_gate)
            {
                // A stop may have returned it already (its handler ignored the cancellation): acking that tag now
                // would be an unknown delivery tag to the broker, which closes the channel.
                if (!_unsettled.Contains(deliveryTag))
                {
                    return;
                }

                _done.Add(deliveryTag);
                if (_failures.Count > 0 && delivery.MessageId is { } succeeded)
                {
                    _failures.Remove(succeeded);
                }
            }

            await AckDoneAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Nobody awaits this task: whatever escapes is logged, and the unacked delivery comes back.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _logger.LogError(e, "Shard {Shard}: settling message {MessageId} failed; the broker redelivers it", Shard, delivery.MessageId);
        }
        finally
        {
            lock (_gate)
            {
                _inFlight--;
                if (_stopping && _inFlight == 0)
                {
                    _drained.TrySetResult();
                }
            }
        }
    }

    private async Task FailAsync(ulong deliveryTag, ShardDelivery delivery, string exchange, Exception error)
    {
        if (error is OperationCanceledException && (_abort.IsCancellationRequested || IsStopping))
        {
            return; // Given up by stop: returned with the other unsettled deliveries, in delivery order.
        }

        var reason = $"{error.GetType().FullName}: {error.Message}";
        if (delivery.Attempt >= _connection.Options.MaxDeliveryAttempts)
        {
            try
            {
                await DeadLetterAsync(delivery, exchange, reason).ConfigureAwait(false);
                CountFailure(delivery.MessageId, settled: true);
                if (await SettleAsync(deliveryTag, c => c.BasicAckAsync(deliveryTag, multiple: false)).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref _deadLettered);
                    _logger.LogError(error, "Shard {Shard}: message {MessageId} for {Account} failed {Attempts} times; sent to the dead-letter queue", Shard, delivery.MessageId, delivery.AccountId, delivery.Attempt);
                }

                await AckDoneAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is PublishFailedException or OperationInterruptedException or BrokerUnreachableException or IOException or ObjectDisposedException)
            {
                _logger.LogError(e, "Shard {Shard}: dead-lettering message {MessageId} failed; requeueing it", Shard, delivery.MessageId);
            }
        }

        CountFailure(delivery.MessageId, settled: false);
        _logger.LogWarning(error, "Shard {Shard}: handler failed on message {MessageId} (attempt {Attempt} of {Max}); requeueing it", Shard, delivery.MessageId, delivery.Attempt, _connection.Options.MaxDeliveryAttempts);
        if (await SettleAsync(deliveryTag, c => c.BasicNackAsync(deliveryTag, multiple: false, requeue: true)).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _requeued);
        }

        // The deliveries after it that succeeded meanwhile may now be acked in one.
        await AckDoneAsync().ConfigureAwait(false);
    }

    private async Task DeadLetterAsync(ShardDelivery delivery, string exchange, string reason)
    {
        var publisher = await _connection.DeadLetterPublisherAsync(CancellationToken.None).ConfigureAwait(false);
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [TransportHeaders.FailureReason] = reason.Length > 2000 ? reason[..2000] : reason,
            [TransportHeaders.Attempts] = delivery.Attempt,
            [TransportHeaders.SourceQueue] = QueueName,
            [TransportHeaders.OriginalRoutingKey] = delivery.AccountId,
            ["x-cm-original-exchange"] = exchange,
        };
        await publisher.PublishAsync(
            _connection.Names.DeadLetter,
            QueueName,
            delivery.Body,
            delivery.MessageId ?? Guid.NewGuid().ToString("N"),
            delivery.Type ?? "unknown",
            new PublishOptions { Headers = headers },
            CancellationToken.None).ConfigureAwait(false);
    }

    private long FailuresOf(string? messageId)
    {
        if (!_countsFailures)
        {
            return 0;
        }

        lock (_gate)
        {
            return _failures.Count > 0 && messageId is not null && _failures.TryGetValue(messageId, out var failures) ? failures : 0;
        }
    }

    private void CountFailure(string? messageId, bool settled)
    {
        if (!_countsFailures || messageId is null)
        {
            return;
        }

        lock (_gate)
        {
            if (settled)
            {
                _failures.Remove(messageId);
            }
            else
            {
                _failures[messageId] = _failures.GetValueOrDefault(messageId) + 1;
            }
        }
    }

    private static long DeliveryCount(IDictionary<string, object?>? headers)
    {
        if (headers is null || !headers.TryGetValue(TransportHeaders.DeliveryCount, out var value) || value is null)
        {
            return 0;
        }

        // The broker writes a number; anything else (a publisher's own header of that name) counts as a first attempt.
        return value switch
        {
            long number => Math.Max(number, 0),
            int number => Math.Max(number, 0),
            short number => Math.Max((int)number, 0),
            byte number => number,
            byte[] text when long.TryParse(Encoding.UTF8.GetString(text), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => Math.Max(parsed, 0),
            _ => 0,
        };
    }
}
