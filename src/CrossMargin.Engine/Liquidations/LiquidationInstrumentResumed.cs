namespace CrossMargin.Engine.Liquidations;

/// <summary>An operator resumed liquidation orders in an instrument.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Time">When.</param>
public sealed record LiquidationInstrumentResumed(string Symbol, DateTimeOffset Time);
