namespace CrossMargin.Engine.Accounts;

/// <summary>
/// Debit the liquidation fee of a forced fill from the wallet (sent by the liquidation coordinator, which credits the
/// same amount to the insurance fund). Never refused for margin: the fee was capped by the equity left when planned.
/// </summary>
/// <param name="MessageId">Unique id of the message.</param>
/// <param name="Source">The sender (the liquidation coordinator).</param>
/// <param name="Sequence">The sender's sequence number for this account.</param>
/// <param name="LiquidationId">The liquidation the fee belongs to.</param>
/// <param name="Asset">The settlement asset the fee is paid in; priced by the market.</param>
/// <param name="Amount">Units, positive.</param>
public sealed record ChargeLiquidationFee(string MessageId, string Source, long Sequence, string LiquidationId, string Asset, decimal Amount)
    : IAccountCommand;
