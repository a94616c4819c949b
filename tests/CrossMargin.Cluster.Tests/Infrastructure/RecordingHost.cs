using System.Collections.Concurrent;
using CrossMargin.Cluster.Coordination;
using CrossMargin.Cluster.Leases;

namespace CrossMargin.Cluster.Tests.Infrastructure;

/// <summary>What each node was told to start and stop, in one order across all nodes of a test.</summary>
public sealed class HostLog
{
    private long _sequence;

    public ConcurrentQueue<HostEvent> Events { get; } = new();

    public void Add(string node, string what, string subject, long epoch) =>
        Events.Enqueue(new HostEvent(Interlocked.Increment(ref _sequence), node, what, subject, epoch));
}

/// <summary>One call a node made on its host.</summary>
public sealed record HostEvent(long Sequence, string Node, string What, string Subject, long Epoch);

/// <summary>A cluster host that only records what it is asked to do.</summary>
public sealed class RecordingHost(string node, HostLog log) : IClusterHost
{
    public Task StartShardAsync(int shardId, Lease lease, CancellationToken cancellationToken)
    {
        log.Add(node, "start", $"shard {shardId}", lease.Epoch);
        return Task.CompletedTask;
    }

    public Task StopShardAsync(int shardId, StopReason reason, CancellationToken cancellationToken)
    {
        log.Add(node, "stop-" + reason, $"shard {shardId}", 0);
        return Task.CompletedTask;
    }

    public Task StartSingletonAsync(string name, Lease lease, CancellationToken cancellationToken)
    {
        log.Add(node, "start", name, lease.Epoch);
        return Task.CompletedTask;
    }

    public Task StopSingletonAsync(string name, StopReason reason, CancellationToken cancellationToken)
    {
        log.Add(node, "stop-" + reason, name, 0);
        return Task.CompletedTask;
    }
}
