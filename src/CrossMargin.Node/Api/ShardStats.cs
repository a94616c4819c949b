namespace CrossMargin.Node.Api;

/// <summary>One shard of the account region.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="Owner">The node holding it.</param>
/// <param name="Epoch">Its lease epoch (0 in embedded mode).</param>
/// <param name="Started">Whether the shard actor is running (it starts on its first message).</param>
/// <param name="Entities">Live accounts in it.</param>
/// <param name="QueueDepth">Messages waiting for it, when the transport can tell (null in embedded mode: the actor kernel does not expose mailbox sizes).</param>
public sealed record ShardStats(int ShardId, string Owner, long Epoch, bool Started, int Entities, int? QueueDepth);
