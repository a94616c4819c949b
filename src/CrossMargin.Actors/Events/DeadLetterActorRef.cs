using CrossMargin.Actors.Dispatch;

namespace CrossMargin.Actors.Events;

/// <summary>The system's dead-letter office: everything sent here is counted, logged at a bounded rate and published.</summary>
internal sealed class DeadLetterActorRef(ActorSystem system) : IActorRef, IUndeliverable
{
    public ActorPath Path { get; } = ActorPath.Root(system.Name).Child("deadLetters");

    public string Name => "deadLetters";

    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        system.DeadLetter(message, sender, this);
    }

    public override string ToString() => Path.ToString();
}
