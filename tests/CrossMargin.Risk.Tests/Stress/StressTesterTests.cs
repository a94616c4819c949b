using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Stress;
using CrossMargin.Risk.Tests.Fixtures;
using CrossMargin.Risk.Valuation;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Stress;

public class StressTesterTests
{
    private static readonly MarketSnapshot Market = TestMarket.Build();
    private static readonly MarginCalculator Calculator = TestParameters.StandardCalculator();

    [Fact]
    public void Shocked_equity_moves_by_the_revaluation_of_every_holding_and_coin_balance()
    {
        var portfolio = new Portfolio("a", [new CollateralBalance("USDT", 50_000), new CollateralBalance("BTC", 0.5m)],
        [
            new Position(TestMarket.BtcUsdt, 2, 59_000), new Position(TestMarket.BtcInversePerp, -300, 61_000),
            new Position(TestMarket.LinearOption(OptionKind.Call, 65000), -4, 0), new Position(TestMarket.InverseOption(OptionKind.Put, 55000), 3, 0),
            new Position(TestMarket.EthUsdt, -10, 3_000),
        ]);
        var shock = new MarketShock(new Dictionary<string, double> { ["BTC"] = -0.2, ["ETH"] = 0.1 }, new Dictionary<string, double> { ["BTC"] = 0.15 });

        var outcome = StressTester.Apply(Calculator, portfolio, Market, shock);

        var holdings = portfolio.Positions.Sum(p => Revaluation.PnlUsd(Market.GetInstrument(p.Symbol), (double)p.Quantity, p.EntryPrice, Market,
            shock.SpotFactor(Market.GetInstrument(p.Symbol).Underlying), shock.VolShift(Market.GetInstrument(p.Symbol).Underlying)));
        // 0.5 BTC with a 5% haircut loses 20% of its haircut value: 0.5 x 60,000 x 0.95 x 0.2.
        var collateral = -0.5 * 60_000 * 0.95 * 0.2;
        Assert.Equal(holdings + collateral, (double)outcome.PnlUsd, 1e-4);
    }

    [Fact]
    public void Eth_following_btc_with_a_beta_moves_beta_times_as_far()
    {
        var scenario = new StressScenario("crash", [new UnderlyingShock("BTC", -0.3, 0.2)], [new CorrelatedMove("ETH", "BTC", 1.2)]);

        var shock = scenario.ToShock();
        var shocked = shock.Apply(Market);

        Assert.Equal(1 - 0.36, shock.SpotFactor("ETH"), 12);
        Assert.Equal(0.2, shock.VolShift("ETH"));
        Assert.Equal(3_000m * (decimal)(1 - 0.36), shocked.PriceOf("ETH"));
        Assert.Equal(60_000m * 0.7m, shocked.PriceOf("BTC"));
        Assert.Equal(1m, shocked.PriceOf("USDT"));
    }

    [Fact]
    public void A_follower_of_an_unshocked_leader_is_refused()
    {
        var scenario = new StressScenario("bad", [new UnderlyingShock("BTC", -0.3)], [new CorrelatedMove("ETH", "SOL", 1)]);

        var e = Assert.Throws<ArgumentException>(scenario.ToShock);

        Assert.Contains("ETH follows SOL", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_larger_stress_never_shrinks_the_loss_of_a_linear_book()
    {
        var gen =
            from legs in Gen.ArrayOf(Gen.Choose(-20, 20), 3)
            from usdt in Gen.Choose(0, 200_000)
            from movePermille in Gen.Choose(-900, 900)
            from extraPermille in Gen.Choose(0, 500)
            select (legs, usdt, movePermille / 1000.0, extraPermille / 1000.0);

        PropertyCheck.ForAll(gen, x =>
        {
            var (legs, usdt, move, extra) = x;
            var portfolio = new Portfolio("p", [new CollateralBalance("USDT", usdt)],
            [
                new Position(TestMarket.BtcUsdt, legs[0] / 10m, 60_000), new Position(TestMarket.BtcMarchFuture, legs[1] / 10m, 60_000),
                new Position(TestMarket.BtcInversePerp, legs[2] * 100m, 60_000),
            ]);
            var larger = Math.Sign(move) * Math.Min(Math.Abs(move) + extra, 0.95);
            var small = StressTester.Apply(Calculator, portfolio, Market, MarketShock.Uniform(move)).PnlUsd;
            var big = StressTester.Apply(Calculator, portfolio, Market, MarketShock.Uniform(larger)).PnlUsd;
            if (small < 0)
            {
                Assert.True(big <= small + 1e-6m, $"move {move}: loss {-small}; move {larger}: loss {-big}");
            }
        }, cases: 150);
    }

    [Fact]
    public void A_book_stress_adds_up_its_accounts()
    {
        var book = Enumerable.Range(1, 5).Select(i => new Portfolio($"a{i}", [new CollateralBalance("USDT", 2_000 * i)],
            [new Position(TestMarket.BtcUsdt, 0.5m, 60_000)])).ToArray();

        var result = StressTester.ApplyToBook(Calculator, book, Market, MarketShock.Uniform(-0.15));

        // Each loses 0.5 x 60,000 x 15% = 4,500 against 2,000 i of collateral: accounts 1 and 2 are bankrupt.
        Assert.Equal(-4_500m * 5, result.PnlUsd);
        Assert.Equal(2, result.StatusCounts[MarginStatus.Bankrupt]);
        Assert.Equal(2_500m + 500m, result.DeficitUsd);
        Assert.Equal(result.Accounts.Sum(a => a.ShortfallUsd), result.ShortfallUsd);
    }
}
