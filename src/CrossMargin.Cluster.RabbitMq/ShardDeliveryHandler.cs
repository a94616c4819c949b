namespace CrossMargin.Cluster.RabbitMq;

/// <summary>
/// Handles one shard delivery. The returned task must complete only once the message's effects are durable (its events
/// persisted): the delivery is acked then, and a failed or unfinished task means the message is delivered again.
/// Invoked in delivery order, one invocation at a time up to its first await, so a handler that enqueues the message
/// to its account before awaiting keeps each account's order; completions overlap (up to the prefetch), which is what
/// lets the journal commit many executions per write.
/// </summary>
/// <param name="delivery">The message.</param>
/// <param name="cancellationToken">Cancelled when the consumer's stop gives up waiting for in-flight handlers.</param>
public delegate Task ShardDeliveryHandler(ShardDelivery delivery, CancellationToken cancellationToken);
