namespace CrossMargin.Cluster.Sharding;

/// <summary>Asks one shard how many live entities it has; answered with <see cref="ShardEntityCount"/>.</summary>
internal sealed record GetShardEntityCount
{
    public static GetShardEntityCount Instance { get; } = new();
}
