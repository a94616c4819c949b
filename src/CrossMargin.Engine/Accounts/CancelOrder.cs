namespace CrossMargin.Engine.Accounts;

/// <summary>Record that a resting order was cancelled.</summary>
/// <param name="MessageId">Unique id of the message.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="OrderId">An open order's id.</param>
public sealed record CancelOrder(string MessageId, string Source, long Sequence, string OrderId) : IAccountCommand;
