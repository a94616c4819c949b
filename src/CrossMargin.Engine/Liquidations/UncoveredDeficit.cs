namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// A deficit a completed liquidation left with its account, flat, because the insurance fund could not pay it: the
/// exchange's exposure until the account pays it back or the operator has the fund cover it (<see cref="CoverUncoveredDeficit"/>).
/// </summary>
/// <param name="AccountId">The account.</param>
/// <param name="LiquidationId">The liquidation that left it.</param>
/// <param name="UncoveredUsd">USD the fund could not pay, at the market of its last cover.</param>
/// <param name="Time">When that liquidation completed.</param>
public sealed record UncoveredDeficit(string AccountId, string LiquidationId, decimal UncoveredUsd, DateTimeOffset Time);
