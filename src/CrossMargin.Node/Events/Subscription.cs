using System.Threading.Channels;

namespace CrossMargin.Node.Events;

/// <summary>One client's view of the <see cref="EventHub"/>.</summary>
public sealed class Subscription(ChannelReader<NodeEvent> reader, Action unsubscribe) : IDisposable
{
    /// <summary>The events, in publication order.</summary>
    public ChannelReader<NodeEvent> Reader { get; } = reader;

    /// <inheritdoc/>
    public void Dispose() => unsubscribe();
}
