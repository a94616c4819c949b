using CrossMargin.Persistence.Serialization;
using CrossMargin.Persistence.Snapshots;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Persistence;

/// <summary>Recovery: the newest snapshot that reads, then the journal's events after it.</summary>
public abstract partial class PersistentActor
{
    private void StartRecovery() => RunTask(RecoverAsync);

    private async Task RecoverAsync()
    {
        IsRecovering = true;
        try
        {
            var (snapshot, state, passedOver) = await LoadReadableSnapshotAsync().ConfigureAwait(true);
            if (snapshot is not null)
            {
                _lastSequenceNr = _lastSnapshotSequenceNr = snapshot.Metadata.SequenceNr;
                ReceiveRecover(new SnapshotOffer(snapshot.Metadata, state!));
            }

            // The highest number is read before the events, and the replay reads up to it only. A write of an earlier
            // incarnation that timed out on the client can still commit in the database meanwhile: read the other way
            // round, an event committed between the replay and this read was counted but never applied, and the next
            // write extended the history of a state that lacked it (the redelivered command applied twice). Now an event
            // committed before this read is replayed, and one committed after it takes the number the next write needs,
            // which then conflicts and stops the actor, whose next recovery sees it.
            var highest = await _services.Journal.ReadHighestSequenceNrAsync(PersistenceId).ConfigureAwait(true);
            await foreach (var stored in _services.Journal.ReplayMessagesAsync(PersistenceId, _lastSequenceNr + 1, highest).ConfigureAwait(true))
            {
                if (stored.SequenceNr != _lastSequenceNr + 1)
                {
                    ThrowIfPassedOverCannotBeRebuilt(passedOver);
                    throw new InvalidOperationException(
                        $"{PersistenceId}: the journal has a gap: expected sequence number {_lastSequenceNr + 1}, found {stored.SequenceNr}.");
                }

                ReceiveRecover(Read(stored.Payload, stored.SequenceNr, "event"));
                _lastSequenceNr = stored.SequenceNr;
            }

            // A snapshot passed over must be covered by the events replayed: the Math.Max below would otherwise take its
            // number for a state that lacks the deleted events it held.
            ThrowIfPassedOverCannotBeRebuilt(passedOver);

            // Events deleted after a snapshot still count: the next write must continue after the highest ever.
            _lastSequenceNr = Math.Max(_lastSequenceNr, highest);
            IsRecovering = false;
            ReceiveRecover(RecoveryCompleted.Instance);
        }
        catch (Exception e)
        {
            OnRecoveryFailure(e);
            Context.Stop(Self);
        }
    }

    // The newest snapshot whose payload reads, with the newest one passed over because it did not (null when none was).
    // An unreadable snapshot (a damaged write, a newer node's form) is not the only record of the state: unless events
    // were deleted after a snapshot (DeleteEventsOnSnapshot, off by default) the journal still holds every event since the
    // first, so an older snapshot, or none, plus the events after it rebuilds the same state. Whether those events are
    // all still there is known only from the replay, which stops with the passed-over snapshot's error when they are not.
    private async Task<(SelectedSnapshot? Snapshot, object? State, PassedOverSnapshot? PassedOver)> LoadReadableSnapshotAsync()
    {
        var snapshot = await _services.SnapshotStore.LoadAsync(PersistenceId).ConfigureAwait(true);
        List<PassedOverSnapshot>? passedOver = null;
        object? state = null;
        while (snapshot is not null)
        {
            try
            {
                state = Read(snapshot.Snapshot, snapshot.Metadata.SequenceNr, "snapshot");
                break;
            }
            catch (EventSerializationException e)
            {
                (passedOver ??= []).Add(new PassedOverSnapshot(snapshot.Metadata.SequenceNr, e));
                snapshot = await _services.SnapshotStore.LoadAsync(PersistenceId, snapshot.Metadata.SequenceNr - 1).ConfigureAwait(true);
            }
        }

        if (passedOver is null)
        {
            return (snapshot, state, null);
        }

        var from = snapshot is null ? "a replay from the journal's first event" : $"the snapshot at sequence number {snapshot.Metadata.SequenceNr} and the events after it";
        foreach (var skipped in passedOver)
        {
            Context.Log.LogWarning(skipped.Error,
                "Recovery of {PersistenceId} passes over its snapshot at sequence number {SequenceNr}, which does not read, for {From}",
                PersistenceId, skipped.SequenceNr, from);
        }

        return (snapshot, state, passedOver[0]);
    }

    private void ThrowIfPassedOverCannotBeRebuilt(PassedOverSnapshot? passedOver)
    {
        if (passedOver is not null && _lastSequenceNr < passedOver.SequenceNr)
        {
            throw new EventSerializationException(
                $"{passedOver.Error.Message} It cannot be passed over: the journal no longer holds event {_lastSequenceNr + 1} (deleted after a snapshot), " +
                $"so the events cannot rebuild the state up to {passedOver.SequenceNr}.",
                passedOver.Error.InnerException ?? passedOver.Error);
        }
    }

    // A payload that does not read names itself: the registry's error says what is wrong with it, not where it is, and the
    // recovery failure's log gives only how far the state got (the sequence number before the bad event, or 0 before a snapshot).
    private object Read(SerializedPayload payload, long sequenceNr, string what)
    {
        try
        {
            return _services.Registry.Deserialize(payload);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new EventSerializationException(
                $"{PersistenceId}: the {what} at sequence number {sequenceNr} ('{payload.Manifest}' version {payload.Version}) does not read: {e.Message}", e);
        }
    }

    /// <summary>A snapshot recovery passed over because its payload does not read, and why.</summary>
    private sealed record PassedOverSnapshot(long SequenceNr, EventSerializationException Error);
}
