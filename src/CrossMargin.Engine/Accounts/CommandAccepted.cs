namespace CrossMargin.Engine.Accounts;

/// <summary>Reply of an <see cref="AccountActor"/>: the command's events are durable and applied.</summary>
/// <param name="MessageId">The command's message id.</param>
/// <param name="Events">The events persisted and applied, in order (none for <see cref="CancelAllOrders"/> with no open order).</param>
/// <param name="Margin">The account's figures after the change, or the last known ones when it could not be re-margined (null if never).</param>
/// <param name="Gap">Sequence numbers of the command's source that were skipped, when there were some (also logged).</param>
public sealed record CommandAccepted(string MessageId, IReadOnlyList<IAccountEvent> Events, MarginSummary? Margin, SequenceGap? Gap)
{
    /// <summary>The orders the command cancelled (what <see cref="CancelAllOrders"/> answers with).</summary>
    public IReadOnlyList<string> CancelledOrderIds => Events.OfType<OrderCancelled>().Select(e => e.OrderId).ToArray();
}
