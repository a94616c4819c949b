namespace CrossMargin.Risk.Market;

/// <summary>
/// The venue's mark for one instrument: the price equity is valued at, and for an option its implied volatility
/// (annualised, 0.65 = 65%). An option's volatility may be omitted; the snapshot then implies it from the mark.
/// </summary>
/// <param name="Symbol">The instrument's symbol.</param>
/// <param name="MarkPrice">Mark in the instrument's price unit (quote per underlying; coin per coin for inverse options).</param>
/// <param name="ImpliedVolatility">Annualised implied volatility of an option, or null.</param>
public sealed record InstrumentMark(string Symbol, decimal MarkPrice, double? ImpliedVolatility = null);
