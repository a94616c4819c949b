namespace CrossMargin.Node.Api;

/// <summary>One shard of the account region.</summary>
/// <param name="ShardId">The shard.</param>
/// <param name="Owner">The node holding it.</param>
/// <param name="Epoch">Its lease epoch (0 in embedded mode).</param>
/// <param name="Started">Whether the shard actor is running (it starts on its first message).</param>
/// <param name="Entities">Live accounts in it.</param>
/// <param name="QueueDepth">
/// Messages ready in its RabbitMQ shard queue (cluster mode, as the broker reports it; null if the broker did not know
/// the queue). Null in embedded mode: the kernel counts mailbox backlog for the whole region
/// (<c>crossmargin.accounts.mailbox_backlog</c>), not per shard.
/// </param>
public sealed record ShardStats(int ShardId, string Owner, long Epoch, bool Started, int Entities, long? QueueDepth);
