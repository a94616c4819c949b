using CrossMargin.Actors.Dispatch;

namespace CrossMargin.Actors;

/// <summary>Well-known references.</summary>
public static class ActorRefs
{
    /// <summary>A reference that silently drops everything sent to it; watching it yields <see cref="Terminated"/> at once.</summary>
    public static IActorRef Nobody { get; } = new NobodyRef();

    /// <summary>The "no sender" value for <see cref="IActorRef.Tell"/>: replies become dead letters.</summary>
    public static IActorRef? NoSender => null;

    private sealed class NobodyRef : IActorRef, IUndeliverable
    {
        public ActorPath Path { get; } = ActorPath.Root("nobody");

        public string Name => "nobody";

        public void Tell(object message, IActorRef? sender)
        {
        }

        public override string ToString() => "Nobody";
    }
}
