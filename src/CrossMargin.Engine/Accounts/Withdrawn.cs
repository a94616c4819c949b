namespace CrossMargin.Engine.Accounts;

/// <summary>Collateral was debited from the wallet (the account stayed above initial margin).</summary>
/// <param name="MessageId">The inbound message's unique id.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="Asset">The asset's code.</param>
/// <param name="Amount">Units debited, positive.</param>
public sealed record Withdrawn(string MessageId, string Source, long Sequence, string Asset, decimal Amount) : IAccountEvent;
