using System.Collections.Concurrent;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// Holds a shard delivery whose sequence skips ahead of its source's highest + 1 (not applied, not acknowledged) for at
/// most <see cref="Hold"/>, waiting for the missing ones, and applies it with the gap reported only when the wait
/// expires. The missing ones are usually on their way: a node that gave the shard up returns its unacknowledged
/// deliveries to the queue after the next owner may already have taken later ones.
/// </summary>
/// <remarks>
/// An account's held deliveries are retried in the order they arrived whenever another of its messages is applied, and
/// every <see cref="PollInterval"/> otherwise; only the earliest held one of an account is ever applied with a gap, so a
/// later one cannot jump over an earlier one whose wait has not expired. A held delivery keeps its prefetch slot, so a
/// shard holds at most its prefetch at once. Stopping a shard (<see cref="Release"/>) gives its held deliveries up: they
/// fail with <see cref="OperationCanceledException"/> and go back to the queue unacknowledged. While the shard's
/// deliveries are retried in order after a failure (<see cref="Open"/>'s <c>retrying</c>), no wait expires: the missing
/// messages may be among those waiting for the retry, and one applied with its gap would leave them out of order.
/// </remarks>
public sealed class SequenceHold
{
    private readonly ConcurrentDictionary<string, AccountHolds> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, ShardState> _shards = new();
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private long _held;
    private long _heldNow;
    private long _appliedWithGap;

    /// <summary>Holds for at most <paramref name="hold"/> (zero: never hold, apply gaps at once).</summary>
    public SequenceHold(TimeSpan hold, ILogger log, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hold, TimeSpan.Zero);
        Hold = hold;
        _log = log ?? throw new ArgumentNullException(nameof(log));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The longest a delivery is held.</summary>
    public TimeSpan Hold { get; }

    /// <summary>How often a held delivery is tried again when nothing else of its account was applied.</summary>
    public static TimeSpan PollInterval { get; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Deliveries held at least once since the node started.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>Deliveries being held now.</summary>
    public long HeldNow => Interlocked.Read(ref _heldNow);

    /// <summary>Held deliveries applied with their gap because the wait expired.</summary>
    public long AppliedWithGap => Interlocked.Read(ref _appliedWithGap);

    /// <summary>
    /// Sends <paramref name="command"/> through <paramref name="send"/> (to its account in <paramref name="shard"/>) and
    /// returns the account's answer, holding it first while it skips ahead of its source. The first send happens before
    /// this method first awaits, so deliveries still reach their accounts in queue order. <paramref name="observer"/>, when
    /// given, is told when the delivery starts and stops waiting.
    /// </summary>
    public async Task<object> SendAsync(int shard, string accountId, IAccountCommand command, Func<object, Task<object>> send, ISequenceHoldObserver? observer,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(send);
        var answer = await send(FirstAttempt(command)).ConfigureAwait(false);
        return Ahead(accountId, answer) is { } ahead
            ? await HoldAsync(shard, accountId, command, ahead, send, observer, cancellationToken).ConfigureAwait(false)
            : answer;
    }

    /// <summary>
    /// What a first attempt sends to the account for <paramref name="command"/>: the command asked to wait for its
    /// predecessors (<see cref="ApplyInSequence"/>), or the bare command when nothing is held. <see cref="SendAsync"/> in
    /// parts, for a caller that sends and awaits the answer itself: send this, then pass the answer to <see cref="Ahead"/>.
    /// </summary>
    public object FirstAttempt(IAccountCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return Hold > TimeSpan.Zero ? new ApplyInSequence(command) : command;
    }

    /// <summary>
    /// Reads the account's <paramref name="answer"/> to a first attempt (<see cref="FirstAttempt"/>): the
    /// <see cref="CommandAhead"/> the delivery is to be held for (<see cref="HoldAsync"/>), or null when the answer is
    /// final, after telling the account's held deliveries that one of its messages was applied.
    /// </summary>
    public CommandAhead? Ahead(string accountId, object answer)
    {
        if (Hold <= TimeSpan.Zero)
        {
            return null;
        }

        if (answer is CommandAhead ahead)
        {
            return ahead;
        }

        Applied(accountId, answer);
        return null;
    }

    /// <summary>
    /// Starts holding for <paramref name="shard"/> (again): called when its consumer starts. While
    /// <paramref name="retrying"/> says the shard retries failed deliveries in order, its held deliveries' waits do not
    /// expire (each has a whole <see cref="Hold"/> left when the retries end).
    /// </summary>
    public void Open(int shard, Func<bool>? retrying = null)
    {
        if (_shards.TryGetValue(shard, out var current) && !current.Released.IsCancellationRequested)
        {
            return;
        }

        _shards[shard] = new ShardState(new CancellationTokenSource(), retrying);
    }

    /// <summary>Gives up every delivery held for <paramref name="shard"/>: its consumer is stopping and returns them to the queue.</summary>
    public void Release(int shard)
    {
        // Left in place, cancelled: a delivery still on its way to the hold finds it so and is given up too.
        if (_shards.TryGetValue(shard, out var state))
        {
            state.Released.Cancel();
        }
    }

    /// <summary>
    /// Holds <paramref name="command"/>, whose first attempt the account answered <paramref name="ahead"/>, until it is
    /// applied in sequence or its wait expires (the rest of <see cref="SendAsync"/>), sending through <paramref name="send"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException">The shard was released or <paramref name="cancellationToken"/> cancelled: given up.</exception>
    public async Task<object> HoldAsync(int shard, string accountId, IAccountCommand command, CommandAhead ahead, Func<object, Task<object>> send,
        ISequenceHoldObserver? observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(ahead);
        ArgumentNullException.ThrowIfNull(send);
        _shards.TryGetValue(shard, out var state);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, state?.Released.Token ?? CancellationToken.None);
        var holdTicks = (long)(Hold.TotalSeconds * _time.TimestampFrequency);
        var deadline = _time.GetTimestamp() + holdTicks;
        var holds = _accounts.GetOrAdd(accountId, _ => new AccountHolds());
        var entry = holds.Enter();
        Interlocked.Increment(ref _held);
        Interlocked.Increment(ref _heldNow);
        observer?.Holding();
        _log.LogInformation("Shard {Shard}: holding message {MessageId} for {Account} for up to {Hold}: sequence {From} to {To} from {Source} still missing",
            shard, command.MessageId, accountId, Hold, ahead.Gap.From, ahead.Gap.To, ahead.Gap.Source);
        try
        {
            while (true)
            {
                var signal = holds.Changed;
                var remaining = TimeSpan.FromSeconds((double)(deadline - _time.GetTimestamp()) / _time.TimestampFrequency);
                var wait = remaining < PollInterval ? remaining : PollInterval;
                if (wait > TimeSpan.Zero)
                {
                    await Task.WhenAny(signal, Task.Delay(wait, _time, linked.Token)).ConfigureAwait(false);
                }

                linked.Token.ThrowIfCancellationRequested();
                if (state?.Retrying?.Invoke() == true)
                {
                    deadline = Math.Max(deadline, _time.GetTimestamp() + holdTicks);
                }

                var expired = _time.GetTimestamp() >= deadline;
                var force = expired && holds.IsFirst(entry);
                var answer = await send(force ? command : new ApplyInSequence(command)).ConfigureAwait(false);
                if (answer is CommandAhead)
                {
                    continue;
                }

                if (force && answer is CommandAccepted { Gap: not null })
                {
                    Interlocked.Increment(ref _appliedWithGap);
                    _log.LogWarning("Shard {Shard}: message {MessageId} for {Account} waited {Hold} for sequence {From} to {To} from {Source}; applied with the gap",
                        shard, command.MessageId, accountId, Hold, ahead.Gap.From, ahead.Gap.To, ahead.Gap.Source);
                }

                holds.Leave(entry);
                holds.Signal();
                return answer;
            }
        }
        catch
        {
            holds.Leave(entry);
            holds.Signal();
            throw;
        }
        finally
        {
            // The account's entry stays (a few dozen bytes per account that ever had a delivery held): removing it while
            // another delivery enters would give the account two orders of arrival.
            Interlocked.Decrement(ref _heldNow);
            observer?.Resumed();
        }
    }

    private void Applied(string accountId, object answer)
    {
        if (answer is CommandAccepted && _accounts.TryGetValue(accountId, out var holds))
        {
            holds.Signal();
        }
    }

    // A shard's release (cancelled when its consumer stops) and whether it is retrying failed deliveries in order.
    private sealed record ShardState(CancellationTokenSource Released, Func<bool>? Retrying);

    // One account's held deliveries in arrival order, and a signal raised whenever one of its messages was applied.
    private sealed class AccountHolds
    {
        private readonly Lock _gate = new();
        private readonly LinkedList<object> _entries = [];
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Changed
        {
            get
            {
                lock (_gate)
                {
                    return _changed.Task;
                }
            }
        }

        public LinkedListNode<object> Enter()
        {
            lock (_gate)
            {
                return _entries.AddLast(new object());
            }
        }

        public bool IsFirst(LinkedListNode<object> entry)
        {
            lock (_gate)
            {
                return ReferenceEquals(_entries.First, entry);
            }
        }

        public void Leave(LinkedListNode<object> entry)
        {
            lock (_gate)
            {
                if (entry.List is not null)
                {
                    _entries.Remove(entry);
                }
            }
        }

        public void Signal()
        {
            TaskCompletionSource raised;
            lock (_gate)
            {
                raised = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            raised.TrySetResult();
        }
    }
}
