namespace CrossMargin.Risk.Liquidation;

/// <summary>Positions that are closed together, by the same fraction, in one liquidation step.</summary>
/// <param name="Key">A stable name: the symbol of a lone position, "hedge:" + underlying for a hedge group.</param>
/// <param name="Symbols">The positions' symbols, in ordinal order.</param>
/// <param name="IsHedgeGroup">True for an underlying's options with their delta hedges.</param>
/// <param name="IsIsolated">True for an isolated position, liquidated on its own margin.</param>
public sealed record LiquidationGroup(string Key, IReadOnlyList<string> Symbols, bool IsHedgeGroup, bool IsIsolated);
