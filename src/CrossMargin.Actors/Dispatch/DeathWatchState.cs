namespace CrossMargin.Actors.Dispatch;

/// <summary>Who this actor watches and who watches it; allocated on first use.</summary>
internal sealed class DeathWatchState
{
    public HashSet<IActorRef> Watching { get; } = new(ReferenceEqualityComparer.Instance);

    public HashSet<ActorCell> WatchedBy { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Actors whose Terminated is in the mailbox and still wanted; Unwatch removes them.</summary>
    public HashSet<IActorRef> TerminatedQueued { get; } = new(ReferenceEqualityComparer.Instance);
}
