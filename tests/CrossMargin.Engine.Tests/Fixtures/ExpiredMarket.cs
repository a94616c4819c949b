using CrossMargin.Risk.Market;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Fixtures;

/// <summary>Markets after <see cref="TestMarket"/>'s dated contracts expired.</summary>
internal static class ExpiredMarket
{
    /// <summary>
    /// The market a day after the March expiry with BTC at <paramref name="btc"/>: the perpetuals listed, the March
    /// future and options expired (kept only to resolve the holdings that await their settlement).
    /// </summary>
    public static MarketSnapshot March(decimal btc)
    {
        var listed = TestMarket.Instruments.Where(i => i.Expiry is null).ToArray();
        var prices = TestMarket.Build(btc, 3_000m, listed);
        return new MarketSnapshot(TestMarket.March.AddDays(1), listed, prices.AssetPrices, [new UnderlyingMarket("BTC", 0), new UnderlyingMarket("ETH", 0)],
            listed.Select(i => prices.MarkOf(i.Symbol)), TestMarket.Instruments.Where(i => i.Expiry is not null));
    }
}
