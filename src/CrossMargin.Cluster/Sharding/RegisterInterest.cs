namespace CrossMargin.Cluster.Sharding;

/// <summary>
/// Sent by an entity to its shard (<c>Context.Parent</c>): the topics of <see cref="ShardBroadcast"/> it wants,
/// replacing the set it registered before (an empty set unregisters it). Forgotten when the entity stops.
/// </summary>
/// <param name="EntityId">The entity's own id.</param>
/// <param name="Topics">Its topics now; the shard keeps its own copy.</param>
public sealed record RegisterInterest(string EntityId, IReadOnlySet<string> Topics);
