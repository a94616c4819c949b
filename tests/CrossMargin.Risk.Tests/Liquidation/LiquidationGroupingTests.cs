using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Liquidation;

/// <summary>Which positions are closed together.</summary>
public class LiquidationGroupingTests
{
    private static readonly string Call = TestMarket.LinearOption(OptionKind.Call, 60_000);
    private static readonly string Put = TestMarket.InverseOption(OptionKind.Put, 55_000);

    [Fact]
    public void Options_join_the_futures_that_offset_their_net_delta_and_nothing_else()
    {
        // Long call (delta > 0) and long put (delta < 0, but 0.3 of it against 1 call of delta about 0.5): net delta > 0,
        // so the BTC shorts (BTCUSDT and the inverse perpetual) hedge them; the long March future adds to the risk and
        // ETH is another underlying; the isolated BTCUSDC short is liquidated on its own margin.
        var portfolio = new Portfolio("acc-1", [],
        [
            new Position(Call, 1m, 2_000m),
            new Position(Put, 0.3m, 0.02m),
            new Position(TestMarket.BtcUsdt, -0.5m, 60_000m),
            new Position(TestMarket.BtcInversePerp, -100m, 60_000m),
            new Position(TestMarket.BtcMarchFuture, 0.2m, 60_000m),
            new Position(TestMarket.EthUsdt, 1m, 3_000m),
            new Position(TestMarket.BtcUsdc, -0.3m, 60_000m, IsolatedMargin: 1_000m),
            new Position(TestMarket.LinearOption(OptionKind.Put, 50_000), 0m, 1m),
        ]);

        var groups = LiquidationGrouping.Of(portfolio, TestMarket.Build());

        Assert.Equal(
        [
            new LiquidationGroup(TestMarket.BtcUsdc, [TestMarket.BtcUsdc], false, true),
            new LiquidationGroup(TestMarket.BtcMarchFuture, [TestMarket.BtcMarchFuture], false, false),
            new LiquidationGroup(TestMarket.EthUsdt, [TestMarket.EthUsdt], false, false),
            new LiquidationGroup("hedge:BTC", [Call, Put, TestMarket.BtcInversePerp, TestMarket.BtcUsdt], true, false), // ordinal: "BTC-26" < "BTC-27" < "BTC-P" < "BTCU"
        ],
        groups,
        new GroupComparer());
    }

    [Fact]
    public void Options_without_any_future_on_their_underlying_form_a_group_alone()
    {
        var portfolio = new Portfolio("acc-1", [], [new Position(Call, -2m, 2_000m), new Position(TestMarket.EthUsdt, -1m, 3_000m)]);

        var groups = LiquidationGrouping.Of(portfolio, TestMarket.Build());

        Assert.Equal(["ETHUSDT", "hedge:BTC"], groups.Select(g => g.Key));
        Assert.Equal([Call], groups[1].Symbols);
    }

    private sealed class GroupComparer : IEqualityComparer<LiquidationGroup>
    {
        public bool Equals(LiquidationGroup? x, LiquidationGroup? y) =>
            x is not null && y is not null && x.Key == y.Key && x.Symbols.SequenceEqual(y.Symbols)
            && x.IsHedgeGroup == y.IsHedgeGroup && x.IsIsolated == y.IsIsolated;

        public int GetHashCode(LiquidationGroup obj) => obj.Key.GetHashCode(StringComparison.Ordinal);
    }
}
