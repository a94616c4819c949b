namespace CrossMargin.Cluster.Sharding;

/// <summary>A message for one entity, routed by its id to the shard that owns it; the entity receives <paramref name="Message"/> alone.</summary>
/// <param name="EntityId">The entity's id (e.g. an account id); any non-empty text.</param>
/// <param name="Message">What the entity receives, with the envelope's sender as its sender.</param>
public sealed record ShardEnvelope(string EntityId, object Message)
{
    /// <summary>
    /// The shard, when the transport decided it: in a cluster an account's shard is the queue RabbitMQ's
    /// consistent-hash exchange routed its messages to, so the consumer names it. Null: the region computes it
    /// with <see cref="ShardIds.Of"/> (embedded mode).
    /// </summary>
    public int? ShardId { get; init; }
}
