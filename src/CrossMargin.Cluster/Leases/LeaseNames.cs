using System.Globalization;

namespace CrossMargin.Cluster.Leases;

/// <summary>How leases are named, so fences, stats and operators agree.</summary>
public static class LeaseNames
{
    /// <summary>The lease of shard <paramref name="shardId"/> of region <paramref name="region"/>: <c>shard/{region}/{id}</c>.</summary>
    public static string Shard(string region, int shardId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentOutOfRangeException.ThrowIfNegative(shardId);
        return string.Create(CultureInfo.InvariantCulture, $"shard/{region}/{shardId}");
    }

    /// <summary>The lease of a cluster singleton: <c>singleton/{name}</c>.</summary>
    public static string Singleton(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return "singleton/" + name;
    }

    /// <summary>The prefix of every shard lease of <paramref name="region"/>.</summary>
    public static string ShardPrefix(string region) => $"shard/{region}/";

    /// <summary>The shard id in a shard lease name of <paramref name="region"/>, or -1 when it is not one.</summary>
    public static int ShardIdOf(string region, string leaseName)
    {
        ArgumentNullException.ThrowIfNull(leaseName);
        var prefix = ShardPrefix(region);
        return leaseName.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(leaseName.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : -1;
    }
}
