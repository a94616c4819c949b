namespace CrossMargin.Cluster.Sharding;

/// <summary>The live entities of a region: shard id to entity count, for every shard started so far (a shard whose entities all stopped counts 0).</summary>
/// <param name="Stats">Entity count by shard id.</param>
public sealed record ShardRegionStats(IReadOnlyDictionary<int, int> Stats)
{
    /// <summary>Entities across all shards.</summary>
    public int TotalEntities => Stats.Values.Sum();
}
