namespace CrossMargin.Node.Api;

/// <summary>The account region: of this node (embedded, or a member's local part), or of the whole cluster.</summary>
/// <param name="TypeName">The entity type (<c>account</c>).</param>
/// <param name="Node">The node answering.</param>
/// <param name="ShardCount">Shards configured.</param>
/// <param name="ShardsStarted">Shards running (on their owner, for the cluster).</param>
/// <param name="TotalEntities">Live accounts across them.</param>
/// <param name="Shards">Every configured shard.</param>
/// <param name="Scope"><c>node</c> (one node's region: an embedded node, or a member's local part) or <c>cluster</c> (each shard counted by its owner).</param>
/// <param name="Partial">Whether an owner did not answer, so its shards show no entities.</param>
/// <param name="Unanswered">The owners that did not answer, each with why.</param>
public sealed record RegionStats(
    string TypeName, string Node, int ShardCount, int ShardsStarted, int TotalEntities, IReadOnlyList<ShardStats> Shards, string Scope = "node",
    bool Partial = false, IReadOnlyList<string>? Unanswered = null);
