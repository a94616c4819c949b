namespace CrossMargin.Engine.Accounts;

/// <summary>A resting order was cancelled: its remainder no longer counts toward initial margin.</summary>
/// <param name="MessageId">The inbound message's unique id.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="OrderId">The order.</param>
public sealed record OrderCancelled(string MessageId, string Source, long Sequence, string OrderId) : IAccountEvent;
