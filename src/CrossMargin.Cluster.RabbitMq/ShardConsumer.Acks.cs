using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>Acks and other settlements, under the ack lock so none is half-written when a stop closes the channel.</summary>
public sealed partial class ShardConsumer
{
    // Acks succeeded deliveries, several in one basic.ack where it can: the longest run of unsettled deliveries, from
    // the oldest, whose handlers all succeeded goes out as one ack with multiple=true (which acks every outstanding tag
    // up to the last, so it is used only when each of them is done). Deliveries that succeeded behind an older one still
    // running (held for a sequence gap, or simply slower) wait for it, unless a quarter of the prefetch window is done
    // and waiting: then they are acked one by one, so a held delivery can never fill the window with finished ones and
    // starve the delivery it waits for. One caller sends at a time, after RabbitMqOptions.AckCoalescing: the deliveries
    // of one journal batch finish within microseconds of each other, each on its own continuation, and acked as each
    // ran they went out one frame apiece (0.7-0.8 frames per execution in the cluster benchmark; 0.07-0.09 after 1 ms).
    // Completions that arrive while it waits or sends are picked up by its next round.
    private async Task AckDoneAsync()
    {
        lock (_gate)
        {
            if (_acking)
            {
                return;
            }

            _acking = true;
        }

        var coalescing = _connection.Options.AckCoalescing;
        if (coalescing > TimeSpan.Zero)
        {
            await Task.Delay(coalescing).ConfigureAwait(false);
        }
        else
        {
            await Task.Yield();
        }

        var flushAt = Math.Max(1, _connection.Options.Prefetch / 4);
        while (true)
        {
            // The ack lock before taking: deliveries taken out of the unsettled set are acked before a stop can read that
            // set. Taken first and acked after, a stop could return the rest and close the channel in between, and the
            // broker would hand those done deliveries to the next owner again.
            await _ackLock.WaitAsync().ConfigureAwait(false);
            try
            {
                ulong last;
                int run;
                List<ulong>? singles;
                lock (_gate)
                {
                    (last, run, singles) = TakeDoneLocked(_done.Count >= flushAt);
                    if (run == 0 && singles is null)
                    {
                        _acking = false;
                        return;
                    }
                }

                await SendTakenAcksAsync(last, run, singles).ConfigureAwait(false);
            }
            finally
            {
                _ackLock.Release();
            }
        }
    }

    // Removes from the unsettled set the run of done deliveries at its head, and with all, every other done one too.
    private (ulong Last, int Run, List<ulong>? Singles) TakeDoneLocked(bool all)
    {
        ulong last = 0;
        var run = 0;
        while (run < _unsettled.Count && _done.Remove(_unsettled[run]))
        {
            last = _unsettled[run];
            run++;
        }

        _unsettled.RemoveLowest(run);

        List<ulong>? singles = null;
        if (all && _done.Count > 0)
        {
            singles = [.. _done];
            foreach (var tag in singles)
            {
                _unsettled.Remove(tag);
            }

            _done.Clear();
        }

        return (last, run, singles);
    }

    // Under the ack lock: acks what TakeDoneLocked took, the run in one frame.
    private async Task AckTakenAsync(ulong last, int run, List<ulong>? singles)
    {
        if (run > 0)
        {
            await _channel.BasicAckAsync(last, multiple: run > 1).ConfigureAwait(false);
            Interlocked.Add(ref _acknowledged, run);
            Interlocked.Increment(ref _ackFrames);
        }

        foreach (var tag in singles ?? [])
        {
            await _channel.BasicAckAsync(tag, multiple: false).ConfigureAwait(false);
            Interlocked.Increment(ref _acknowledged);
            Interlocked.Increment(ref _ackFrames);
        }
    }

    // Under the ack lock, held by the caller.
    private async Task SendTakenAcksAsync(ulong last, int run, List<ulong>? singles)
    {
        try
        {
            if (!_channel.IsOpen)
            {
                return; // Requeued by the broker with the channel: they come back flagged as redelivered.
            }

            await AckTakenAsync(last, run, singles).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            _logger.LogDebug(e, "Shard {Shard}: acking deliveries failed; the broker redelivers them", Shard);
        }
    }

    private async Task<bool> SettleAsync(ulong deliveryTag, Func<IChannel, ValueTask> settle)
    {
        await _ackLock.WaitAsync().ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                // Already returned by a stop: settling it again would be an unknown delivery tag to the broker.
                if (!_unsettled.Remove(deliveryTag))
                {
                    return false;
                }
            }

            if (!_channel.IsOpen)
            {
                return false;
            }

            await settle(_channel).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            _logger.LogDebug(e, "Shard {Shard}: settling a delivery failed; the broker redelivers it", Shard);
            return false;
        }
        finally
        {
            _ackLock.Release();
        }
    }
}
