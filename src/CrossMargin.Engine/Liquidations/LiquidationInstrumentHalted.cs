namespace CrossMargin.Engine.Liquidations;

/// <summary>An operator halted liquidation orders in an instrument (its budget is zero until resumed).</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Time">When.</param>
public sealed record LiquidationInstrumentHalted(string Symbol, DateTimeOffset Time);
