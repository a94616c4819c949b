namespace CrossMargin.Engine.Liquidations;

/// <summary>The venue did not report these orders of a step within the order timeout: they count as unfilled.</summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="Step">The step.</param>
/// <param name="OrderIds">The orders given up on.</param>
/// <param name="Time">When.</param>
public sealed record LiquidationOrdersExpired(string LiquidationId, int Step, IReadOnlyList<string> OrderIds, DateTimeOffset Time) : ILiquidationEvent;
