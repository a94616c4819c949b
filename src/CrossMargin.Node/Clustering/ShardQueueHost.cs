using System.Collections.Concurrent;
using CrossMargin.Actors;
using CrossMargin.Cluster.Coordination;
using CrossMargin.Cluster.Leases;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Persistence;

using CrossMargin.Node.Rejections;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// Serves the shards the cluster gives this node: a shard starts when its queue's consumer starts (its accounts then
/// start on their first delivery, writing under the shard's fence) and stops in the hand-off's phases: the consumer
/// stops taking deliveries and waits for those in flight (each acked once its events are durable; reads only while the
/// lease is surely held, see <see cref="LeaseBoundReads"/>), then the shard's accounts stop. The liquidation singleton (<see cref="LiquidationSingletonName"/>) runs the coordinator and the
/// insurance fund while the node holds its lease: on gain they start with their writes fenced by the lease, recover
/// from their journals and take the liquidation queue; on loss or hand-off the queue's consumer stops (in-flight
/// deliveries acked once handled; reads, as a shard's, only while the lease is surely held), then the actors stop, before
/// the lease is released.
/// </summary>
public sealed class ShardQueueHost : IClusterHost
{
    private readonly ConcurrentDictionary<int, ServedShard> _consumers = new();
    private readonly ILogger _log;
    private long _acknowledgedByStopped;
    private long _ackFramesByStopped;
    private RabbitMqConnection? _connection;
    private RiskEngine? _engine;
    private ShardDeliveries? _deliveries;
    private ConfirmingPublisher? _publisher;
    private string _nodeId = "";
    private LiquidationHosting? _hosting;
    private RunningLiquidation? _liquidation;

    /// <summary>The name of the liquidation singleton (its lease is <c>singleton/liquidation-coordinator</c>).</summary>
    public const string LiquidationSingletonName = "liquidation-coordinator";

    /// <summary>The coordinator and the fund while this node holds the liquidation singleton; null otherwise.</summary>
    public LiquidationSingleton? Liquidation => _liquidation?.Singleton;

    /// <summary>Creates the host; <see cref="Attach"/> it before the node joins.</summary>
    public ShardQueueHost(ILogger log) => _log = log ?? throw new ArgumentNullException(nameof(log));

    /// <summary>Deliveries acknowledged (their effects durable) on this node since it started, across every shard it served.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledgedByStopped) + _consumers.Values.Sum(c => c.Consumer.Acknowledged);

    /// <summary>basic.ack frames this node sent for <see cref="Acknowledged"/> (consecutive deliveries go in one).</summary>
    public long AckFrames => Interlocked.Read(ref _ackFramesByStopped) + _consumers.Values.Sum(c => c.Consumer.AckFrames);

    /// <summary>Where the venue's messages that skip ahead of their source wait; null until attached.</summary>
    public SequenceHold? Holds => _deliveries?.Hold;

    /// <summary>Takes what only nodes send from the cluster's RabbitMQ user alone; null until attached.</summary>
    internal ClusterUserCheck? ClusterUsers => _deliveries?.ClusterUsers;

    /// <summary>What handles the shards' deliveries, once attached.</summary>
    internal ShardDeliveries? Deliveries => _deliveries;

    /// <summary>The shards being consumed now.</summary>
    public IReadOnlyCollection<int> Consuming => _consumers.Keys.Order().ToArray();

    /// <summary>Gives the host the engine and broker it serves shards with.</summary>
    /// <param name="engine">The engine whose accounts the shards hold.</param>
    /// <param name="connection">The broker.</param>
    /// <param name="publisher">Publishes answers.</param>
    /// <param name="nodeId">This node.</param>
    /// <param name="sequenceGapHold">How long a venue message that skips ahead of its source is held (<see cref="SequenceHold"/>).</param>
    /// <param name="rejections">Where refused deliveries are recorded.</param>
    /// <param name="time">The clock refusals are stamped with.</param>
    /// <param name="leasesCurrent">Whether the node's leases are current: a read's answer waits until they are (null: always).</param>
    public void Attach(RiskEngine engine, RabbitMqConnection connection, ConfirmingPublisher publisher, string nodeId, TimeSpan sequenceGapHold,
        RejectionLog rejections, TimeProvider time, Func<bool>? leasesCurrent = null)
    {
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        var hold = new SequenceHold(sequenceGapHold, _log);
        Metrics.ClusterMetrics.Track(hold);
        _deliveries = new ShardDeliveries(engine, publisher, nodeId, connection.UserName, hold, new ShardRejections(rejections, publisher, connection.Names.Rejections, nodeId, time), _log)
        {
            LeasesCurrent = leasesCurrent ?? (static () => true),
        };
        _publisher = publisher;
        _nodeId = nodeId;
    }

    /// <summary>Gives the host what the liquidation singleton runs with; without it the singleton's lease is held but nothing runs.</summary>
    public void AttachLiquidation(PersistenceServices persistence, RequestClient requests, TimeSpan askTimeout, TimeSpan collectWindow) =>
        _hosting = new LiquidationHosting(persistence ?? throw new ArgumentNullException(nameof(persistence)), requests ?? throw new ArgumentNullException(nameof(requests)),
            askTimeout, collectWindow);

    /// <inheritdoc />
    public async Task StartShardAsync(int shardId, Lease lease, CancellationToken cancellationToken)
    {
        var deliveries = _deliveries ?? throw new InvalidOperationException("The shard host was not attached to an engine.");
        var inOrder = new InOrderShardHandler(shardId, deliveries.HandleAsync, _log);
        var reads = new LeaseBoundReads(inOrder.HandleAsync);
        deliveries.Hold.Open(shardId, () => inOrder.Retrying);
        // Declared again (a no-op when it exists): a queue the broker lost or an operator deleted cancelled its consumer,
        // the node gave the shard up, and without this every start would fail on the missing queue for good.
        await Topology.DeclareShardAsync(_connection!, shardId, cancellationToken).ConfigureAwait(false);
        var consumer = await ShardConsumer.StartAsync(_connection!, shardId, reads.HandleAsync, cancellationToken).ConfigureAwait(false);
        if (!_consumers.TryAdd(shardId, new ServedShard(consumer, inOrder, reads)))
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"Shard {shardId} is already consumed on this node.");
        }

        _log.LogInformation("Consuming shard {Shard} under lease epoch {Epoch}", shardId, lease.Epoch);

        // The shard's accounts run on this node from now on, not from their next message: each is re-margined on every
        // mark, and stress runs and dry-runs count it.
        var woken = await _engine!.WakeAccountsAsync(AccountTags.OpenedInShard(shardId), shardId, cancellationToken).ConfigureAwait(false);
        _log.LogInformation("Shard {Shard}: woke {Accounts} accounts from the journal", shardId, woken);
    }

    /// <inheritdoc />
    public async Task StopShardAsync(int shardId, StopReason reason, CancellationToken cancellationToken)
    {
        if (_consumers.TryRemove(shardId, out var served))
        {
            // In phases, each bounded: cancel (no new deliveries), drain in-flight handlers (acked once durable), return the
            // rest in delivery order, close. Deliveries that failed and wait for an in-order retry, and deliveries held for
            // a sequence gap, are given up at once rather than at the end of the drain: the shard's next owner may already
            // consume what came after them, so the sooner they are back in the queue the sooner it gets them (and, until
            // then, holds the later ones). Retrying them here after the lease was lost would only have them refused, or
            // answered out of order once the next owner applied later messages.
            var stopping = served.Consumer.StopAsync();
            served.InOrder.GiveUp();
            _deliveries?.Hold.Release(shardId);
            await DrainAsync(stopping, served.Reads, reason, cancellationToken).ConfigureAwait(false);
            await served.Consumer.DisposeAsync().ConfigureAwait(false);
            Interlocked.Add(ref _acknowledgedByStopped, served.Consumer.Acknowledged);
            Interlocked.Add(ref _ackFramesByStopped, served.Consumer.AckFrames);
        }
        else
        {
            // A start that failed before its consumer ran (the node stops it so): the hold was opened with that start's
            // in-order handler, and left open the next start would keep asking the dead handler whether the shard retries.
            // Released here, before any await, so a stop the node gave up waiting for cannot release a later start's hold.
            _deliveries?.Hold.Release(shardId);
        }

        if (_engine is { } engine)
        {
            await engine.Accounts.Ask<ShardStopped>(new StopShard(shardId), TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }

        _log.LogInformation("Stopped shard {Shard} ({Reason})", shardId, reason);
    }

    /// <summary>
    /// Waits for a stopping consumer's drain (<paramref name="stopping"/>), its reads answered only while the lease is
    /// surely held. A lost lease may have passed already (the node self-fences a third of a lease before expiry, but the
    /// drain may take HandlerDrainTimeout, 10 s): they are cut now and go back to the queue for the next holder. In a
    /// hand-off or a shutdown the node renews the lease while it waits for this stop, up to its hand-off timeout, then
    /// cancels <paramref name="cancellationToken"/> and releases the lease whether the drain ended or not: from then on the
    /// same holds. Writes drain as before, fenced. Call it once the consumer is stopping, so a cut read is returned to the
    /// queue, not counted a failure.
    /// </summary>
    private static async Task DrainAsync(Task stopping, LeaseBoundReads reads, StopReason reason, CancellationToken cancellationToken)
    {
        if (reason == StopReason.Lost)
        {
            reads.Cut();
        }

        using var released = cancellationToken.Register(reads.Cut);
        await stopping.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task StartSingletonAsync(string name, Lease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (name != LiquidationSingletonName || _hosting is not { } hosting || _engine is not { } engine)
        {
            _log.LogWarning("Singleton {Singleton} is not run on this node; its lease is held but nothing runs", name);
            return;
        }

        // The epoch never changes while this node holds the lease (renewals keep it): the fence is fixed for this run.
        var fence = lease.ToFence();
        var relay = new AccountRelay(hosting.Requests, _publisher!, _connection!.Names, hosting.AskTimeout, hosting.CollectWindow, _log);
        var singleton = engine.StartLiquidation(relay, hosting.Persistence with { Fence = () => fence }, lease.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // The asking node waits AskTimeout from its publish; the holder asks later (after the queue), so with the same
        // timeout the asker always gave up first and reported no singleton where one held it: the holder answers within
        // four fifths, and its 503 timedOut (outcome unknown, where to look) reaches the asker in time.
        // The node's view of its leases is asked at each read, not taken now: what the node says is current then.
        var shards = _deliveries!;
        var deliveries = new LiquidationDeliveries(singleton, _publisher!, _nodeId, shards.ClusterUsers, hosting.AskTimeout * 0.8, () => shards.LeasesCurrent(), _log);
        // Its reads are bound to the singleton's lease as a shard's are to the shard's (see StopSingletonAsync).
        var reads = new LeaseBoundReads(deliveries.HandleAsync, LeaseBoundReads.IsLiquidationRead);
        ShardConsumer consumer;
        try
        {
            consumer = await ShardConsumer.StartOnQueueAsync(_connection, _connection.Names.Liquidation, reads.HandleAsync, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await singleton.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            await relay.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _liquidation = new RunningLiquidation(singleton, relay, consumer, reads);
        _log.LogInformation("Liquidation coordinator and insurance fund run on this node under lease epoch {Epoch}", lease.Epoch);
    }

    /// <inheritdoc />
    public async Task StopSingletonAsync(string name, StopReason reason, CancellationToken cancellationToken)
    {
        if (name != LiquidationSingletonName || Interlocked.Exchange(ref _liquidation, null) is not { } running)
        {
            return;
        }

        // In phases: no new deliveries (in-flight ones acked once the coordinator has them; reads only while the lease is
        // surely held, as a shard's), then the actors, then the relay.
        await DrainAsync(running.Consumer.StopAsync(), running.Reads, reason, cancellationToken).ConfigureAwait(false);
        await running.Consumer.DisposeAsync().ConfigureAwait(false);
        if (!await running.Singleton.StopAsync(TimeSpan.FromSeconds(10)).WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            _log.LogWarning("The liquidation actors did not stop in time; their writes are fenced by the lease's epoch");
        }

        await running.Relay.DisposeAsync().ConfigureAwait(false);
        _log.LogInformation("Liquidation coordinator and insurance fund stopped on this node ({Reason})", reason);
    }

    /// <inheritdoc />
    /// <remarks>False once the broker cancelled the shard's consumer or closed its channel for good (its queue deleted or unavailable): nobody consumes the queue.</remarks>
    public bool IsServingShard(int shardId) => !_consumers.TryGetValue(shardId, out var served) || !served.Consumer.Completion.IsCompleted;

    /// <inheritdoc />
    /// <remarks>
    /// False once the coordinator or the fund stopped (a persistent actor whose write failed stops, through a database
    /// outage as well as a fence) or the liquidation queue's consumer was lost: breach reports would only time out.
    /// </remarks>
    public bool IsRunningSingleton(string name) =>
        name != LiquidationSingletonName || Volatile.Read(ref _liquidation) is not { } running
        || !(running.Singleton.Stopped.IsCompleted || running.Consumer.Completion.IsCompleted);

    /// <summary>Drops every consumer without waiting, as a crash would (their unacked deliveries go back to the queues).</summary>
    internal async Task AbandonAsync()
    {
        if (Interlocked.Exchange(ref _liquidation, null) is { } running)
        {
            await running.Consumer.DisposeAsync().ConfigureAwait(false);
            await running.Relay.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var shard in _consumers.Keys.ToArray())
        {
            if (_consumers.TryRemove(shard, out var served))
            {
                await served.Consumer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private sealed record ServedShard(ShardConsumer Consumer, InOrderShardHandler InOrder, LeaseBoundReads Reads);

    private sealed record LiquidationHosting(PersistenceServices Persistence, RequestClient Requests, TimeSpan AskTimeout, TimeSpan CollectWindow);

    private sealed record RunningLiquidation(LiquidationSingleton Singleton, AccountRelay Relay, ShardConsumer Consumer, LeaseBoundReads Reads);
}
