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
        // Long call (delta > 0) and long put (delta < 0, but 0.3 of it against 1 call of delta about 0.5): net delta about
        // 0.45 > 0, so the BTC shorts (0.3 BTCUSDT and the inverse perpetual's 100 x 10 USD, 0.017 BTC: 0.317 BTC in all,
        // less than the options' delta, so whole) hedge them; the long March future adds to the risk and ETH is another
        // underlying; the isolated BTCUSDC short is liquidated on its own margin.
        var portfolio = new Portfolio("acc-1", [],
        [
            new Position(Call, 1m, 2_000m),
            new Position(Put, 0.3m, 0.02m),
            new Position(TestMarket.BtcUsdt, -0.3m, 60_000m),
            new Position(TestMarket.BtcInversePerp, -100m, 60_000m),
            new Position(TestMarket.BtcMarchFuture, 0.2m, 60_000m),
            new Position(TestMarket.EthUsdt, 1m, 3_000m),
            new Position(TestMarket.BtcUsdc, -0.3m, 60_000m, IsolatedMargin: 1_000m),
            new Position(TestMarket.LinearOption(OptionKind.Put, 50_000), 0m, 1m),
        ]);

        var groups = LiquidationGrouping.Of(portfolio, TestMarket.Build(), _ => 0.1m);

        Assert.Equal(
        [
            new LiquidationGroup(TestMarket.BtcUsdc, [TestMarket.BtcUsdc], false, true, Parts((TestMarket.BtcUsdc, -0.3m))),
            new LiquidationGroup(TestMarket.BtcMarchFuture, [TestMarket.BtcMarchFuture], false, false, Parts((TestMarket.BtcMarchFuture, 0.2m))),
            new LiquidationGroup(TestMarket.EthUsdt, [TestMarket.EthUsdt], false, false, Parts((TestMarket.EthUsdt, 1m))),
            new LiquidationGroup("hedge:BTC", [Call, Put, TestMarket.BtcInversePerp, TestMarket.BtcUsdt], true, false, // ordinal: "BTC-26" < "BTC-27" < "BTC-P" < "BTCU"
                Parts((Call, 1m), (Put, 0.3m), (TestMarket.BtcInversePerp, -100m), (TestMarket.BtcUsdt, -0.3m))),
        ],
        groups,
        new GroupComparer());
    }

    [Fact]
    public void Options_without_any_future_on_their_underlying_form_a_group_alone()
    {
        var portfolio = new Portfolio("acc-1", [], [new Position(Call, -2m, 2_000m), new Position(TestMarket.EthUsdt, -1m, 3_000m)]);

        var groups = LiquidationGrouping.Of(portfolio, TestMarket.Build(), _ => 0.1m);

        Assert.Equal(["ETHUSDT", "hedge:BTC"], groups.Select(g => g.Key));
        Assert.Equal([Call], groups[1].Symbols);
    }

    /// <summary>
    /// Long 1 call 60,000 (forward delta d, about 0.5) against a short of 100 BTCUSDT and 10,000 inverse perpetual contracts
    /// of 10 USD (100,000 USD, 100,000 / 60,030 = 1.6658 BTC at its mark): the shorts' 101.67 BTC of delta is far more than
    /// d, so each keeps a naked part of its size x (1 - d / 101.67), down to the 0.1 increment, as a lone group, and only
    /// the rest (at least d / 101.67 of it) hedges the call.
    /// </summary>
    [Fact]
    public void A_future_much_larger_than_the_options_delta_joins_their_hedge_only_for_the_part_that_offsets_it()
    {
        var market = TestMarket.Build();
        var portfolio = new Portfolio("acc-1", [],
        [
            new Position(Call, 1m, 2_000m),
            new Position(TestMarket.BtcUsdt, -100m, 60_000m),
            new Position(TestMarket.BtcInversePerp, -10_000m, 60_000m),
        ]);
        var inputs = market.OptionInputsOf(Call);
        var delta = Math.Round((decimal)CrossMargin.Risk.Pricing.Black76.Greeks(OptionKind.Call, inputs.Forward, 60_000, inputs.Years, inputs.Volatility, inputs.Rate).Delta, 9);
        var perpMark = market.MarkOf(TestMarket.BtcInversePerp).MarkPrice;
        var share = delta / (100m + (10_000m * 10m / perpMark));
        var usdtNaked = Math.Floor(100m * (1 - share) * 10) / 10;
        var perpNaked = Math.Floor(10_000m * (1 - share) * 10) / 10;

        var groups = LiquidationGrouping.Of(portfolio, market, _ => 0.1m);

        Assert.Equal(
        [
            new LiquidationGroup(TestMarket.BtcInversePerp, [TestMarket.BtcInversePerp], false, false, Parts((TestMarket.BtcInversePerp, -perpNaked))),
            new LiquidationGroup(TestMarket.BtcUsdt, [TestMarket.BtcUsdt], false, false, Parts((TestMarket.BtcUsdt, -usdtNaked))),
            new LiquidationGroup("hedge:BTC", [Call, TestMarket.BtcInversePerp, TestMarket.BtcUsdt], true, false,
                Parts((Call, 1m), (TestMarket.BtcInversePerp, perpNaked - 10_000m), (TestMarket.BtcUsdt, usdtNaked - 100m))),
        ],
        groups,
        new GroupComparer());
        // The call's delta is between 0.3 and 0.7, so the hedging part of the 100 BTCUSDT is under one BTC: 99.3 or more is naked.
        Assert.InRange(usdtNaked, 99.3m, 99.7m);
        // The hedge still covers the call: the parts' deltas add up to at least d.
        Assert.True((100m - usdtNaked) + ((10_000m - perpNaked) * 10m / perpMark) >= delta);
    }

    private static Dictionary<string, decimal> Parts(params (string Symbol, decimal Quantity)[] parts) =>
        parts.ToDictionary(p => p.Symbol, p => p.Quantity, StringComparer.Ordinal);

    private sealed class GroupComparer : IEqualityComparer<LiquidationGroup>
    {
        public bool Equals(LiquidationGroup? x, LiquidationGroup? y) =>
            x is not null && y is not null && x.Key == y.Key && x.Symbols.SequenceEqual(y.Symbols)
            && x.IsHedgeGroup == y.IsHedgeGroup && x.IsIsolated == y.IsIsolated
            && x.Symbols.All(s => x.Quantities[s] == y.Quantities[s]) && x.Quantities.Count == y.Quantities.Count;

        public int GetHashCode(LiquidationGroup obj) => obj.Key.GetHashCode(StringComparison.Ordinal);
    }
}
