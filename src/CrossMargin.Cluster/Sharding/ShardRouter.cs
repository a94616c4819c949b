using CrossMargin.Actors;

namespace CrossMargin.Cluster.Sharding;

/// <summary>
/// Sends envelopes into a <see cref="ShardRegion"/> it started, straight to a running shard's mailbox when it can: a
/// message then skips the region's mailbox turn (a thread-pool work item and an envelope) and the region stops being
/// one queue every message of the node passes through. Anything else (a shard not started yet, or being stopped, an
/// envelope the region would drop) goes through the region exactly as a <c>Tell</c> to it would.
/// </summary>
/// <remarks>
/// Order: the region publishes a shard here only once it has forwarded every envelope sent for it through this router,
/// and an envelope goes straight to the shard only while none is still on its way through the region. So a sender
/// that sends all its envelopes through one router keeps their order (a shard's mailbox is FIFO), across a shard's
/// start and its stop. Envelopes told to the region directly are unaffected; a sender should not mix the two paths.
/// A stopping shard is unpublished before it is told to stop, so from then on its envelopes go through the region,
/// which treats them as it always did.
/// </remarks>
public sealed class ShardRouter
{
    private readonly IActorRef?[] _running;
    private readonly int[] _throughRegion;
    private readonly int _shardCount;

    private ShardRouter(int shardCount)
    {
        _shardCount = shardCount;
        _running = new IActorRef?[shardCount];
        _throughRegion = new int[shardCount];
        Region = ActorRefs.Nobody;
    }

    /// <summary>The region behind the router: broadcasts, stats and <see cref="StopShard"/> go to it.</summary>
    public IActorRef Region { get; private set; }

    /// <summary>Starts a region of <paramref name="settings"/> under <paramref name="factory"/> (as <see cref="ShardRegion.Start"/>) with a router into it.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public static ShardRouter Start(IActorRefFactory factory, ShardRegionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var router = new ShardRouter(settings.ShardCount);
        router.Region = factory.ActorOf(ShardRegion.RoutedProps(settings, router), settings.TypeName);
        return router;
    }

    /// <summary>Sends <paramref name="envelope"/> with <paramref name="sender"/>, as telling it to <see cref="Region"/> would.</summary>
    public void Tell(ShardEnvelope envelope, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (TryRunning(envelope, out var shard, out var shardId))
        {
            shard.Tell(envelope, sender);
            return;
        }

        Region.Tell(ThroughRegion(envelope, shardId), sender);
    }

    /// <summary>Asks with <paramref name="envelope"/> (see <see cref="AskExtensions.Ask{T}"/>): the entity's reply completes the task.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is zero or negative.</exception>
    public Task<T> Ask<T>(ShardEnvelope envelope, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        // Checked before the envelope is counted as on its way through the region: Ask would throw before sending it.
        if (timeout is { } wait)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(wait, TimeSpan.Zero, nameof(timeout));
        }

        return TryRunning(envelope, out var shard, out var shardId)
            ? shard.Ask<T>(envelope, timeout, cancellationToken)
            : Region.Ask<T>(ThroughRegion(envelope, shardId), timeout, cancellationToken);
    }

    /// <summary>Called by the region once it has handed on an envelope this router counted (or failed to).</summary>
    internal void Forwarded(int shardId) => Interlocked.Decrement(ref _throughRegion[shardId]);

    /// <summary>Called by the region on its turn once <paramref name="shard"/> runs and received every counted envelope routed so far.</summary>
    internal void Publish(int shardId, IActorRef shard) => Volatile.Write(ref _running[shardId], shard);

    /// <summary>Withdraws <paramref name="shard"/> if it is still the one published (a stopping or stopped shard).</summary>
    internal void Unpublish(int shardId, IActorRef shard) => Interlocked.CompareExchange(ref _running[shardId], null, shard);

    private bool TryRunning(ShardEnvelope envelope, out IActorRef shard, out int shardId)
    {
        shard = ActorRefs.Nobody;
        shardId = -1;
        if (string.IsNullOrEmpty(envelope.EntityId))
        {
            return false;
        }

        shardId = envelope.ShardId ?? ShardIds.Of(envelope.EntityId, _shardCount);
        if (shardId < 0 || shardId >= _shardCount)
        {
            // The region logs and drops it, as before.
            shardId = -1;
            return false;
        }

        // The counter first: when it reads zero, every envelope counted before (by this thread, in particular) has been
        // forwarded into the shard's mailbox, so this one cannot overtake it.
        if (Volatile.Read(ref _throughRegion[shardId]) != 0 || Volatile.Read(ref _running[shardId]) is not { } running)
        {
            return false;
        }

        shard = running;
        return true;
    }

    private object ThroughRegion(ShardEnvelope envelope, int shardId)
    {
        if (shardId < 0)
        {
            return envelope;
        }

        Interlocked.Increment(ref _throughRegion[shardId]);
        return new RouteEnvelope(envelope, shardId);
    }
}
