namespace CrossMargin.Node.Clustering;

/// <summary>Whether the node runs as a cluster member, and the shared stores it then uses (section <c>Cluster</c> of config/cluster.json).</summary>
public sealed class ClusterModeOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Cluster";

    /// <summary>Off: the embedded node (SQLite, in-process). On: PostgreSQL journal and leases, RabbitMQ delivery.</summary>
    public bool Enabled { get; set; }

    /// <summary>The PostgreSQL database every member shares (journal, snapshots, leases, membership).</summary>
    public string PostgresConnectionString { get; set; } = "";

    /// <summary>
    /// How often, at most, an account in liquidation or bankrupt has its breach report published to the liquidation
    /// queue (a change of status always is): accounts re-report on every re-assessment, and the coordinator needs one.
    /// </summary>
    public TimeSpan BreachReportInterval { get; set; } = TimeSpan.FromSeconds(1);
}
