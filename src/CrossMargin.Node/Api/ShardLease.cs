namespace CrossMargin.Node.Api;

/// <summary>A shard held by a member.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="Epoch">The lease epoch (0 in embedded mode: there is no lease to hand over).</param>
public sealed record ShardLease(int ShardId, long Epoch);
