using System.Globalization;

namespace CrossMargin.Cluster.RabbitMq;

/// <summary>The names of every exchange and queue the transport uses, all under one prefix.</summary>
/// <param name="Prefix">The prefix (<see cref="RabbitMqOptions.Prefix"/>).</param>
public sealed record TopologyNames(string Prefix)
{
    /// <summary>The consistent-hash exchange for account-bound messages (routing key = account id).</summary>
    public string Accounts => $"{Prefix}.accounts";

    /// <summary>The fanout exchange for marks and index prices.</summary>
    public string Marks => $"{Prefix}.marks";

    /// <summary>Outbound liquidation orders (topic; routing key = account id).</summary>
    public string LiquidationOrders => $"{Prefix}.liquidation-orders";

    /// <summary>Outbound cancel-all instructions (topic; routing key = account id).</summary>
    public string CancelAll => $"{Prefix}.cancel-all";

    /// <summary>Outbound account limits (topic; routing key = account id).</summary>
    public string AccountLimits => $"{Prefix}.account-limits";

    /// <summary>Outbound margin calls (topic; routing key = account id).</summary>
    public string MarginCalls => $"{Prefix}.margin-calls";

    /// <summary>Outbound auto-deleveraging notices (topic; routing key = account id).</summary>
    public string Adl => $"{Prefix}.adl";

    /// <summary>
    /// Outbound records of inbound messages a node refused (topic; routing key = account id, or <c>unknown</c> when the
    /// message named none), so a venue that publishes without asking for answers learns what was not applied.
    /// </summary>
    public string Rejections => $"{Prefix}.rejections";

    /// <summary>The direct exchange for cluster-wide queries (routing key = the query's name); replies go to the asker's reply queue.</summary>
    public string Requests => $"{Prefix}.requests";

    /// <summary>
    /// The durable quorum queue (single active consumer) of the liquidation singleton: breach reports, venue reports of
    /// liquidation orders and operator requests, consumed only by the node holding the singleton lease. Published to
    /// through the default exchange (routing key = this name).
    /// </summary>
    public string Liquidation => $"{Prefix}.liquidation";

    /// <summary>The routing key, on <see cref="Requests"/>, of the query every node answers with its local accounts' views (auto-deleveraging).</summary>
    public static string AccountViewsKey => "account-views";

    /// <summary>The fanout exchange and the durable queue behind it that hold poison messages.</summary>
    public string DeadLetter => $"{Prefix}.dead-letter";

    /// <summary>Every outbound exchange, in declaration order.</summary>
    public IReadOnlyList<string> Outbound => [LiquidationOrders, CancelAll, AccountLimits, MarginCalls, Adl, Rejections];

    /// <summary>The durable queue of shard <paramref name="shard"/>.</summary>
    public string Shard(int shard) => $"{Prefix}.shard.{shard.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The marks queue of node <paramref name="nodeId"/> (exclusive to the node's connection).</summary>
    public string MarksQueue(string nodeId) => $"{Prefix}.marks.{nodeId}";

    /// <summary>The queue through which node <paramref name="nodeId"/> answers cluster-wide queries on <see cref="Requests"/> (exclusive to the node's connection).</summary>
    public string RequestsQueue(string nodeId) => $"{Prefix}.requests.{nodeId}";

    /// <summary>The reply queue of node <paramref name="nodeId"/> (exclusive to the node's connection).</summary>
    public string ReplyQueue(string nodeId) => $"{Prefix}.reply.{nodeId}";
}
