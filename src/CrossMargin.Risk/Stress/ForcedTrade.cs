namespace CrossMargin.Risk.Stress;

/// <summary>What a cascade round's liquidations closed of one instrument.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Underlying">Its underlying.</param>
/// <param name="Contracts">Signed contracts traded to close (a long's closing sale is negative).</param>
/// <param name="NotionalUsd">Absolute USD notional closed (options at delta-equivalent notional).</param>
public sealed record ForcedTrade(string Symbol, string Underlying, decimal Contracts, decimal NotionalUsd);
