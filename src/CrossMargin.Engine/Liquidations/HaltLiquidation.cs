namespace CrossMargin.Engine.Liquidations;

/// <summary>Operator: stop issuing liquidation orders in <paramref name="Symbol"/> (plans become throttled there); answered with <see cref="HaltedInstruments"/>.</summary>
/// <param name="Symbol">The instrument.</param>
public sealed record HaltLiquidation(string Symbol);
