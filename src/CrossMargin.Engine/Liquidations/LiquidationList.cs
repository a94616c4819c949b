namespace CrossMargin.Engine.Liquidations;

/// <summary>Every liquidation the coordinator knows, oldest first.</summary>
/// <param name="Liquidations">The summaries.</param>
public sealed record LiquidationList(IReadOnlyList<LiquidationSummary> Liquidations);
