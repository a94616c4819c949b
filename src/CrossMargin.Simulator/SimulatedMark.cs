namespace CrossMargin.Simulator;

/// <summary>A simulated mark: the instrument, its price on the tick and, for options, the vol it was priced at.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Price">Mark price.</param>
/// <param name="Volatility">Implied vol for options, else null.</param>
public sealed record SimulatedMark(string Symbol, decimal Price, double? Volatility);
