namespace CrossMargin.Cluster.Coordination;

/// <summary>How a node takes part in the cluster (section <c>Cluster</c> of config/cluster.json).</summary>
public sealed class ClusterNodeOptions
{
    /// <summary>The role of nodes that may hold shards.</summary>
    public const string ShardsRole = "shards";

    /// <summary>The role of nodes that may run the shard coordinator and other singletons.</summary>
    public const string CoordinatorRole = "coordinator";

    /// <summary>The node's unique name in the cluster.</summary>
    public string NodeId { get; set; } = "";

    /// <summary>Its admin API address, published in its membership row.</summary>
    public string HttpAddress { get; set; } = "";

    /// <summary>What it may run.</summary>
    public IList<string> Roles { get; } = [ShardsRole, CoordinatorRole];

    /// <summary>The build it runs, published in its membership row.</summary>
    public string Version { get; set; } = "dev";

    /// <summary>The sharded region (entity type) whose shards this node takes part in.</summary>
    public string Region { get; set; } = "accounts";

    /// <summary>Shards in the region; fixed for the life of the cluster (it decides where an account lives).</summary>
    public int ShardCount { get; set; } = 64;

    /// <summary>
    /// How long a lease lasts without renewal: the longest a dead node's shards stay unserved, and the longest a frozen
    /// node may believe it still owns them. A node that could not renew for two thirds of it stops serving (self-fences).
    /// </summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>How often the node heartbeats, renews its leases and converges to the plan.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A member whose heartbeat is older than this is unreachable and gets no shards.</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most rebalancing moves in flight at once.</summary>
    public int MaxConcurrentMoves { get; set; } = 4;

    /// <summary>The longest one shard's hand-off (stop consuming, finish, persist, stop entities) may take before the lease is released anyway.</summary>
    public TimeSpan HandOffTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The RabbitMQ user the node's broker connection logs in as, recorded with its membership row: it does not join
    /// while a live member recorded another (every node must share one). Null records none and compares nothing (a
    /// node without a broker); cluster mode sets it from its connection.
    /// </summary>
    public string? BrokerUser { get; set; }

    /// <summary>The singletons (besides the shard coordinator) this node may run when it has the coordinator role, e.g. <c>liquidation-coordinator</c>.</summary>
    public IList<string> Singletons { get; } = [];
}
