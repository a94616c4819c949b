namespace CrossMargin.Cluster.Coordination;

/// <summary>
/// Least-shard allocation, pure and deterministic: where the shard coordinator wants shards to live next.
/// Shards with no serving owner (never assigned, or their node left, is leaving or is down) go at once to the
/// least-loaded serving node: waiting would leave them unserved. Rebalancing moves between serving nodes are
/// limited to <c>maxConcurrentMoves</c> in flight, so a joining node does not stall half the cluster in hand-offs.
/// </summary>
public static class ShardAllocator
{
    /// <summary>Plans the next changes of assignment.</summary>
    /// <param name="shardCount">Shards of the region, numbered 0..count-1.</param>
    /// <param name="assignments">The current plan: shard to node (shards may be missing).</param>
    /// <param name="servingNodes">Nodes that may hold shards now.</param>
    /// <param name="movesInFlight">Rebalancing moves assigned earlier whose target does not hold the lease yet.</param>
    /// <param name="maxConcurrentMoves">The most rebalancing moves in flight at once.</param>
    /// <returns>Shard to its new node, for the shards that change, in shard order.</returns>
    public static IReadOnlyList<KeyValuePair<int, string>> Plan(
        int shardCount, IReadOnlyDictionary<int, string> assignments, IReadOnlyCollection<string> servingNodes, int movesInFlight, int maxConcurrentMoves)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        ArgumentNullException.ThrowIfNull(assignments);
        ArgumentNullException.ThrowIfNull(servingNodes);
        ArgumentOutOfRangeException.ThrowIfNegative(movesInFlight);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentMoves, 1);
        var changes = new SortedDictionary<int, string>();
        if (servingNodes.Count == 0)
        {
            return [];
        }

        var shardsOf = servingNodes.Distinct(StringComparer.Ordinal).ToDictionary(n => n, _ => new SortedSet<int>(), StringComparer.Ordinal);
        var orphans = new List<int>();
        for (var shard = 0; shard < shardCount; shard++)
        {
            if (assignments.TryGetValue(shard, out var node) && shardsOf.TryGetValue(node, out var set))
            {
                set.Add(shard);
            }
            else
            {
                orphans.Add(shard);
            }
        }

        foreach (var shard in orphans)
        {
            var target = LeastLoaded(shardsOf);
            shardsOf[target].Add(shard);
            changes[shard] = target;
        }

        for (var budget = maxConcurrentMoves - movesInFlight; budget > 0; budget--)
        {
            var least = LeastLoaded(shardsOf);
            var most = MostLoaded(shardsOf);
            if (shardsOf[most].Count - shardsOf[least].Count <= 1)
            {
                break;
            }

            var shard = shardsOf[most].Max;
            shardsOf[most].Remove(shard);
            shardsOf[least].Add(shard);
            changes[shard] = least;
        }

        return changes.ToList();
    }

    // Ties go to the ordinally first node for the least loaded and the last for the most loaded, so a plan is the
    // same on every run and a move never goes from a node to itself.
    private static string LeastLoaded(Dictionary<string, SortedSet<int>> shardsOf) =>
        shardsOf.OrderBy(p => p.Value.Count).ThenBy(p => p.Key, StringComparer.Ordinal).First().Key;

    private static string MostLoaded(Dictionary<string, SortedSet<int>> shardsOf) =>
        shardsOf.OrderByDescending(p => p.Value.Count).ThenByDescending(p => p.Key, StringComparer.Ordinal).First().Key;
}
