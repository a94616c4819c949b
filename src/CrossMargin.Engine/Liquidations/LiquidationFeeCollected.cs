namespace CrossMargin.Engine.Liquidations;

/// <summary>The insurance fund received a liquidation fee (persisted, and the answer to <see cref="CollectLiquidationFee"/>).</summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="AccountId">The account that paid it.</param>
/// <param name="Symbol">The instrument whose forced fill paid it.</param>
/// <param name="Asset">The asset.</param>
/// <param name="Amount">Units received, positive.</param>
/// <param name="AmountUsd">The same in USD.</param>
/// <param name="Time">When, by the actor system's clock.</param>
public sealed record LiquidationFeeCollected(
    string RequestId, string LiquidationId, string AccountId, string Symbol, string Asset, decimal Amount, decimal AmountUsd, DateTimeOffset Time)
    : IInsuranceFundEvent;
