namespace CrossMargin.Node.Api;

/// <summary>The account region of this node.</summary>
/// <param name="TypeName">The entity type (<c>account</c>).</param>
/// <param name="Node">The node answering.</param>
/// <param name="ShardCount">Shards configured.</param>
/// <param name="ShardsStarted">Shards running.</param>
/// <param name="TotalEntities">Live accounts across them.</param>
/// <param name="Shards">Every configured shard.</param>
public sealed record RegionStats(string TypeName, string Node, int ShardCount, int ShardsStarted, int TotalEntities, IReadOnlyList<ShardStats> Shards);
