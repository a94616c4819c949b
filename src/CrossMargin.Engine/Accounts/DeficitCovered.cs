namespace CrossMargin.Engine.Accounts;

/// <summary>The insurance fund credited the wallet to cover a deficit.</summary>
/// <param name="MessageId">The inbound message's unique id.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="Asset">The asset's code.</param>
/// <param name="Amount">Units credited, positive.</param>
public sealed record DeficitCovered(string MessageId, string Source, long Sequence, string Asset, decimal Amount) : IAccountEvent;
