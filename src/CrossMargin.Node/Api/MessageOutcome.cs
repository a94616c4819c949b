using CrossMargin.Contracts;
using CrossMargin.Engine.Accounts;

namespace CrossMargin.Node.Api;

/// <summary>The JSON answer to an inbound message: what happened to it, and why when it was refused.</summary>
/// <param name="Outcome"><c>accepted</c>, <c>duplicate</c> or <c>rejected</c>.</param>
/// <param name="MessageId">The message's id, when it had a readable one.</param>
/// <param name="Code">The rejection code (<c>malformed</c> for a message that broke the contract, <c>forbidden</c> for a coordinator message another RabbitMQ user published).</param>
/// <param name="Reason">Why it was refused, with the numbers.</param>
/// <param name="Violations">Each field that broke the contract.</param>
/// <param name="Margin">The account's margin after the message, when accepted.</param>
/// <param name="Gap">Sequence numbers of the source skipped before this message, when any.</param>
public sealed record MessageOutcome(
    string Outcome,
    string? MessageId = null,
    string? Code = null,
    string? Reason = null,
    IReadOnlyList<ContractViolation>? Violations = null,
    MarginSummary? Margin = null,
    SequenceGap? Gap = null);
