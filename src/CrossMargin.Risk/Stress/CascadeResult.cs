namespace CrossMargin.Risk.Stress;

/// <summary>How a liquidation cascade ran.</summary>
/// <param name="Rounds">Each round that liquidated someone, and the last (quiet or capped) round.</param>
/// <param name="Stable">True when the last round liquidated nobody; false when <see cref="CascadeParameters.MaxRounds"/> stopped it.</param>
/// <param name="FinalSpotMoves">Cumulative move of each underlying at the end.</param>
/// <param name="ForcedVolumeUsd">Sum of the rounds' absolute forced notional.</param>
/// <param name="InsuranceFundUsedUsd">Sum of the fund's cover.</param>
/// <param name="InsuranceFundLeftUsd">What is left in the fund.</param>
/// <param name="UncoveredUsd">Deficits the fund could not cover.</param>
public sealed record CascadeResult(
    IReadOnlyList<CascadeRound> Rounds,
    bool Stable,
    IReadOnlyDictionary<string, double> FinalSpotMoves,
    decimal ForcedVolumeUsd,
    decimal InsuranceFundUsedUsd,
    decimal InsuranceFundLeftUsd,
    decimal UncoveredUsd);
