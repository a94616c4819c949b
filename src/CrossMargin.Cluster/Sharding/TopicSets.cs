namespace CrossMargin.Cluster.Sharding;

/// <summary>
/// One shared array for each distinct set of interest topics. Most entities of a venue hold one of a few sets ("BTC",
/// "USDT"): an array per entity in the entity and another in its shard cost a million accounts ~100 MB for a handful
/// of distinct values.
/// </summary>
/// <remarks>
/// The sets come from entities' state, which comes from outside: past <see cref="MaxShared"/> distinct sets an array is
/// kept as given, so unusual sets cost what they did before and never grow the pool. Thread-safe.
/// </remarks>
public sealed class TopicSets(int maxShared)
{
    private readonly Dictionary<string[], string[]> _shared = new(SetComparer.Instance);
    private readonly Lock _gate = new();

    /// <summary>The pool entities and shards use, sharing up to 4,096 sets.</summary>
    public static TopicSets Default { get; } = new(4_096);

    /// <summary>The most distinct sets shared.</summary>
    public int MaxShared { get; } = maxShared;

    /// <summary>
    /// The shared array equal to <paramref name="topics"/> (same strings, same order), or <paramref name="topics"/> itself.
    /// Callers must never change an array this returns.
    /// </summary>
    public string[] Share(string[] topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        lock (_gate)
        {
            if (_shared.TryGetValue(topics, out var shared))
            {
                return shared;
            }

            if (_shared.Count < MaxShared)
            {
                _shared.Add(topics, topics);
            }

            return topics;
        }
    }

    private sealed class SetComparer : IEqualityComparer<string[]>
    {
        public static readonly SetComparer Instance = new();

        public bool Equals(string[]? x, string[]? y) => x.AsSpan().SequenceEqual(y, StringComparer.Ordinal);

        public int GetHashCode(string[] obj)
        {
            var hash = default(HashCode);
            foreach (var topic in obj)
            {
                hash.Add(topic, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }
}
