namespace CrossMargin.Risk.Stress;

/// <summary>A move found by reverse stress.</summary>
/// <param name="Move">The uniform relative move at which the pool is bankrupt (-0.42 = every underlying -42%).</param>
/// <param name="SolventMove">The move, at most the tolerance closer to zero, at which it is still solvent.</param>
/// <param name="EquityUsd">The pool's unrounded equity at <paramref name="Move"/> (negative).</param>
public sealed record ReverseStressPoint(double Move, double SolventMove, decimal EquityUsd);
