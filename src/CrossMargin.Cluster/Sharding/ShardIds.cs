using System.Buffers;
using System.Text;

namespace CrossMargin.Cluster.Sharding;

/// <summary>
/// The shard an entity id belongs to: 32-bit FNV-1a over the id's UTF-8 bytes, modulo the shard count. Stable across
/// processes, machines and .NET versions (unlike <see cref="string.GetHashCode()"/>, which is randomised per process),
/// because every node and the RabbitMQ routing must agree on it. Changing it, or the shard count, moves entities
/// between shards: both are part of a deployment's fixed configuration.
/// </summary>
public static class ShardIds
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;
    private const int StackLimit = 256;

    /// <summary>The 32-bit FNV-1a hash of <paramref name="entityId"/>'s UTF-8 bytes.</summary>
    public static uint Hash(string entityId)
    {
        ArgumentNullException.ThrowIfNull(entityId);
        var length = Encoding.UTF8.GetMaxByteCount(entityId.Length);
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(entityId, buffer);
            var hash = OffsetBasis;
            foreach (var b in buffer[..written])
            {
                hash = unchecked((hash ^ b) * Prime);
            }

            return hash;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The shard of <paramref name="entityId"/> among <paramref name="shardCount"/>, from 0 to <paramref name="shardCount"/> - 1.</summary>
    public static int Of(string entityId, int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shardCount);
        return (int)(Hash(entityId) % (uint)shardCount);
    }
}
