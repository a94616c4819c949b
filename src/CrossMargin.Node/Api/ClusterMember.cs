namespace CrossMargin.Node.Api;

/// <summary>One member of the cluster.</summary>
/// <param name="Name">The node's name (<c>Node:Name</c>).</param>
/// <param name="Roles">What it runs (<c>accounts</c>, <c>prices</c>, <c>liquidation</c>).</param>
/// <param name="Status"><c>up</c>, <c>joining</c>, <c>leaving</c>, <c>down</c>.</param>
/// <param name="HttpAddress">Where its API listens.</param>
/// <param name="Version">The node's build version.</param>
/// <param name="UpSince">When its engine started.</param>
/// <param name="Shards">The shards it holds, with their lease epoch.</param>
public sealed record ClusterMember(
    string Name, IReadOnlyList<string> Roles, string Status, string HttpAddress, string Version, DateTimeOffset? UpSince, IReadOnlyList<ShardLease> Shards);
