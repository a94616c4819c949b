namespace CrossMargin.Risk.Stress;

/// <summary>An underlying that follows another: its move is <paramref name="Beta"/> x the leader's (ETH follows BTC at 1.2).</summary>
/// <param name="Underlying">The follower.</param>
/// <param name="Leader">An underlying shocked explicitly in the same scenario.</param>
/// <param name="Beta">Move of the follower per unit move of the leader.</param>
/// <param name="VolShift">The follower's vol shift (points as a fraction); null takes the leader's.</param>
public sealed record CorrelatedMove(string Underlying, string Leader, double Beta, double? VolShift = null);
