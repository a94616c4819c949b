namespace CrossMargin.Actors;

/// <summary>
/// An address that messages can be sent to. The only way to talk to an actor: its state is never shared.
/// References compare by identity: a new actor started under the same path is a different reference.
/// </summary>
public interface IActorRef
{
    /// <summary>Where the actor lives in its system, e.g. <c>cm://venue/user/accounts/42</c>.</summary>
    ActorPath Path { get; }

    /// <summary>The last element of <see cref="Path"/>.</summary>
    string Name { get; }

    /// <summary>
    /// Enqueues <paramref name="message"/> without waiting. Never throws for a stopped target: the message
    /// becomes a dead letter. Messages from one sender to one receiver arrive in the order they were sent.
    /// </summary>
    /// <param name="message">Any non-null object; immutable records are strongly recommended.</param>
    /// <param name="sender">Who replies should go to, or null for none (replies become dead letters).</param>
    void Tell(object message, IActorRef? sender);
}
