using System.Threading.Channels;

namespace CrossMargin.Node.Events;

/// <summary>
/// Fans node events out to every <c>/api/events</c> subscriber. Each subscriber has a bounded queue that drops its
/// oldest events when the client reads too slowly: a slow dashboard must never hold up the engine or other clients.
/// </summary>
public sealed class EventHub
{
    private const int QueueLength = 1_000;
    private readonly Lock _lock = new();
    private readonly List<Channel<NodeEvent>> _subscribers = [];
    private PriceBoard? _prices;

    /// <summary>The newest price board, or null before the first market.</summary>
    public PriceBoard? Prices => Volatile.Read(ref _prices);

    /// <summary>A new subscription; dispose it to unsubscribe.</summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<NodeEvent>(new BoundedChannelOptions(QueueLength)
        {
            FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true,
        });
        lock (_lock)
        {
            _subscribers.Add(channel);
        }

        return new Subscription(channel.Reader, () =>
        {
            lock (_lock)
            {
                _subscribers.Remove(channel);
            }
        });
    }

    /// <summary>Sends <paramref name="event"/> to every subscriber.</summary>
    public void Publish(NodeEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (@event.Data is PriceBoard board)
        {
            Volatile.Write(ref _prices, board);
        }

        lock (_lock)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(@event);
            }
        }
    }

    /// <summary>How many clients are subscribed.</summary>
    public int Subscribers
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count;
            }
        }
    }
}
