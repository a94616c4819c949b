namespace CrossMargin.Risk.Stress;

/// <summary>
/// A named stress: explicit moves of some underlyings, others following a leader with a beta, and a move for
/// everything else. Resolved into a <see cref="MarketShock"/>; a follower's move is capped just above -100%.
/// </summary>
/// <param name="Name">What the scenario is called ("crypto-crash").</param>
/// <param name="Shocks">Explicit moves.</param>
/// <param name="Follows">Correlated moves.</param>
/// <param name="OtherSpotMove">Move of every underlying not named.</param>
/// <param name="OtherVolShift">Vol shift of every underlying not named.</param>
public sealed record StressScenario(
    string Name,
    IReadOnlyList<UnderlyingShock> Shocks,
    IReadOnlyList<CorrelatedMove>? Follows = null,
    double OtherSpotMove = 0,
    double OtherVolShift = 0)
{
    /// <summary>The lowest move a beta can produce (-99%): a price never reaches zero.</summary>
    public const double FloorMove = -0.99;

    /// <summary>The scenario as a market shock; throws naming a follower whose leader is not shocked explicitly.</summary>
    public MarketShock ToShock()
    {
        var spot = new Dictionary<string, double>(StringComparer.Ordinal);
        var vol = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var s in Shocks)
        {
            if (!spot.TryAdd(s.Underlying, s.SpotMove))
            {
                throw new ArgumentException($"{Name}: {s.Underlying} is shocked twice.");
            }

            vol[s.Underlying] = s.VolShift;
        }

        foreach (var f in Follows ?? [])
        {
            if (!spot.TryGetValue(f.Leader, out var leaderMove) || Shocks.All(s => s.Underlying != f.Leader))
            {
                throw new ArgumentException($"{Name}: {f.Underlying} follows {f.Leader}, which has no explicit shock.");
            }

            if (!spot.TryAdd(f.Underlying, Math.Max(f.Beta * leaderMove, FloorMove)))
            {
                throw new ArgumentException($"{Name}: {f.Underlying} is shocked twice.");
            }

            vol[f.Underlying] = f.VolShift ?? vol[f.Leader];
        }

        return new MarketShock(spot, vol, OtherSpotMove, OtherVolShift);
    }
}
