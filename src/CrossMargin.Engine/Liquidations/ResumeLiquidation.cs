namespace CrossMargin.Engine.Liquidations;

/// <summary>Operator: issue liquidation orders in <paramref name="Symbol"/> again; waiting liquidations re-plan at once. Answered with <see cref="HaltedInstruments"/>.</summary>
/// <param name="Symbol">The instrument.</param>
public sealed record ResumeLiquidation(string Symbol);
