using CrossMargin.Actors;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Cluster.Sharding;

/// <summary>
/// The entry point to the entities of one type on this node, shaped after Akka.Cluster.Sharding's shard region: send
/// it a <see cref="ShardEnvelope"/> and the entity with that id receives the message (started on demand, the sender
/// kept); send it a <see cref="ShardBroadcast"/> and every live entity interested in one of its topics receives it once.
/// Entities are children of their shard, shards (started on demand, one per <see cref="ShardIds.Of"/>) children of
/// the region. This is the in-process region: all shards live here. The cluster's region takes the same messages and
/// hands envelopes of shards held elsewhere to their queues.
/// </summary>
public sealed class ShardRegion : ActorBase
{
    private readonly ShardRegionSettings _settings;
    private readonly Dictionary<int, IActorRef> _shards = [];
    private readonly Dictionary<int, List<IActorRef>> _stopping = [];
    private readonly ShardRouter? _router;

    private ShardRegion(ShardRegionSettings settings, ShardRouter? router)
    {
        _settings = settings;
        _router = router;
    }

    /// <summary>The props of a region for <paramref name="settings"/>, validated now rather than when the actor starts.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public static Props Props(ShardRegionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        return Actors.Props.Create(() => new ShardRegion(settings, null));
    }

    /// <summary>The props of a region that publishes its running shards to <paramref name="router"/>.</summary>
    internal static Props RoutedProps(ShardRegionSettings settings, ShardRouter router) => Actors.Props.Create(() => new ShardRegion(settings, router));

    /// <summary>Starts a region of <paramref name="settings"/> under <paramref name="factory"/>, named after its type.</summary>
    public static IActorRef Start(IActorRefFactory factory, ShardRegionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(settings);
        return factory.ActorOf(Props(settings), settings.TypeName);
    }

    /// <summary>
    /// The id of the entity <paramref name="entity"/>, read from its name (a shard names each entity after its id). Lets
    /// every entity of a region share one <see cref="Props"/> instead of holding props and a closure of its own.
    /// </summary>
    public static string EntityIdOf(IActorRef entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return EntityNames.Decode(entity.Path.Name);
    }

    /// <inheritdoc />
    protected override bool Receive(object message)
    {
        switch (message)
        {
            case ShardEnvelope envelope:
                Route(envelope);
                return true;
            case RouteEnvelope routed:
                try
                {
                    Route(routed.Envelope);
                }
                finally
                {
                    // Even when routing threw: an envelope left counted would keep the shard's senders on this path for good.
                    _router!.Forwarded(routed.ShardId);
                }

                return true;
            case ShardBroadcast broadcast:
                foreach (var shard in _shards.Values)
                {
                    shard.Forward(broadcast);
                }

                return true;
            case GetShardRegionStats:
                ReplyStats();
                return true;
            case StopShard stop:
                Stop(stop.ShardId);
                return true;
            case Terminated terminated:
                // A shard stops when it is handed off, or when its supervisor gave up on it; the next envelope starts it afresh.
                foreach (var (id, shard) in _shards)
                {
                    if (Equals(shard, terminated.ActorRef))
                    {
                        _router?.Unpublish(id, shard);
                        _shards.Remove(id);
                        if (_stopping.Remove(id, out var requesters))
                        {
                            requesters.ForEach(r => r.Tell(new ShardStopped(id), Self));
                        }

                        break;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    private void Route(ShardEnvelope envelope)
    {
        if (string.IsNullOrEmpty(envelope.EntityId))
        {
            Context.Log.LogWarning("{TypeName}: an envelope without an entity id ({MessageType}) was dropped", _settings.TypeName, envelope.Message?.GetType().Name);
            Unhandled(envelope);
            return;
        }

        var shardId = envelope.ShardId ?? ShardIds.Of(envelope.EntityId, _settings.ShardCount);
        if (shardId < 0 || shardId >= _settings.ShardCount)
        {
            Context.Log.LogWarning("{TypeName}: an envelope for {EntityId} named shard {ShardId}, outside 0..{Max}; dropped", _settings.TypeName, envelope.EntityId, shardId, _settings.ShardCount - 1);
            Unhandled(envelope);
            return;
        }

        if (!_shards.TryGetValue(shardId, out var shard))
        {
            var entityProps = _settings.ShardEntityProps is { } perShard ? (Func<string, Props>)(id => perShard(shardId, id)) : _settings.EntityProps;
            var router = _router;
            shard = Context.ActorOf(Actors.Props.Create(() => new Shard(shardId, entityProps, router)), "shard-" + shardId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Context.Watch(shard);
            _shards.Add(shardId, shard);

            // The router sends straight to the shard only while nothing counted for it is still queued here, so
            // publishing it before this envelope is forwarded cannot let a later one overtake it.
            _router?.Publish(shardId, shard);
        }

        shard.Forward(envelope);
    }

    private void Stop(int shardId)
    {
        if (!_shards.TryGetValue(shardId, out var shard))
        {
            Sender.Tell(new ShardStopped(shardId), Self);
            return;
        }

        if (!_stopping.TryGetValue(shardId, out var requesters))
        {
            _stopping[shardId] = requesters = [];

            // Withdrawn first, so that from now on its envelopes come through here, as they did before there was a router.
            _router?.Unpublish(shardId, shard);
            Context.Stop(shard);
        }

        requesters.Add(Sender);
    }

    private void ReplyStats()
    {
        if (_shards.Count == 0)
        {
            Sender.Tell(new ShardRegionStats(new SortedDictionary<int, int>()), Self);
            return;
        }

        var shards = _shards.Values.ToArray();
        var replyTo = Sender;
        Context.ActorOf(Actors.Props.Create(() => new ShardStatsCollector(shards, replyTo)));
    }
}
