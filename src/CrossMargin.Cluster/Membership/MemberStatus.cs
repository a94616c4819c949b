namespace CrossMargin.Cluster.Membership;

/// <summary>Where a node is in its life in the cluster.</summary>
public enum MemberStatus
{
    /// <summary>Serving, and eligible for shards.</summary>
    Up,

    /// <summary>Handing its shards off before it stops; gets no new shards.</summary>
    Leaving,

    /// <summary>Gone after a graceful leave.</summary>
    Left,

    /// <summary>Declared down by an operator (or its heartbeat lapsed); its shards move once its leases expire.</summary>
    Down,
}
