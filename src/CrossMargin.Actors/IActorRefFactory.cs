namespace CrossMargin.Actors;

/// <summary>Something that can start actors: the system (top-level actors) or an actor's context (children).</summary>
public interface IActorRefFactory
{
    /// <summary>
    /// Starts an actor from <paramref name="props"/>. The constructor and <c>PreStart</c> run on the new actor's
    /// own turn, not on the caller's thread; a failure there is handled by the supervisor.
    /// </summary>
    /// <param name="props">How to create the actor.</param>
    /// <param name="name">A name unique among the siblings, or null for a generated <c>$</c> name.</param>
    /// <exception cref="InvalidActorNameException">The name is malformed or already taken by a live sibling.</exception>
    /// <exception cref="InvalidOperationException">
    /// The parent (the system, after <c>Terminate</c>) is stopping; the actor is not created.
    /// </exception>
    IActorRef ActorOf(Props props, string? name = null);
}
