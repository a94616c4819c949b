using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Stress;

/// <summary>
/// The cascade tests' book on the test market: two 10 BTC longs, the thin one failing at -10%, whose forced sale of
/// ~540,000 USD moves BTC a further 5.4% at 0.1 per million and fails the second (bankrupt near -14%); a short that
/// never fails.
/// </summary>
internal static class CascadeBook
{
    public static readonly MarketSnapshot Market = TestMarket.Build();

    public static readonly MarginCalculator Calculator = TestParameters.StandardCalculator();

    public static readonly Portfolio[] Accounts =
    [
        new("thin", [new CollateralBalance("USDT", 50_000)], [new Position(TestMarket.BtcUsdt, 10, 60_000)]),
        new("second", [new CollateralBalance("USDT", 85_000)], [new Position(TestMarket.BtcUsdt, 10, 60_000)]),
        new("short", [new CollateralBalance("USDT", 100_000)], [new Position(TestMarket.BtcUsdt, -1, 60_000)]),
    ];
}
