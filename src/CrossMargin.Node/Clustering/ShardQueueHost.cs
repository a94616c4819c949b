using System.Collections.Concurrent;
using CrossMargin.Actors;
using CrossMargin.Cluster.Coordination;
using CrossMargin.Cluster.Leases;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine;

namespace CrossMargin.Node.Clustering;

/// <summary>
/// Serves the shards the cluster gives this node: a shard starts when its queue's consumer starts (its accounts then
/// start on their first delivery, writing under the shard's fence) and stops in the hand-off's phases: the consumer
/// stops taking deliveries and waits for those in flight (each acked once its events are durable), then the shard's
/// accounts stop. Singletons other than the shard coordinator are not run on cluster nodes yet.
/// </summary>
public sealed class ShardQueueHost : IClusterHost
{
    private readonly ConcurrentDictionary<int, ShardConsumer> _consumers = new();
    private readonly ILogger _log;
    private long _acknowledgedByStopped;
    private RabbitMqConnection? _connection;
    private RiskEngine? _engine;
    private ShardDeliveries? _deliveries;

    /// <summary>Creates the host; <see cref="Attach"/> it before the node joins.</summary>
    public ShardQueueHost(ILogger log) => _log = log ?? throw new ArgumentNullException(nameof(log));

    /// <summary>Deliveries acknowledged (their effects durable) on this node since it started, across every shard it served.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledgedByStopped) + _consumers.Values.Sum(c => c.Acknowledged);

    /// <summary>The shards being consumed now.</summary>
    public IReadOnlyCollection<int> Consuming => _consumers.Keys.Order().ToArray();

    /// <summary>Gives the host the engine and broker it serves shards with.</summary>
    public void Attach(RiskEngine engine, RabbitMqConnection connection, ConfirmingPublisher publisher, string nodeId)
    {
        _engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _deliveries = new ShardDeliveries(engine, publisher, nodeId, _log);
    }

    /// <inheritdoc />
    public async Task StartShardAsync(int shardId, Lease lease, CancellationToken cancellationToken)
    {
        var deliveries = _deliveries ?? throw new InvalidOperationException("The shard host was not attached to an engine.");
        var inOrder = new InOrderShardHandler(shardId, deliveries.HandleAsync, _log);
        var consumer = await ShardConsumer.StartAsync(_connection!, shardId, inOrder.HandleAsync, cancellationToken).ConfigureAwait(false);
        if (!_consumers.TryAdd(shardId, consumer))
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"Shard {shardId} is already consumed on this node.");
        }

        _log.LogInformation("Consuming shard {Shard} under lease epoch {Epoch}", shardId, lease.Epoch);
    }

    /// <inheritdoc />
    public async Task StopShardAsync(int shardId, StopReason reason, CancellationToken cancellationToken)
    {
        if (_consumers.TryRemove(shardId, out var consumer))
        {
            // In phases, each bounded: cancel (no new deliveries), drain in-flight handlers (acked once durable), close.
            await consumer.DisposeAsync().ConfigureAwait(false);
            Interlocked.Add(ref _acknowledgedByStopped, consumer.Acknowledged);
        }

        if (_engine is { } engine)
        {
            await engine.Accounts.Ask<ShardStopped>(new StopShard(shardId), TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }

        _log.LogInformation("Stopped shard {Shard} ({Reason})", shardId, reason);
    }

    /// <inheritdoc />
    public Task StartSingletonAsync(string name, Lease lease, CancellationToken cancellationToken)
    {
        _log.LogWarning("Singleton {Singleton} is not run on cluster nodes yet; its lease is held but nothing runs", name);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopSingletonAsync(string name, StopReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Drops every consumer without waiting, as a crash would (their unacked deliveries go back to the queues).</summary>
    internal async Task AbandonAsync()
    {
        foreach (var shard in _consumers.Keys.ToArray())
        {
            if (_consumers.TryRemove(shard, out var consumer))
            {
                await consumer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
