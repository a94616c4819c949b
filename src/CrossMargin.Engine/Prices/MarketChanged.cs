using CrossMargin.Risk.Market;

namespace CrossMargin.Engine.Prices;

/// <summary>
/// A new market was published: <paramref name="Market"/> is the whole snapshot (also in <see cref="LatestMarket"/>),
/// <paramref name="Underlyings"/> the underlyings whose index, marks or vols moved and the collateral assets whose price
/// moved (an underlying and its asset share a name, e.g. BTC). Only accounts holding positions or orders on those
/// underlyings, or balances in those assets, need to re-margin.
/// </summary>
/// <param name="Market">The snapshot, with its scenario vectors already built.</param>
/// <param name="Version">The snapshot's version in <see cref="LatestMarket"/>.</param>
/// <param name="Underlyings">The underlyings and assets that moved.</param>
public sealed record MarketChanged(MarketSnapshot Market, long Version, IReadOnlySet<string> Underlyings);
