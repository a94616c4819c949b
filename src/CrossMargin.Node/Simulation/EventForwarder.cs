using CrossMargin.Actors;

namespace CrossMargin.Node.Simulation;

/// <summary>Hands every event of the given types from the actor system's event stream to code outside the actors.</summary>
internal sealed class EventForwarder : ReceiveActor
{
    private readonly Type[] _types;

    public EventForwarder(Action<object> heard, params Type[] types)
    {
        _types = types;
        ReceiveAny(heard);
    }

    protected override void PreStart()
    {
        foreach (var type in _types)
        {
            Context.System.EventStream.Subscribe(Self, type);
        }
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
