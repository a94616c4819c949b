using CrossMargin.Cluster.RabbitMq;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// Keeps one shard's deliveries in queue order through failures of their handler (a journal outage, an account that
/// is recovering): the first failure parks its delivery, and every delivery after it waits behind it (those already in
/// flight once they settle, new ones at once); the parked deliveries are then retried one at a time, in queue order,
/// with back-off, and only when none is left do deliveries run side by side again. Without this, a later message for an
/// account could be applied before an earlier one that failed, and the earlier one would then be refused as out of
/// order: lost. A parked delivery stays unacknowledged, so a hand-off or a crash returns it to the queue.
/// </summary>
public sealed class InOrderShardHandler
{
    private readonly ShardDeliveryHandler _inner;
    private readonly ILogger _log;
    private readonly int _shard;
    private readonly InOrderRetryOptions _options;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, Parked> _parked = [];
    private long _next;
    private int _inFlight;
    private bool _recovering;
    private bool _draining;
    private bool _givenUp;

    /// <summary>Wraps <paramref name="inner"/>, the handler of shard <paramref name="shard"/>.</summary>
    public InOrderShardHandler(int shard, ShardDeliveryHandler inner, ILogger log, InOrderRetryOptions? options = null)
    {
        _shard = shard;
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _options = options ?? new InOrderRetryOptions();
    }

    /// <summary>Deliveries held for an in-order retry now.</summary>
    public int Held
    {
        get
        {
            lock (_gate)
            {
                return _parked.Count;
            }
        }
    }

    /// <summary>Deliveries that failed at least once and then succeeded in order.</summary>
    public long Recovered { get; private set; }

    /// <summary>
    /// Gives up every held delivery, and any that fails from now on, as cancelled: the shard is stopping, so they go back
    /// to the queue unacknowledged (the consumer returns them in delivery order) instead of being retried here. Retried
    /// after the lease was lost they would be refused, or, once the next owner applied later messages of their accounts,
    /// answered out of order and acknowledged: lost.
    /// </summary>
    public void GiveUp()
    {
        Parked[] parked;
        lock (_gate)
        {
            _givenUp = true;
            parked = [.. _parked.Values];
            _parked.Clear();
        }

        foreach (var entry in parked)
        {
            entry.Registration.Dispose();
            entry.Done.TrySetCanceled();
        }

        if (parked.Length > 0)
        {
            _log.LogInformation("Shard {Shard}: gave up {Count} held deliveries; they go back to the queue", _shard, parked.Length);
        }
    }

    /// <summary>Handles one delivery (a <see cref="ShardDeliveryHandler"/>); called in queue order.</summary>
    public Task HandleAsync(ShardDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        long ordinal;
        lock (_gate)
        {
            ordinal = _next++;
            if (_recovering)
            {
                return ParkLocked(ordinal, delivery, cancellationToken);
            }

            _inFlight++;
        }

        return RunAsync(ordinal, delivery, cancellationToken);
    }

    private async Task RunAsync(long ordinal, ShardDelivery delivery, CancellationToken cancellationToken)
    {
        Task attempt;
        try
        {
            // The inner handler hands the message to its account before its first await: called here, synchronously,
            // deliveries still reach their accounts in queue order.
            attempt = _inner(delivery, cancellationToken);
        }
        catch (Exception e)
        {
            attempt = Task.FromException(e);
        }

        Task? parked = null;
        try
        {
            await attempt.ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            lock (_gate)
            {
                if (!_recovering)
                {
                    _log.LogWarning(e, "Shard {Shard}: message {MessageId} failed; holding the shard's later deliveries and retrying in queue order", _shard, delivery.MessageId);
                }

                _recovering = true;
                parked = ParkLocked(ordinal, delivery, cancellationToken);
            }
        }
        finally
        {
            lock (_gate)
            {
                _inFlight--;
                DrainIfSettledLocked();
            }
        }

        if (parked is not null)
        {
            await parked.ConfigureAwait(false);
        }
    }

    private Task ParkLocked(long ordinal, ShardDelivery delivery, CancellationToken cancellationToken)
    {
        if (_givenUp)
        {
            return Task.FromCanceled(new CancellationToken(canceled: true));
        }

        var entry = new Parked(delivery, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
        _parked.Add(ordinal, entry);
        if (cancellationToken.CanBeCanceled)
        {
            // A stopping consumer gives up on its parked deliveries: unacked, they go back to the queue in order.
            entry.Registration = cancellationToken.Register(() =>
            {
                lock (_gate)
                {
                    _parked.Remove(ordinal);
                }

                entry.Done.TrySetCanceled(cancellationToken);
            });
        }

        DrainIfSettledLocked();
        return entry.Done.Task;
    }

    private void DrainIfSettledLocked()
    {
        // Retrying starts only once nothing handed over before the failure is still running: whatever of it fails is
        // parked first, in its place, so the retries cannot overtake it.
        if (_recovering && !_draining && _inFlight == 0)
        {
            _draining = true;
            _ = Task.Run(DrainAsync);
        }
    }

    private async Task DrainAsync()
    {
        var backoff = _options.FirstBackoff;
        while (true)
        {
            await Task.Delay(backoff).ConfigureAwait(false);
            while (true)
            {
                long ordinal;
                Parked head;
                lock (_gate)
                {
                    if (_givenUp)
                    {
                        _draining = false;
                        return;
                    }

                    if (_parked.Count == 0)
                    {
                        _recovering = false;
                        _draining = false;
                        _log.LogInformation("Shard {Shard}: every held delivery was retried in order; deliveries run side by side again", _shard);
                        return;
                    }

                    (ordinal, head) = _parked.First();
                }

                try
                {
                    await _inner(head.Delivery, head.Token).ConfigureAwait(false);
                    Settle(ordinal, head, null);
                    Recovered++;
                    backoff = _options.FirstBackoff;
                }
                catch (Exception e) when (!head.Token.IsCancellationRequested)
                {
                    bool givenUp;
                    lock (_gate)
                    {
                        givenUp = _givenUp;
                    }

                    if (givenUp)
                    {
                        Settle(ordinal, head, null, canceled: true);
                        break;
                    }

                    if (++head.Attempts < _options.MaxAttempts)
                    {
                        _log.LogWarning("Shard {Shard}: retry {Attempt} of message {MessageId} failed ({Reason}); next in {Backoff}",
                            _shard, head.Attempts, head.Delivery.MessageId, e.Message, backoff);
                        break;
                    }

                    // Given back to the consumer, which requeues it and dead-letters it after its own attempts.
                    _log.LogError(e, "Shard {Shard}: message {MessageId} failed {Attempts} retries in order; handing it back to the queue", _shard, head.Delivery.MessageId, head.Attempts);
                    Settle(ordinal, head, e);
                }
                catch (OperationCanceledException)
                {
                    Settle(ordinal, head, null, canceled: true);
                }
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
    }

    private void Settle(long ordinal, Parked entry, Exception? failure, bool canceled = false)
    {
        lock (_gate)
        {
            _parked.Remove(ordinal);
        }

        entry.Registration.Dispose();
        if (canceled)
        {
            entry.Done.TrySetCanceled();
        }
        else if (failure is not null)
        {
            entry.Done.TrySetException(failure);
        }
        else
        {
            entry.Done.TrySetResult();
        }
    }

    private sealed class Parked(ShardDelivery delivery, TaskCompletionSource done, CancellationToken token)
    {
        public ShardDelivery Delivery { get; } = delivery;

        public CancellationToken Token { get; } = token;

        public TaskCompletionSource Done { get; } = done;

        public CancellationTokenRegistration Registration { get; set; }

        public int Attempts { get; set; }
    }
}
