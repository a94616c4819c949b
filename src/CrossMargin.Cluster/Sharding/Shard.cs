using CrossMargin.Actors;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Cluster.Sharding;

/// <summary>
/// One shard of a <see cref="ShardRegion"/>: starts its entities on first message, watches them, forgets them when
/// they stop, and keeps the topic index behind <see cref="ShardBroadcast"/>.
/// </summary>
/// <remarks>
/// Delivery: a message for a passivating entity is buffered and handed, in order, to the entity started afresh once
/// the old one stopped. An entity that stops on its own (a persistent actor whose write failed) is only known to have
/// stopped when its <see cref="Terminated"/> arrives; messages forwarded to it in between become dead letters, which
/// the kernel counts and logs (never silently dropped), and the next message starts it again. In the cluster the
/// RabbitMQ delivery is acknowledged only after the entity persisted, so such a message is redelivered.
/// </remarks>
internal sealed class Shard : ActorBase
{
    private readonly int _shardId;
    private readonly Func<string, Props> _entityProps;
    private readonly ShardRouter? _router;
    private readonly Dictionary<string, IActorRef> _entities = new(StringComparer.Ordinal);

    // Topic -> interested entity ids, and each entity's topics (to undo them on replacement or stop).
    private readonly Dictionary<string, HashSet<string>> _subscribers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _interests = new(StringComparer.Ordinal);

    // Made on first passivation: most shards never passivate anything.
    private Dictionary<string, List<(object Message, IActorRef? Sender)>>? _passivating;

    public Shard(int shardId, Func<string, Props> entityProps, ShardRouter? router)
    {
        _shardId = shardId;
        _entityProps = entityProps;
        _router = router;
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        // A shard stopped by its supervisor is withdrawn at once rather than when the region hears of it: envelopes sent
        // straight to it meanwhile would become dead letters.
        _router?.Unpublish(_shardId, Self);
        base.PostStop();
    }

    /// <inheritdoc />
    protected override void PostRestart(Exception reason)
    {
        // The same mailbox lives on: undo the PostStop that ran on the failed instance.
        _router?.Publish(_shardId, Self);
        base.PostRestart(reason);
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case ShardEnvelope envelope:
                Deliver(envelope.EntityId, envelope.Message, Sender);
                return true;
            case ShardBroadcast broadcast:
                Broadcast(broadcast);
                return true;
            case RegisterInterest interest:
                Register(interest);
                return true;
            case Passivate passivate:
                StartPassivation(passivate);
                return true;
            case Terminated terminated:
                OnEntityStopped(terminated.ActorRef);
                return true;
            case GetShardEntityCount:
                Sender.Tell(new ShardEntityCount(_shardId, _entities.Count), Self);
                return true;
            default:
                return false;
        }
    }

    private void Deliver(string entityId, object message, IActorRef? sender)
    {
        if (_passivating is not null && _passivating.TryGetValue(entityId, out var buffer))
        {
            buffer.Add((message, sender));
            return;
        }

        EntityFor(entityId).Tell(message, sender);
    }

    private IActorRef EntityFor(string entityId)
    {
        if (!_entities.TryGetValue(entityId, out var entity))
        {
            entity = Context.ActorOf(_entityProps(entityId), EntityNames.Encode(entityId));
            Context.Watch(entity);
            _entities.Add(entityId, entity);
        }

        return entity;
    }

    private void Broadcast(ShardBroadcast broadcast)
    {
        HashSet<string>? delivered = broadcast.Topics.Count > 1 ? new(StringComparer.Ordinal) : null;
        foreach (var topic in broadcast.Topics)
        {
            if (!_subscribers.TryGetValue(topic, out var ids))
            {
                continue;
            }

            foreach (var id in ids)
            {
                // A passivating entity is stopping; it reads the newest state when it starts again.
                if ((delivered is null || delivered.Add(id)) && _entities.TryGetValue(id, out var entity) && _passivating?.ContainsKey(id) != true)
                {
                    entity.Tell(broadcast.Message, Sender);
                }
            }
        }
    }

    private void Register(RegisterInterest interest)
    {
        if (!_entities.TryGetValue(interest.EntityId, out var entity) || !Equals(entity, Sender))
        {
            // Only a live entity speaks for itself; a late message from a stopped one must not resurrect its interest.
            Context.Log.LogDebug("Shard {ShardId}: interest for {EntityId} from {Sender} ignored: not that live entity", _shardId, interest.EntityId, Sender);
            return;
        }

        RemoveInterest(interest.EntityId);
        if (interest.Topics.Count == 0)
        {
            return;
        }

        var topics = TopicSets.Default.Share(interest.Topics.ToArray());
        _interests[interest.EntityId] = topics;
        foreach (var topic in topics)
        {
            if (!_subscribers.TryGetValue(topic, out var ids))
            {
                _subscribers[topic] = ids = new HashSet<string>(StringComparer.Ordinal);
            }

            ids.Add(interest.EntityId);
        }
    }

    private void RemoveInterest(string entityId)
    {
        if (!_interests.Remove(entityId, out var topics))
        {
            return;
        }

        foreach (var topic in topics)
        {
            if (_subscribers.TryGetValue(topic, out var ids) && ids.Remove(entityId) && ids.Count == 0)
            {
                _subscribers.Remove(topic);
            }
        }
    }

    private void StartPassivation(Passivate passivate)
    {
        var entityId = EntityNames.Decode(Sender.Name);
        if (!_entities.TryGetValue(entityId, out var entity) || !Equals(entity, Sender))
        {
            return;
        }

        _passivating ??= new(StringComparer.Ordinal);
        if (_passivating.TryAdd(entityId, []))
        {
            entity.Tell(passivate.StopMessage, Self);
        }
    }

    private void OnEntityStopped(IActorRef stopped)
    {
        var entityId = EntityNames.Decode(stopped.Name);
        if (!_entities.TryGetValue(entityId, out var entity) || !Equals(entity, stopped))
        {
            return;
        }

        _entities.Remove(entityId);
        RemoveInterest(entityId);
        if (_passivating is null || !_passivating.Remove(entityId, out var buffer))
        {
            return;
        }

        if (_passivating.Count == 0)
        {
            _passivating = null;
        }

        if (buffer.Count > 0)
        {
            var restarted = EntityFor(entityId);
            foreach (var (message, sender) in buffer)
            {
                restarted.Tell(message, sender);
            }
        }
    }
}
