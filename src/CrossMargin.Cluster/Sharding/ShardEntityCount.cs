namespace CrossMargin.Cluster.Sharding;

/// <summary>One shard's live entity count.</summary>
internal sealed record ShardEntityCount(int ShardId, int Count);
