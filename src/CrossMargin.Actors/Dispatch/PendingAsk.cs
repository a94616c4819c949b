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

    /// <summary>
    /// A message sent with this ask as its sender became a dead letter at <paramref name="recipient"/>: if it is the request
    /// at its target, no reply can come, so the ask fails now rather than at its timeout.
    /// </summary>
    internal abstract void DeadLettered(object message, IActorRef recipient);
}
