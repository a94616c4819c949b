namespace CrossMargin.Cluster.Membership;

/// <summary>A node of the cluster as its row says, with whether its heartbeat is fresh.</summary>
/// <param name="NodeId">The node's unique name.</param>
/// <param name="HttpAddress">Its admin API, for the CLI and other nodes.</param>
/// <param name="Roles">What it may run, e.g. <c>shards</c>, <c>coordinator</c>.</param>
/// <param name="Version">The build it runs.</param>
/// <param name="Status">Its recorded status.</param>
/// <param name="JoinedAt">When it (last) joined.</param>
/// <param name="HeartbeatAt">Its last heartbeat, by the database clock.</param>
/// <param name="IsReachable">Its heartbeat is younger than the timeout it was read with.</param>
public sealed record Member(
    string NodeId, string HttpAddress, IReadOnlyList<string> Roles, string Version, MemberStatus Status, DateTimeOffset JoinedAt, DateTimeOffset HeartbeatAt, bool IsReachable)
{
    /// <summary>The RabbitMQ user its broker connection logs in as; null for a node that recorded none.</summary>
    public string? BrokerUser { get; init; }

    /// <summary>Up with a fresh heartbeat: may be given shards.</summary>
    public bool IsServing => Status == MemberStatus.Up && IsReachable;

    /// <summary>Whether the node has <paramref name="role"/>.</summary>
    public bool HasRole(string role) => Roles.Contains(role, StringComparer.Ordinal);
}
