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
/// <remarks>
/// A delivery that waits in the <see cref="SequenceHold"/> for the messages before it is not working: the retries do
/// not wait for it to settle before they start, and a retry that goes into the hold lets the next parked delivery go
/// first. Otherwise the messages it waits for, parked here behind it, could only come after it, once its wait expired
/// and it was applied with a gap; they would then be refused as out of order: lost. For the same reason the hold does
/// not let a wait expire while this shard is retrying (<see cref="Retrying"/>, <see cref="SequenceHold.Open"/>): the
/// missing messages may be the ones parked here. The hold keeps each account's messages in sequence meanwhile.
/// </remarks>
public sealed class InOrderShardHandler
{
    private readonly InOrderDeliveryHandler _inner;
    private readonly ILogger _log;
    private readonly int _shard;
    private readonly InOrderRetryOptions _options;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, Parked> _parked = [];
    private long _next;
    private long _recovered;
    private int _inFlight;
    private int _inFlightHeld;
    private int _retriesHeld;
    private bool _recovering;
    private bool _draining;
    private bool _givenUp;

    /// <summary>Wraps <paramref name="inner"/>, the handler of shard <paramref name="shard"/>.</summary>
    public InOrderShardHandler(int shard, InOrderDeliveryHandler inner, ILogger log, InOrderRetryOptions? options = null)
    {
        _shard = shard;
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _options = options ?? new InOrderRetryOptions();
    }

    /// <summary>Deliveries held for an in-order retry now (parked, or retried and waiting in the sequence hold).</summary>
    public int Held
    {
        get
        {
            lock (_gate)
            {
                return _parked.Count + _retriesHeld;
            }
        }
    }

    /// <summary>True from a failure until every delivery parked for it has been retried in order (or has gone into the sequence hold).</summary>
    public bool Retrying
    {
        get
        {
            lock (_gate)
            {
                return _recovering;
            }
        }
    }

    /// <summary>Deliveries that failed at least once and then succeeded in order.</summary>
    public long Recovered => Interlocked.Read(ref _recovered);

    /// <summary>
    /// Gives up every held delivery, and any that fails from now on, as cancelled: the shard is stopping, so they go back
    /// to the queue unacknowledged (the consumer returns them in delivery order) instead of being retried here. Retried
    /// after the lease was lost they would be refused, or, once the next owner applied later messages of their accounts,
    /// answered out of order and acknowledged: lost. (Retries waiting in the sequence hold are given up by the hold's
    /// own release.)
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
        var hold = new FirstAttemptHold(this);
        Task attempt;
        try
        {
            // The inner handler hands the message to its account before its first await: called here, synchronously,
            // deliveries still reach their accounts in queue order.
            attempt = _inner(delivery, hold, cancellationToken);
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
                hold.EndLocked();
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
        Repark(ordinal, entry);
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

        return entry.Done.Task;
    }

    private void Repark(long ordinal, Parked entry)
    {
        _parked[ordinal] = entry;
        DrainIfSettledLocked();
    }

    private void DrainIfSettledLocked()
    {
        // Retrying starts only once nothing handed over before the failure is still working: whatever of it fails is
        // parked first, in its place, so the retries cannot overtake it. One waiting in the sequence hold is not working.
        if (_recovering && !_draining && _inFlight == _inFlightHeld && _parked.Count > 0)
        {
            _draining = true;
            _ = Task.Run(DrainAsync);
        }
    }

    private void EndRecoveryIfDoneLocked()
    {
        // Given up, it stays recovering: what is handed to it from then on is given up too. Retries still waiting in the
        // sequence hold do not keep it recovering: the hold keeps their accounts' later messages behind them, and their
        // own waits must be able to expire once nothing is parked here.
        if (_recovering && !_givenUp && !_draining && _parked.Count == 0)
        {
            _recovering = false;
            _log.LogInformation("Shard {Shard}: every held delivery was retried in order; deliveries run side by side again", _shard);
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
                    if (_givenUp || _parked.Count == 0)
                    {
                        _draining = false;
                        EndRecoveryIfDoneLocked();
                        return;
                    }

                    (ordinal, head) = _parked.First();
                }

                var hold = new RetryHold();
                Task attempt;
                try
                {
                    attempt = _inner(head.Delivery, hold, head.Token);
                }
                catch (Exception e)
                {
                    attempt = Task.FromException(e);
                }

                if (await Task.WhenAny(attempt, hold.Entered).ConfigureAwait(false) != attempt)
                {
                    // Waiting for earlier messages of its account, which may be parked after it: the next one goes first.
                    lock (_gate)
                    {
                        _parked.Remove(ordinal);
                        _retriesHeld++;
                    }

                    _ = FinishHeldRetryAsync(ordinal, head, attempt);
                    continue;
                }

                if (!await SettleRetryAsync(ordinal, head, attempt).ConfigureAwait(false))
                {
                    break;
                }

                backoff = _options.FirstBackoff;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
    }

    /// <summary>Settles a retry that is done; false when it failed and stays parked for the next round.</summary>
    private async Task<bool> SettleRetryAsync(long ordinal, Parked head, Task attempt)
    {
        try
        {
            await attempt.ConfigureAwait(false);
            Settle(ordinal, head, null);
            Interlocked.Increment(ref _recovered);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !head.Token.IsCancellationRequested)
        {
            bool givenUp;
            lock (_gate)
            {
                givenUp = _givenUp;
            }

            if (givenUp)
            {
                Settle(ordinal, head, null, canceled: true);
                return false;
            }

            if (++head.Attempts < _options.MaxAttempts)
            {
                _log.LogWarning("Shard {Shard}: retry {Attempt} of message {MessageId} failed ({Reason}); retried after a back-off",
                    _shard, head.Attempts, head.Delivery.MessageId, e.Message);
                return false;
            }

            // Given back to the consumer, which requeues it and dead-letters it after its own attempts.
            _log.LogError(e, "Shard {Shard}: message {MessageId} failed {Attempts} retries in order; handing it back to the queue", _shard, head.Delivery.MessageId, head.Attempts);
            Settle(ordinal, head, e);
            return true;
        }
        catch (OperationCanceledException)
        {
            Settle(ordinal, head, null, canceled: true);
            return true;
        }
    }

    private async Task FinishHeldRetryAsync(long ordinal, Parked head, Task attempt)
    {
        var done = await SettleRetryAsync(ordinal, head, attempt).ConfigureAwait(false);
        lock (_gate)
        {
            _retriesHeld--;
            if (!done && !_givenUp)
            {
                // Failed once out of the hold: back in its place, and the shard retrying again.
                _recovering = true;
                Repark(ordinal, head);
            }

            EndRecoveryIfDoneLocked();
        }
    }

    private void Settle(long ordinal, Parked entry, Exception? failure, bool canceled = false)
    {
        lock (_gate)
        {
            if (_parked.TryGetValue(ordinal, out var parked) && ReferenceEquals(parked, entry))
            {
                _parked.Remove(ordinal);
            }
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

    // A first attempt waiting in the sequence hold does not keep the retries from starting.
    private sealed class FirstAttemptHold(InOrderShardHandler owner) : ISequenceHoldObserver
    {
        private bool _held;

        public void Holding()
        {
            lock (owner._gate)
            {
                if (!_held)
                {
                    _held = true;
                    owner._inFlightHeld++;
                    owner.DrainIfSettledLocked();
                }
            }
        }

        public void Resumed()
        {
            lock (owner._gate)
            {
                EndLocked();
            }
        }

        public void EndLocked()
        {
            if (_held)
            {
                _held = false;
                owner._inFlightHeld--;
            }
        }
    }

    // A retry that goes into the sequence hold lets the drain move on to the next parked delivery.
    private sealed class RetryHold : ISequenceHoldObserver
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public void Holding() => _entered.TrySetResult();

        public void Resumed()
        {
        }
    }
}
