using System.Collections.Concurrent;
using CrossMargin.Cluster.Coordination;
using CrossMargin.Cluster.Leases;

namespace CrossMargin.Cluster.Tests.Infrastructure;

/// <summary>
/// A recording host that fails the first start of chosen subjects (as a broker in recovery or a journal outage would
/// fail a shard's consumer or a singleton's recovery) and takes as long as told to stop chosen shards (a slow drain).
/// </summary>
public sealed class FaultyHost(string node, HostLog log) : IClusterHost
{
    private readonly RecordingHost _inner = new(node, log);
    private readonly ConcurrentDictionary<string, bool> _failOnce = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, TimeSpan> _slowStops = new();
    private readonly ConcurrentDictionary<string, bool> _broken = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, Func<Task>> _afterStops = new();
    private readonly ConcurrentDictionary<string, Func<Task>> _during = new(StringComparer.Ordinal);
    private Action? _onServingCheck;
    private TimeSpan _startDuration;
    private readonly ConcurrentDictionary<int, bool> _failStops = new();

    /// <summary>The next start of <paramref name="subject"/> (<c>shard 3</c>, <c>liquidation-coordinator</c>) throws.</summary>
    public void FailNextStart(string subject) => _failOnce[subject] = true;

    /// <summary>Runs <paramref name="then"/> once shard <paramref name="shardId"/> has stopped, before the node goes on (to release its lease).</summary>
    public void AfterStop(int shardId, Func<Task> then) => _afterStops[shardId] = then;

    /// <summary><paramref name="subject"/>, running, stops being served (its consumer lost, its actors stopped) until it is started again.</summary>
    public void Break(string subject) => _broken[subject] = true;

    /// <summary>
    /// Runs <paramref name="then"/> once, at the node's next check of what it serves: in the middle of a tick, after the
    /// node renewed its leases and before it plans, as if the node froze there while the world went on.
    /// </summary>
    public void OnNextServingCheck(Action then) => _onServingCheck = then;

    /// <summary>The next stop of shard <paramref name="shardId"/> throws before anything stops (a host that cannot stop it).</summary>
    public void FailNextStop(int shardId) => _failStops[shardId] = true;

    /// <summary>
    /// The next start of shard <paramref name="shardId"/> runs <paramref name="during"/> before it completes, deaf to the
    /// node's cancellation (a consumer starting, accounts waking from the journal, while the node's tick is cancelled).
    /// </summary>
    public void DuringStart(int shardId, Func<Task> during) => _during[$"start shard {shardId}"] = during;

    /// <summary>The next stop of shard <paramref name="shardId"/> runs <paramref name="during"/> before it completes (a drain under way).</summary>
    public void DuringStop(int shardId, Func<Task> during) => _during[$"stop shard {shardId}"] = during;

    /// <summary>Every later start of a shard takes <paramref name="duration"/> (a consumer declared, accounts woken).</summary>
    public void SlowStarts(TimeSpan duration) => _startDuration = duration;

    /// <summary>Stopping shard <paramref name="shardId"/> takes <paramref name="duration"/>.</summary>
    public void SlowStop(int shardId, TimeSpan duration) => _slowStops[shardId] = duration;

    public async Task StartShardAsync(int shardId, Lease lease, CancellationToken cancellationToken)
    {
        ThrowIfFailing(node, $"shard {shardId}", lease.Epoch);
        _broken.TryRemove($"shard {shardId}", out _);
        if (_startDuration > TimeSpan.Zero)
        {
            await Task.Delay(_startDuration, cancellationToken);
        }

        if (_during.TryRemove($"start shard {shardId}", out var during))
        {
            await during();
        }

        await _inner.StartShardAsync(shardId, lease, cancellationToken);
    }

    public async Task StopShardAsync(int shardId, StopReason reason, CancellationToken cancellationToken)
    {
        if (_failStops.TryRemove(shardId, out _))
        {
            log.Add(node, "stop-failed", $"shard {shardId}", 0);
            throw new InvalidOperationException($"shard {shardId} could not stop on {node} (injected)");
        }

        if (_slowStops.TryRemove(shardId, out var duration))
        {
            await Task.Delay(duration, cancellationToken);
        }

        if (_during.TryRemove($"stop shard {shardId}", out var during))
        {
            await during();
        }

        await _inner.StopShardAsync(shardId, reason, cancellationToken);
        if (_afterStops.TryRemove(shardId, out var then))
        {
            await then();
        }
    }

    public Task StartSingletonAsync(string name, Lease lease, CancellationToken cancellationToken)
    {
        ThrowIfFailing(node, name, lease.Epoch);
        _broken.TryRemove(name, out _);
        return _inner.StartSingletonAsync(name, lease, cancellationToken);
    }

    public Task StopSingletonAsync(string name, StopReason reason, CancellationToken cancellationToken) => _inner.StopSingletonAsync(name, reason, cancellationToken);

    public bool IsServingShard(int shardId)
    {
        Interlocked.Exchange(ref _onServingCheck, null)?.Invoke();
        return !_broken.ContainsKey($"shard {shardId}");
    }

    public bool IsRunningSingleton(string name) => !_broken.ContainsKey(name);

    private void ThrowIfFailing(string nodeId, string subject, long epoch)
    {
        if (_failOnce.TryRemove(subject, out _))
        {
            log.Add(nodeId, "start-failed", subject, epoch);
            throw new InvalidOperationException($"{subject} could not start on {nodeId} (injected)");
        }
    }
}
