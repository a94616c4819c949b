namespace CrossMargin.Engine.Liquidations;

/// <summary>
/// An operator resumed liquidation orders in an instrument (un-halted it and released every liquidation's hold of it), or,
/// with <paramref name="LiquidationId"/>, released one liquidation's hold of it alone.
/// </summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Time">When.</param>
/// <param name="LiquidationId">The one liquidation released; null for the instrument everywhere (every journal before session 30).</param>
public sealed record LiquidationInstrumentResumed(string Symbol, DateTimeOffset Time, string? LiquidationId = null);
