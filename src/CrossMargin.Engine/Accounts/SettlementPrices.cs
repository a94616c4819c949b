using CrossMargin.Risk.Market;

namespace CrossMargin.Engine.Accounts;

/// <summary>The priced settlement assets of one market in ordinal order, with their prices: what account limits are stated in.</summary>
/// <param name="Assets">The assets.</param>
/// <param name="Prices">Each asset's price, in the same order.</param>
internal sealed record SettlementPrices(string[] Assets, decimal[] Prices)
{
    /// <summary>The settlement assets of <paramref name="market"/>'s instruments that it prices.</summary>
    public static SettlementPrices Of(MarketSnapshot market)
    {
        var assets = market.Instruments.Select(i => i.SettlementAsset).Distinct(StringComparer.Ordinal).Where(market.HasPrice)
            .Order(StringComparer.Ordinal).ToArray();
        return new SettlementPrices(assets, assets.Select(market.PriceOf).ToArray());
    }
}
