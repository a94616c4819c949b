namespace CrossMargin.Engine.Accounts;

/// <summary>The liquidation fee of a forced fill was debited from the wallet (and went to the insurance fund).</summary>
/// <param name="MessageId">The inbound message's unique id.</param>
/// <param name="Source">The sender.</param>
/// <param name="Sequence">The sender's sequence number.</param>
/// <param name="LiquidationId">The liquidation the fee belongs to.</param>
/// <param name="Asset">The asset's code.</param>
/// <param name="Amount">Units debited, positive.</param>
public sealed record LiquidationFeeCharged(string MessageId, string Source, long Sequence, string LiquidationId, string Asset, decimal Amount)
    : IAccountEvent;
