namespace CrossMargin.Actors;

/// <summary>A watched actor has stopped. Left unhandled, it fails the watcher with <see cref="DeathPactException"/>.</summary>
/// <param name="ActorRef">The actor that stopped.</param>
/// <param name="ExistenceConfirmed">False when the actor had already stopped before it was watched.</param>
public sealed record Terminated(IActorRef ActorRef, bool ExistenceConfirmed);
