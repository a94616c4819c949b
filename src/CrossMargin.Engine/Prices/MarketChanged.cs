using CrossMargin.Risk.Market;

namespace CrossMargin.Engine.Prices;

/// <summary>
/// A new market was published: <paramref name="Market"/> is the whole snapshot (also in <see cref="LatestMarket"/>),
/// <paramref name="Underlyings"/> the underlyings whose index, marks or vols moved. Only accounts holding positions or
/// orders on those underlyings need to re-margin.
/// </summary>
/// <param name="Market">The snapshot, with its scenario vectors already built.</param>
/// <param name="Version">The snapshot's version in <see cref="LatestMarket"/>.</param>
/// <param name="Underlyings">The underlyings that moved.</param>
public sealed record MarketChanged(MarketSnapshot Market, long Version, IReadOnlySet<string> Underlyings);
