namespace CrossMargin.Engine.Liquidations;

/// <summary>A liquidation ended: the plan was done, the account recovered, or a bankrupt account had nothing left to close.</summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="Reason">Why, with the numbers.</param>
/// <param name="Time">When.</param>
public sealed record LiquidationCompleted(string LiquidationId, string Reason, DateTimeOffset Time) : ILiquidationEvent;
