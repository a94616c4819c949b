namespace CrossMargin.Node.Api;

/// <summary>
/// The cluster as one node sees it. In embedded mode (no cluster, issue 6 not built) the node is the only member and
/// holds every shard at epoch 0; the cluster fills in its members, leases and epochs in the same shape.
/// </summary>
/// <param name="Mode"><c>embedded</c> (one node, in-process shard region) or <c>cluster</c>.</param>
/// <param name="Self">The name of the node that answered.</param>
/// <param name="ShardCount">Shards of the account region.</param>
/// <param name="Members">Every member, this node included.</param>
public sealed record ClusterView(string Mode, string Self, int ShardCount, IReadOnlyList<ClusterMember> Members);
