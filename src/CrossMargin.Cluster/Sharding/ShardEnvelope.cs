namespace CrossMargin.Cluster.Sharding;

/// <summary>A message for one entity, routed by its id to the shard that owns it; the entity receives <paramref name="Message"/> alone.</summary>
/// <param name="EntityId">The entity's id (e.g. an account id); any non-empty text.</param>
/// <param name="Message">What the entity receives, with the envelope's sender as its sender.</param>
public sealed record ShardEnvelope(string EntityId, object Message);
