using CrossMargin.Actors.Dispatch;

namespace CrossMargin.Actors.TestKit;

/// <summary>
/// An actor processed synchronously on the thread that sends to it, with access to its instance: for unit
/// tests of an actor's logic without waiting. After a restart, <see cref="UnderlyingActor"/> is the new instance.
/// </summary>
/// <typeparam name="TActor">The actor type.</typeparam>
public sealed class TestActorRef<TActor> : IActorRef
    where TActor : ActorBase
{
    private readonly ActorCell _cell;

    internal TestActorRef(ActorCell cell)
    {
        _cell = cell;
    }

    /// <summary>Starts <paramref name="factory"/>'s actor under <c>/user</c> on the calling thread.</summary>
    internal static TestActorRef<TActor> Create(ActorSystem system, Func<TActor> factory, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        var props = Props.Create(factory).WithCallingThread();
        return new TestActorRef<TActor>((ActorCell)system.ActorOf(props, name));
    }

    /// <summary>The live instance (null once stopped).</summary>
    public TActor? UnderlyingActor => _cell.Actor as TActor;

    /// <summary>The real reference, for comparisons with senders.</summary>
    public IActorRef Ref => _cell;

    /// <inheritdoc />
    public ActorPath Path => _cell.Path;

    /// <inheritdoc />
    public string Name => _cell.Name;

    /// <summary>Processes <paramref name="message"/> before returning (unless the actor is busy on another thread).</summary>
    public void Tell(object message, IActorRef? sender) => _cell.Tell(message, sender);
}
