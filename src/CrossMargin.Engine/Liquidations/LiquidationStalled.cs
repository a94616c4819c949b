namespace CrossMargin.Engine.Liquidations;

/// <summary>A bankrupt account's backstop did nothing (no fund, no bankruptcy price or no counterparty): retried next interval.</summary>
/// <param name="LiquidationId">The liquidation.</param>
/// <param name="Reason">Why, in words.</param>
/// <param name="Time">When.</param>
public sealed record LiquidationStalled(string LiquidationId, string Reason, DateTimeOffset Time) : ILiquidationEvent;
