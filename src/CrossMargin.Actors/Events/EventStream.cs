using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace CrossMargin.Actors.Events;

/// <summary>
/// In-node publish/subscribe by type: a subscriber to a type receives every published event assignable to
/// it (subscribing to <see cref="object"/> receives everything). Publishing is lock-free; subscribers that stop
/// are removed automatically.
/// </summary>
[SuppressMessage("Naming", "CA1711", Justification = "Akka.NET's name for it; not a System.IO.Stream.")]
public sealed class EventStream
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<IActorRef, byte> _subscribers = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<Type, IActorRef[]> _routes = new();
    private (Type Channel, IActorRef Subscriber)[] _subscriptions = [];

    internal EventStream()
    {
    }

    /// <summary>Subscribes <paramref name="subscriber"/> to events of <paramref name="channel"/> and its subtypes.</summary>
    /// <returns>False if it was already subscribed to that channel.</returns>
    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        lock (_gate)
        {
            if (Array.Exists(_subscriptions, s => s.Channel == channel && ReferenceEquals(s.Subscriber, subscriber)))
            {
                return false;
            }

            _subscriptions = [.. _subscriptions, (channel, subscriber)];
            _subscribers[subscriber] = 0;
            _routes.Clear();
            return true;
        }
    }

    /// <summary>Removes one subscription.</summary>
    /// <returns>False if there was none.</returns>
    public bool Unsubscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        return Remove(s => s.Channel == channel && ReferenceEquals(s.Subscriber, subscriber), subscriber);
    }

    /// <summary>Removes every subscription of <paramref name="subscriber"/>.</summary>
    public void Unsubscribe(IActorRef subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        if (_subscribers.ContainsKey(subscriber))
        {
            Remove(s => ReferenceEquals(s.Subscriber, subscriber), subscriber);
        }
    }

    /// <summary>Delivers <paramref name="event"/> to every subscriber of its type or a base type or interface of it.</summary>
    public void Publish(object @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var type = @event.GetType();
        if (!_routes.TryGetValue(type, out var route))
        {
            route = Route(type);
        }

        foreach (var subscriber in route)
        {
            subscriber.Tell(@event, null);
        }
    }

    private IActorRef[] Route(Type type)
    {
        lock (_gate)
        {
            var route = _subscriptions.Where(s => s.Channel.IsAssignableFrom(type)).Select(s => s.Subscriber)
                .Distinct(ReferenceEqualityComparer.Instance).Cast<IActorRef>().ToArray();
            _routes[type] = route;
            return route;
        }
    }

    private bool Remove(Func<(Type Channel, IActorRef Subscriber), bool> match, IActorRef subscriber)
    {
        lock (_gate)
        {
            var kept = _subscriptions.Where(s => !match(s)).ToArray();
            if (kept.Length == _subscriptions.Length)
            {
                return false;
            }

            _subscriptions = kept;
            if (!Array.Exists(kept, s => ReferenceEquals(s.Subscriber, subscriber)))
            {
                _subscribers.TryRemove(subscriber, out _);
            }

            _routes.Clear();
            return true;
        }
    }
}
