using CrossMargin.Persistence.Journal;

namespace CrossMargin.Cluster.Leases;

/// <summary>A lease held by a node: the right to own a shard or a singleton until <see cref="ExpiresAt"/>, unless renewed.</summary>
/// <param name="Name">The lease, e.g. <c>shard/accounts/17</c> or <c>singleton/liquidation-coordinator</c>.</param>
/// <param name="Owner">The node that holds it.</param>
/// <param name="Epoch">The fencing token: incremented on every change of holder.</param>
/// <param name="ExpiresAt">When it lapses by the database clock, unless renewed first.</param>
public sealed record Lease(string Name, string Owner, long Epoch, DateTimeOffset ExpiresAt)
{
    /// <summary>The fence that journal writes made under this lease carry.</summary>
    public WriteFence ToFence() => new(Name, Owner, Epoch);
}
