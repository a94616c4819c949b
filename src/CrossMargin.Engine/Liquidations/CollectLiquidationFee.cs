namespace CrossMargin.Engine.Liquidations;

/// <summary>Credit a liquidation fee to the insurance fund; answered with <see cref="LiquidationFeeCollected"/>.</summary>
/// <param name="RequestId">Unique id (the coordinator derives it from the fill): a repeated id changes nothing.</param>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="AccountId">The liquidated account, which is debited the same amount.</param>
/// <param name="Symbol">The instrument whose forced fill paid it.</param>
/// <param name="Asset">The settlement asset it is paid in.</param>
/// <param name="Amount">Units, positive.</param>
/// <param name="AmountUsd">The same in USD, as the fee was computed.</param>
public sealed record CollectLiquidationFee(
    string RequestId, string LiquidationId, string AccountId, string Symbol, string Asset, decimal Amount, decimal AmountUsd);
