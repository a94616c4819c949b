namespace CrossMargin.Engine.Liquidations;

/// <summary>The account is bankrupt and cannot be closed in the book: the insurance fund is asked to cover its deficit.</summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="RequestId">The request's id at the fund (re-sent unchanged after a restart).</param>
/// <param name="DeficitUsd">Minus the account's equity.</param>
/// <param name="Time">When.</param>
public sealed record LiquidationCoverRequested(string LiquidationId, string RequestId, decimal DeficitUsd, DateTimeOffset Time) : ILiquidationEvent;
