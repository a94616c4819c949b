using System.Runtime.CompilerServices;
using CrossMargin.Actors;
using CrossMargin.Persistence.Journal;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Persistence;

/// <summary>
/// An event-sourced actor, as in Akka.Persistence: it recovers its state from the latest snapshot plus the
/// events after it, then handles commands by persisting events and applying them in handlers that run only
/// once the events are durable. While events are being written (and while it recovers) incoming messages wait
/// in the mailbox, so every command sees the state produced by all earlier ones.
/// </summary>
/// <remarks>
/// A failed recovery or a failed write stops the actor with an error naming the persistence id: continuing
/// with state that differs from the journal would fork history. In particular a second writer for the same
/// persistence id (a sequence-number conflict) stops the loser.
/// </remarks>
public abstract partial class PersistentActor : ActorBase
{
    private readonly PersistenceServices _services;
    // Made on the first Persist: an account brought live by a read or a mark never persists, and a million of them
    // would each hold an empty list.
    private List<PendingEvent>? _pending;
    private long _lastSequenceNr;
    private long _lastSnapshotSequenceNr;

    /// <summary>Binds the actor to its journal, snapshot store and serializers.</summary>
    protected PersistentActor(PersistenceServices services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _services = services;
    }

    /// <summary>The stream this actor's events are stored under; must not change over the actor's life.</summary>
    public abstract string PersistenceId { get; }

    /// <summary>The sequence number of the last event recovered or persisted (0 for none).</summary>
    public long LastSequenceNr => _lastSequenceNr;

    /// <summary>True until recovery has completed.</summary>
    protected bool IsRecovering { get; private set; } = true;

    /// <summary>
    /// Applies a recovered <see cref="SnapshotOffer"/> or event, then receives <see cref="RecoveryCompleted"/>.
    /// Must not persist or send side effects that should happen only once.
    /// </summary>
    protected abstract void ReceiveRecover(object message);

    /// <summary>Handles a command; return false when not understood.</summary>
    protected abstract bool ReceiveCommand(object message);

    /// <summary>
    /// The state to snapshot every <see cref="PersistenceOptions.SnapshotEvery"/> events, or null to never
    /// snapshot. Its type must be registered with the event type registry.
    /// </summary>
    protected virtual object? SnapshotState() => null;

    /// <summary>Tags stored with <paramref name="persistedEvent"/> for the events-by-tag streams (none by default).</summary>
    protected virtual IReadOnlyList<string> TagsFor(object persistedEvent) => [];

    /// <summary>
    /// Persists <paramref name="event"/> and then calls <paramref name="handler"/> with it. Events persisted in
    /// one command are written in one atomic batch after the command handler returns; their handlers run in
    /// order once the batch is durable.
    /// </summary>
    protected void Persist<TEvent>(TEvent @event, Action<TEvent> handler)
        where TEvent : notnull
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (IsRecovering)
        {
            throw new InvalidOperationException($"{PersistenceId}: Persist is not allowed during recovery.");
        }

        // The handler is kept as it came and called through one cached thunk per event type: no closure per event.
        (_pending ??= []).Add(new PendingEvent(@event, handler, static (e, h) => ((Action<TEvent>)h)((TEvent)e)));
    }

    /// <summary>Persists <paramref name="events"/> atomically, calling <paramref name="handler"/> for each in order.</summary>
    protected void PersistAll<TEvent>(IEnumerable<TEvent> events, Action<TEvent> handler)
        where TEvent : notnull
    {
        ArgumentNullException.ThrowIfNull(events);
        // A list (what a command's decision holds) is walked by index: its interface's enumerator is an allocation per command.
        if (events is IReadOnlyList<TEvent> list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                Persist(list[i], handler);
            }

            return;
        }

        foreach (var @event in events)
        {
            Persist(@event, handler);
        }
    }

    /// <summary>
    /// Reads this actor's own events from <paramref name="fromSequenceNr"/> to <paramref name="toSequenceNr"/> that are
    /// still in the journal (deleted ones are skipped), oldest first: for a question the state does not answer, such as
    /// whether an old message was applied. Changes nothing.
    /// </summary>
    protected async IAsyncEnumerable<object> ReadEventsAsync(long fromSequenceNr, long toSequenceNr, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var stored in _services.Journal.ReplayMessagesAsync(PersistenceId, fromSequenceNr, toSequenceNr, cancellationToken: cancellationToken)
            .ConfigureAwait(true))
        {
            yield return _services.Registry.Deserialize(stored.Payload);
        }
    }

    /// <summary>
    /// Finishes the current command later: runs <paramref name="work"/>, holding every later message in the mailbox, then
    /// calls <paramref name="then"/> with its result on the actor's turn. Events <paramref name="then"/> persists are
    /// written, and their handlers run, before the next message, as if the command had persisted them itself.
    /// </summary>
    /// <remarks>A failing <paramref name="work"/> fails the actor (its supervisor decides); catch what you can answer.</remarks>
    protected void Defer<T>(Func<Task<T>> work, Action<T> then)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(then);
        RunTask(async () =>
        {
            var result = await work().ConfigureAwait(true);
            then(result);

            // Written on this turn too: the write holds the mailbox after this task has completed.
            if (_pending is { Count: > 0 })
            {
                FlushPending();
            }
        });
    }

    /// <summary>
    /// Called when recovery fails. The default logs the error; the actor then stops.
    /// </summary>
    protected virtual void OnRecoveryFailure(Exception cause) =>
        Context.Log.LogError(cause, "Recovery of {PersistenceId} failed with its state applied up to sequence number {SequenceNr}; the actor stops", PersistenceId, _lastSequenceNr);

    /// <summary>
    /// Called when writing events fails (database down, circuit open, or a second writer). The default logs the
    /// error; the actor then stops, and the command's events are not applied.
    /// </summary>
    protected virtual void OnPersistFailure(Exception cause, long fromSequenceNr, int count)
    {
        if (cause is JournalSequenceConflictException)
        {
            Context.Log.LogError(cause,
                "Persist of {PersistenceId} from sequence number {SequenceNr} ({Count} events) conflicts with another writer; the actor stops",
                PersistenceId, fromSequenceNr, count);
        }
        else
        {
            Context.Log.LogError(cause, "Persist of {PersistenceId} from sequence number {SequenceNr} ({Count} events) failed; the actor stops",
                PersistenceId, fromSequenceNr, count);
        }
    }

    /// <summary>
    /// Whether a failed write stops the actor (the default). An actor that answers false stays alive without the
    /// failed events (its state still ends where its journal ends) and must not persist again; it is expected to
    /// refuse what follows and stop itself once whoever sent the failed command has seen the failure.
    /// </summary>
    protected virtual bool StopOnPersistFailure => true;

    /// <inheritdoc />
    protected sealed override bool Receive(object message)
    {
        var handled = ReceiveCommand(message);
        if (_pending is { Count: > 0 })
        {
            FlushPending();
        }

        return handled;
    }

    /// <summary>Runs PreStart, then recovers (holding the mailbox until recovery completes).</summary>
    protected override void AroundPreStart()
    {
        base.AroundPreStart();
        StartRecovery();
    }

    /// <summary>Runs PostRestart, then recovers the fresh instance from the journal.</summary>
    protected override void AroundPostRestart(Exception reason)
    {
        base.AroundPostRestart(reason);
        StartRecovery();
    }

    // Writes the events persisted so far, holding the mailbox until the journal reports the outcome: the journal's writer
    // posts it straight into the mailbox (one system message), and Written runs on the actor's turn.
    private void FlushPending()
    {
        var batch = _pending!.ToArray();
        _pending.Clear();
        var resume = HoldMailbox(static ((PersistentActor Actor, PendingEvent[] Batch) s, Exception? error) => s.Actor.Written(s.Batch, error), (this, batch));
        AtomicWrite write;
        try
        {
            var events = new EventData[batch.Length];
            for (var i = 0; i < events.Length; i++)
            {
                events[i] = new EventData(_services.Registry.Serialize(batch[i].Event), TagsFor(batch[i].Event));
            }

            write = AtomicWrite.Owning(PersistenceId, _lastSequenceNr + 1, _services.WriterId, events, _services.Fence?.Invoke());
        }
        catch (Exception e)
        {
            resume(e);
            return;
        }

        _services.Writer.Append(write, resume);
    }

    private void Written(PendingEvent[] batch, Exception? error)
    {
        if (error is not null)
        {
            _pending!.Clear();
            OnPersistFailure(error, _lastSequenceNr + 1, batch.Length);
            if (StopOnPersistFailure)
            {
                Context.Stop(Self);
            }

            return;
        }

        foreach (var pending in batch)
        {
            _lastSequenceNr++;
            pending.Invoke(pending.Event, pending.Handler);
        }

        // Handlers may persist again; those events form the next batch, still before any new command.
        if (_pending!.Count > 0)
        {
            FlushPending();
        }
        else if (SnapshotDue() is { } state)
        {
            RunTask(static s => s.Actor.SnapshotAsync(s.State), (Actor: this, State: state));
        }
    }

    private object? SnapshotDue()
    {
        var every = _services.Options.SnapshotEvery;
        return every <= 0 || _lastSequenceNr - _lastSnapshotSequenceNr < every ? null : SnapshotState();
    }

    private async Task SnapshotAsync(object state)
    {
        var sequenceNr = _lastSequenceNr;
        try
        {
            await _services.SnapshotStore.SaveAsync(PersistenceId, sequenceNr, _services.Registry.Serialize(state)).ConfigureAwait(true);
            _lastSnapshotSequenceNr = sequenceNr;
            if (_services.Options.DeleteEventsOnSnapshot)
            {
                await _services.Journal.DeleteMessagesToAsync(PersistenceId, sequenceNr).ConfigureAwait(true);
                await _services.SnapshotStore.DeleteAsync(PersistenceId, sequenceNr - 1).ConfigureAwait(true);
            }
        }
        catch (Exception e)
        {
            // A missed snapshot costs recovery time, not correctness: the events are durable. Try again later.
            Context.Log.LogWarning(e, "Snapshot of {PersistenceId} at sequence number {SequenceNr} failed; will retry after more events", PersistenceId, sequenceNr);
            _lastSnapshotSequenceNr = sequenceNr;
        }
    }

    /// <summary>An event waiting to be written, with its handler and the thunk that calls the handler with the event's own type.</summary>
    private readonly record struct PendingEvent(object Event, Delegate Handler, Action<object, Delegate> Invoke);
}
