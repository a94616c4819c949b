namespace CrossMargin.Engine.Liquidations;

/// <summary>One entry of the insurance fund's history.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="RequestId">The request that caused it.</param>
/// <param name="Asset">The asset that moved ("USD" for an auto-deleverage trigger or a settled shortfall, where nothing moves).</param>
/// <param name="Amount">
/// Units: received for a deposit or fee, paid for a cover, uncovered for a trigger, no longer uncovered for a settled
/// shortfall; positive.
/// </param>
/// <param name="AmountUsd">The same in USD (null for a deposit, which is not valued when it arrives).</param>
/// <param name="AccountId">The liquidated account, when there is one.</param>
/// <param name="LiquidationId">The liquidation, when there is one.</param>
/// <param name="Time">When.</param>
public sealed record InsuranceFundMovement(
    InsuranceFundMovementKind Kind, string RequestId, string Asset, decimal Amount, decimal? AmountUsd, string? AccountId, string? LiquidationId,
    DateTimeOffset Time);
