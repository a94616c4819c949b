namespace CrossMargin.Engine.Liquidations;

/// <summary>Asks the coordinator for the <see cref="LiquidationHistory"/> of one liquidation (a <c>Status.Failure</c> when unknown).</summary>
/// <param name="LiquidationId">The liquidation.</param>
public sealed record GetLiquidation(string LiquidationId);
