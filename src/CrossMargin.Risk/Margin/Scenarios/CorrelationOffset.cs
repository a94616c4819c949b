namespace CrossMargin.Risk.Margin.Scenarios;

/// <summary>
/// A credit between correlated underlyings. Their scenario P&amp;L vectors are added row by row (the same row moves
/// every underlying in the group the same way, by its own range); the hedge benefit is the sum of their standalone
/// risks less the risk of that joint vector, and <see cref="CreditRate"/> of it is given back.
/// </summary>
/// <param name="Underlyings">Two or more underlyings.</param>
/// <param name="CreditRate">Fraction of the measured hedge benefit credited, from 0 (none) to 1 (all).</param>
public sealed record CorrelationOffset(IReadOnlyList<string> Underlyings, double CreditRate);
