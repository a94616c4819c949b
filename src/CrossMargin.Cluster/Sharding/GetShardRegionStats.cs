namespace CrossMargin.Cluster.Sharding;

/// <summary>Asks a <see cref="ShardRegion"/> for its <see cref="ShardRegionStats"/>.</summary>
public sealed record GetShardRegionStats
{
    /// <summary>The one instance.</summary>
    public static GetShardRegionStats Instance { get; } = new();
}
