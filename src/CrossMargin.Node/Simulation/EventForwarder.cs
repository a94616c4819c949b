using System.Threading.Channels;
using CrossMargin.Actors;

namespace CrossMargin.Node.Simulation;

/// <summary>Writes every event of the given types from the actor system's event stream into a channel, for code outside the actors.</summary>
internal sealed class EventForwarder : ReceiveActor
{
    private readonly Type[] _types;

    public EventForwarder(ChannelWriter<object> writer, params Type[] types)
    {
        _types = types;
        ReceiveAny(message => writer.TryWrite(message));
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
