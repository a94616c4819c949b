namespace CrossMargin.Risk.Liquidation;

/// <summary>Positions, or parts of positions, that are closed together, by the same fraction, in one liquidation step.</summary>
/// <param name="Key">A stable name: the symbol of a lone position, "hedge:" + underlying for a hedge group.</param>
/// <param name="Symbols">The positions' symbols, in ordinal order.</param>
/// <param name="IsHedgeGroup">True for an underlying's options with their delta hedges.</param>
/// <param name="IsIsolated">True for an isolated position, liquidated on its own margin.</param>
/// <param name="Quantities">
/// The signed contracts of each symbol's position that belong to this group: the whole position, except a future larger
/// than the options' delta, of which a hedge group holds only the part that offsets it (its lone group holds the rest).
/// </param>
public sealed record LiquidationGroup(string Key, IReadOnlyList<string> Symbols, bool IsHedgeGroup, bool IsIsolated,
    IReadOnlyDictionary<string, decimal> Quantities);
