using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// Stopping: in phases when asked (<see cref="StopAsync"/>), returning what is unsettled to the queue in delivery
/// order; and when the broker takes the consumer or its channel away.
/// </summary>
public sealed partial class ShardConsumer
{
    // Small enough that the broker puts each batch of returns back in order (see AwaitReturnsAppliedAsync).
    private const int ReturnBatch = 16;

    private static readonly TimeSpan ReturnPauseWithConsumer = TimeSpan.FromMilliseconds(20);

    private async Task StopInPhasesAsync()
    {
        var options = _connection.Options;
        // Each RPC below is also bounded by WaitAsync: the client (7.1) does not end an RPC whose reply never comes when
        // its token is cancelled, only at its own continuation timeout (20 s) or when the connection is found dead, so
        // against a broker that stopped answering a stop took 40 s, not the 2 s its options allow.
        try
        {
            using var cancelTimeout = new CancellationTokenSource(options.ConsumerCancelTimeout);
            await _channel.BasicCancelAsync(_consumerTag, noWait: false, cancelTimeout.Token).WaitAsync(options.ConsumerCancelTimeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationInterruptedException or OperationCanceledException or IOException or TimeoutException)
        {
            _logger.LogWarning(e, "Shard {Shard}: cancelling the consumer failed; closing the channel stops it anyway", Shard);
        }

        try
        {
            await _drained.Task.WaitAsync(options.HandlerDrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Shard {Shard}: {InFlight} handler(s) still running after {Timeout}; cancelling them, their deliveries go back to the queue", Shard, InFlight, options.HandlerDrainTimeout);
            await _abort.CancelAsync().ConfigureAwait(false);
        }

        await ReturnUnsettledInOrderAsync().ConfigureAwait(false);

        try
        {
            using var closeTimeout = new CancellationTokenSource(options.ChannelCloseTimeout);
            if (_channel.IsOpen)
            {
                // Close under the ack lock so no ack is half-written when the channel goes.
                await _ackLock.WaitAsync(closeTimeout.Token).ConfigureAwait(false);
                try
                {
                    await _channel.CloseAsync(closeTimeout.Token).WaitAsync(options.ChannelCloseTimeout).ConfigureAwait(false);
                }
                finally
                {
                    _ackLock.Release();
                }
            }
        }
        catch (Exception e) when (e is OperationInterruptedException or OperationCanceledException or IOException or TimeoutException)
        {
            _logger.LogWarning(e, "Shard {Shard}: closing the channel failed or timed out", Shard);
        }

        _logger.LogInformation("Stopped consuming shard {Shard}: {Acked} acked, {Requeued} requeued, {DeadLettered} dead-lettered", Shard, Acknowledged, Requeued, DeadLettered);
        _completion.TrySetResult(null);
    }

    // Acks and nacks for a channel that has gone (stopped, or lost with the connection) are dropped: the broker has
    // requeued those deliveries already, and they come back flagged as redelivered.
    // Closing the channel would return these too, but then in no particular order (see AwaitReturnsAppliedAsync), and
    // the shard's next owner would see an account's later message before an earlier one.
    private async Task ReturnUnsettledInOrderAsync()
    {
        await _ackLock.WaitAsync().ConfigureAwait(false);
        try
        {
            ulong[] tags;
            ulong last;
            int run;
            List<ulong>? singles;
            lock (_gate)
            {
                // Deliveries whose handler succeeded are acked, not returned: their effects are durable.
                (last, run, singles) = TakeDoneLocked(all: true);
                tags = _unsettled.ToArray();
                _unsettled.Clear();
            }

            if (!_channel.IsOpen)
            {
                return;
            }

            await AckTakenAsync(last, run, singles).ConfigureAwait(false);

            if (tags.Length == 0)
            {
                return;
            }

            var expectedReady = (await QueueStateAsync().ConfigureAwait(false)).Ready;
            foreach (var batch in tags.Chunk(ReturnBatch))
            {
                foreach (var tag in batch)
                {
                    if (!_channel.IsOpen)
                    {
                        return;
                    }

                    await _channel.BasicNackAsync(tag, multiple: false, requeue: true).ConfigureAwait(false);
                }

                expectedReady += (uint)batch.Length;
                if (!await AwaitReturnsAppliedAsync(expectedReady).ConfigureAwait(false))
                {
                    break;
                }
            }

            _logger.LogInformation("Shard {Shard}: returned {Count} unsettled deliveries to the queue in delivery order", Shard, tags.Length);
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or ObjectDisposedException or TimeoutException)
        {
            _logger.LogWarning(e, "Shard {Shard}: returning unsettled deliveries in order failed; closing the channel returns the rest", Shard);
        }
        finally
        {
            _ackLock.Release();
        }
    }

    // The broker applies a channel's nacks asynchronously. When a quorum queue's client has more than a few dozen
    // commands pending it sends the returns as one batch, and a batch of more than 32 is put back in hash order, not
    // delivery order; closing the channel with deliveries still out does the same. So nacks go in small batches, each
    // awaited, bounded, until the queue's ready count shows it back. When another consumer is subscribed (the shard's
    // next owner, waiting as the queue's single active consumer) it takes them as they come back and the ready count
    // never shows them: then each batch is only given a short pause.
    private async Task<bool> AwaitReturnsAppliedAsync(uint expectedReady)
    {
        var waited = Stopwatch.StartNew();
        while (_channel.IsOpen && waited.Elapsed < _connection.Options.ChannelCloseTimeout)
        {
            var (ready, consumers) = await QueueStateAsync().ConfigureAwait(false);
            if (ready >= expectedReady || (consumers > 0 && waited.Elapsed >= ReturnPauseWithConsumer))
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(2)).ConfigureAwait(false);
        }

        _logger.LogWarning("Shard {Shard}: the queue did not show the returned deliveries back within {Timeout}; returning the rest as the channel closes", Shard, _connection.Options.ChannelCloseTimeout);
        return false;
    }

    private async Task<(uint Ready, uint Consumers)> QueueStateAsync()
    {
        var ok = await _channel.QueueDeclarePassiveAsync(QueueName).WaitAsync(_connection.Options.ChannelCloseTimeout).ConfigureAwait(false);
        return (ok.MessageCount, ok.ConsumerCount);
    }

    private bool IsStopping
    {
        get
        {
            lock (_gate)
            {
                return _stopping;
            }
        }
    }

    private Task OnUnregisteredAsync(object sender, ConsumerEventArgs args)
    {
        bool stopping;
        lock (_gate)
        {
            stopping = _stopping;
        }

        // The client also unregisters its consumers when the channel shuts down (an outage, repaired by recovery, which
        // registers them again); only a cancel on a channel that is still open comes from the broker.
        if (!stopping && _channel.IsOpen)
        {
            Lost($"the broker cancelled the consumer of '{QueueName}' (the queue was deleted or is unavailable)");
        }

        return Task.CompletedTask;
    }

    private Task OnShutdownAsync(object sender, ShutdownEventArgs args)
    {
        // Connection-level closes are repaired by recovery; a channel the broker closed for an error of its own is not.
        if (args.Initiator == ShutdownInitiator.Peer && args.ReplyCode is 311 or 313 or 403 or 404 or 405 or 406)
        {
            Lost($"the broker closed the channel of '{QueueName}': {args.ReplyCode} {args.ReplyText}");
        }

        return Task.CompletedTask;
    }

    private void Lost(string reason)
    {
        if (_completion.TrySetResult(reason))
        {
            _logger.LogError("Shard {Shard}: consumer lost: {Reason}; the node no longer receives this shard's deliveries", Shard, reason);

            // Stop in the usual phases so in-flight deliveries are settled and the rest returned to the queue.
            _ = StopAsync();
        }
    }
}
