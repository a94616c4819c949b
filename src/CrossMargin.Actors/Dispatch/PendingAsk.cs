namespace CrossMargin.Actors.Dispatch;

/// <summary>
/// An Ask waiting for its reply, as an <see cref="AskDeadlineQueue"/> holds it: the queue's links live in the promise
/// itself, so waiting costs no node, timer or callback object of its own.
/// </summary>
internal abstract class PendingAsk
{
    // Owned by the queue's lock. Queue is non-null exactly while the ask is linked into it.
    internal PendingAsk? Previous;
    internal PendingAsk? Next;
    internal AskDeadlineQueue? Queue;
    internal long Deadline;

    /// <summary>Fails the ask with its timeout; called outside the queue's lock, after it was unlinked.</summary>
    internal abstract void Expire();
}
