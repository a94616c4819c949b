namespace CrossMargin.Node.Api;

/// <summary>Where an account lives.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="ShardId">Its shard (FNV-1a of the id modulo the shard count).</param>
/// <param name="Owner">The node holding the shard.</param>
/// <param name="Epoch">The shard's lease epoch.</param>
public sealed record AccountLocation(string AccountId, int ShardId, string Owner, long Epoch);
