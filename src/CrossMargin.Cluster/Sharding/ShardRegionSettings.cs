using CrossMargin.Actors;

namespace CrossMargin.Cluster.Sharding;

/// <summary>What a <see cref="ShardRegion"/> hosts and how it splits it.</summary>
/// <param name="TypeName">The entity type (e.g. "account"): the region's actor name, and the cluster's key for its shards and queues.</param>
/// <param name="ShardCount">How many shards, from 1 to <see cref="MaxShardCount"/>; fixed for a deployment (see <see cref="ShardIds"/>).</param>
/// <param name="EntityProps">
/// Makes the props of the entity with the given id; called each time that entity is started. It may return the same
/// props for every id, the entity reading its id with <see cref="ShardRegion.EntityIdOf"/>: with a million entities,
/// props and a closure each cost ~160 bytes per entity.
/// </param>
public sealed record ShardRegionSettings(string TypeName, int ShardCount, Func<string, Props> EntityProps)
{
    /// <summary>The most shards a region accepts: far more than nodes will ever hold, few enough for a lease row each.</summary>
    public const int MaxShardCount = 65536;

    /// <summary>
    /// Makes the props of an entity knowing its shard; when set it is used instead of <see cref="EntityProps"/>. A
    /// cluster needs it: an entity writes under its shard's lease, so its persistence is fenced per shard.
    /// </summary>
    public Func<int, string, Props>? ShardEntityProps { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(TypeName) || !TypeName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"ShardRegionSettings.TypeName must be non-empty ASCII letters, digits, '-', '_' or '.', not '{TypeName}'.", nameof(TypeName));
        }

        if (ShardCount is < 1 or > MaxShardCount)
        {
            throw new ArgumentOutOfRangeException(nameof(ShardCount), ShardCount, $"ShardRegionSettings.ShardCount must be from 1 to {MaxShardCount}.");
        }

        if (EntityProps is null)
        {
            throw new ArgumentException("ShardRegionSettings.EntityProps is required.", nameof(EntityProps));
        }
    }
}
