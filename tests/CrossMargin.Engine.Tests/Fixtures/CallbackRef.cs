using CrossMargin.Actors;

namespace CrossMargin.Engine.Tests.Fixtures;

/// <summary>A reference that runs <paramref name="onTell"/> on the teller's thread: to act at an exact point of a sender's work.</summary>
internal sealed class CallbackRef(Action<object> onTell) : IActorRef
{
    public ActorPath Path { get; } = ActorPath.Root("test").Child("callback");

    public string Name => Path.Name;

    public void Tell(object message, IActorRef? sender) => onTell(message);
}
