namespace CrossMargin.Cluster.Sharding;

/// <summary>
/// Tells a region to stop shard <paramref name="ShardId"/> and all its entities (the last phase of a hand-off, after its
/// queue stopped delivering and in-flight work finished); answered with <see cref="ShardStopped"/> once they all stopped,
/// or at once when the shard was not running here.
/// </summary>
public sealed record StopShard(int ShardId);
