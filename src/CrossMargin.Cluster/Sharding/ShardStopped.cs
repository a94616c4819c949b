namespace CrossMargin.Cluster.Sharding;

/// <summary>Shard <paramref name="ShardId"/> and every entity of it have stopped on this node.</summary>
public sealed record ShardStopped(int ShardId);
