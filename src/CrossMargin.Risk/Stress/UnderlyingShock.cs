namespace CrossMargin.Risk.Stress;

/// <summary>An explicit move of one underlying in a stress scenario.</summary>
/// <param name="Underlying">The underlying (BTC).</param>
/// <param name="SpotMove">Relative move, -0.3 = -30%.</param>
/// <param name="VolShift">Vol points as a fraction, 0.1 = +10 points.</param>
public sealed record UnderlyingShock(string Underlying, double SpotMove, double VolShift = 0);
