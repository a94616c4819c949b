namespace CrossMargin.Engine.Liquidations;

/// <summary>The answer to <see cref="CoverUncoveredDeficit"/>: the liquidation that asks the fund for the account's deficit.</summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="AccountId">The account.</param>
/// <param name="LiquidationId">The liquidation started for it (its history shows the cover asked and paid).</param>
/// <param name="UncoveredUsd">The deficit recorded uncovered when the request was taken, USD.</param>
public sealed record UncoveredDeficitCoverStarted(string RequestId, string AccountId, string LiquidationId, decimal UncoveredUsd);
