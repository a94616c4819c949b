using CrossMargin.Contracts;

namespace CrossMargin.Node.Rejections;

/// <summary>
/// An inbound message this node refused, with why. Kept in the node's <see cref="RejectionLog"/> and, for a message
/// that came through a shard queue, published on the <c>{prefix}.rejections</c> exchange, so that a venue that
/// publishes without asking for an answer still learns that a message was not applied.
/// </summary>
/// <param name="Time">When it was refused (UTC).</param>
/// <param name="Path"><c>api</c> (an HTTP call to this node), <c>shard</c> (a delivery from one of its shard queues),
/// <c>liquidation</c> (from the liquidation queue) or <c>requests</c> (a cluster-wide query).</param>
/// <param name="Type">The message's type (<c>execution</c>, <c>deposit</c>, ...).</param>
/// <param name="MessageId">Its id, when it had a readable one.</param>
/// <param name="AccountId">The account it was for, when known.</param>
/// <param name="Code">The rejection code (<c>malformed</c>, <c>unknownAccount</c>, <c>outOfOrder</c>, ...).</param>
/// <param name="Reason">Why, with the numbers.</param>
/// <param name="Node">The node that refused it.</param>
/// <param name="Shard">The shard queue it came from (<c>shard</c> path only).</param>
/// <param name="Violations">Each field that broke the contract (<c>malformed</c> only).</param>
public sealed record MessageRejected(
    DateTimeOffset Time,
    string Path,
    string Type,
    string? MessageId,
    string? AccountId,
    string Code,
    string Reason,
    string? Node = null,
    int? Shard = null,
    IReadOnlyList<ContractViolation>? Violations = null)
{
    /// <summary>The path of a message received over HTTP.</summary>
    public const string ApiPath = "api";

    /// <summary>The path of a message delivered from a shard queue.</summary>
    public const string ShardPath = "shard";

    /// <summary>The path of a message delivered from the liquidation queue (to the liquidation singleton's holder).</summary>
    public const string LiquidationPath = "liquidation";

    /// <summary>The path of an operator's command a node published on the marks exchange (an index override).</summary>
    public const string MarksPath = "marks";

    /// <summary>The path of a cluster-wide query from the requests exchange.</summary>
    public const string RequestsPath = "requests";
}
