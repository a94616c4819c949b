namespace CrossMargin.Risk.Stress;

/// <summary>One round of a liquidation cascade.</summary>
/// <param name="Round">1 for the initial shock, then each feedback of impact.</param>
/// <param name="SpotMoves">Cumulative relative move of each underlying in this round's market (shock and impact).</param>
/// <param name="Liquidated">Accounts liquidated in this round (equity below maintenance margin).</param>
/// <param name="ForcedVolumeUsd">Absolute notional closed in this round, per underlying (options at delta-equivalent notional).</param>
/// <param name="NetForcedSellUsd">Net notional sold (negative when bought) per underlying: what moves the price.</param>
/// <param name="InsuranceFundUsedUsd">Deficits covered by the fund in this round.</param>
/// <param name="UncoveredUsd">Deficits beyond what was left in the fund (left to auto-deleveraging).</param>
/// <param name="ForcedTrades">What the round closed, per instrument, by symbol.</param>
public sealed record CascadeRound(
    int Round,
    IReadOnlyDictionary<string, double> SpotMoves,
    IReadOnlyList<string> Liquidated,
    IReadOnlyDictionary<string, decimal> ForcedVolumeUsd,
    IReadOnlyDictionary<string, decimal> NetForcedSellUsd,
    decimal InsuranceFundUsedUsd,
    decimal UncoveredUsd,
    IReadOnlyList<ForcedTrade> ForcedTrades);
