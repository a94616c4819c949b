using CrossMargin.Cluster.Leases;

namespace CrossMargin.Cluster.Coordination;

/// <summary>
/// What a node does when the cluster gives it a shard or a singleton or takes one away: in a node, start or stop
/// consuming the shard's queue and its entities, or start or stop the singleton actor. Calls for one shard or singleton
/// never overlap (unless one overran the hand-off timeout, which bounds each); calls for different ones may: a node
/// that self-fences stops everything at once, beside a start its cancelled tick may still have under way.
/// </summary>
public interface IClusterHost
{
    /// <summary>This node now holds <paramref name="lease"/> for shard <paramref name="shardId"/>: start serving it, writing under the lease's fence.</summary>
    Task StartShardAsync(int shardId, Lease lease, CancellationToken cancellationToken);

    /// <summary>Stop serving shard <paramref name="shardId"/>: for a hand-off, stop consuming, finish in-flight work and stop its entities before returning.</summary>
    Task StopShardAsync(int shardId, StopReason reason, CancellationToken cancellationToken);

    /// <summary>This node now holds the lease of singleton <paramref name="name"/>: start it.</summary>
    Task StartSingletonAsync(string name, Lease lease, CancellationToken cancellationToken);

    /// <summary>Stop singleton <paramref name="name"/>.</summary>
    Task StopSingletonAsync(string name, StopReason reason, CancellationToken cancellationToken);

    /// <summary>
    /// False once shard <paramref name="shardId"/>, started, is no longer served for a reason of the host's own (its
    /// queue's consumer was cancelled by the broker): the node then gives the shard up and takes it again at a new epoch.
    /// </summary>
    bool IsServingShard(int shardId) => true;

    /// <summary>False once singleton <paramref name="name"/>, started, no longer runs (its actors stopped on a failed write): the node then gives it up to be taken again.</summary>
    bool IsRunningSingleton(string name) => true;
}
