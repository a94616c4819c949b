using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Stress;
using CrossMargin.Risk.Tests.Fixtures;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Stress;

public class ReverseStressTests
{
    private static readonly MarketSnapshot Market = TestMarket.Build();
    private static readonly MarginCalculator Calculator = TestParameters.StandardCalculator();

    [Fact]
    public void A_long_perpetual_goes_bankrupt_when_the_move_eats_its_collateral_by_hand()
    {
        // 2 BTC long at 60,000 with 30,000 USDT: equity 30,000 + 120,000 m < 0 when m < -25%.
        var portfolio = new Portfolio("a", [new CollateralBalance("USDT", 30_000)], [new Position(TestMarket.BtcUsdt, 2, 60_000)]);
        var search = new ReverseStress();

        var result = search.Find(Calculator, portfolio, Market);

        Assert.NotNull(result.Down);
        Assert.Null(result.Up);
        Assert.InRange(result.Down!.Move, -0.25 - search.Tolerance, -0.25);
        Assert.Same(result.Down, result.Smallest);
    }

    [Fact]
    public void A_short_call_goes_bankrupt_on_the_way_up()
    {
        var portfolio = new Portfolio("a", [new CollateralBalance("USDT", 20_000)], [new Position(TestMarket.LinearOption(OptionKind.Call, 65000), -2, 0)]);

        var result = new ReverseStress().Find(Calculator, portfolio, Market);

        Assert.Null(result.Down);
        Assert.NotNull(result.Up);
        Assert.True(result.Up!.Move > 0);
    }

    [Fact]
    public void Reverse_stress_bankrupts_at_the_found_move_and_not_before()
    {
        var gen =
            from btc in Gen.Choose(-30, 30)
            from eth in Gen.Choose(-300, 300)
            from usdt in Gen.Choose(1_000, 300_000)
            select (btc, eth, usdt);
        var search = new ReverseStress(Tolerance: 1e-5);

        PropertyCheck.ForAll(gen, x =>
        {
            var portfolio = new Portfolio("p", [new CollateralBalance("USDT", x.usdt)],
                [new Position(TestMarket.BtcUsdt, x.btc / 10m, 60_000), new Position(TestMarket.EthUsdt, x.eth / 10m, 3_000)]);
            var result = search.Find(Calculator, portfolio, Market);
            foreach (var point in new[] { result.Down, result.Up }.OfType<ReverseStressPoint>())
            {
                Assert.Equal(MarginStatus.Bankrupt, StatusAt(portfolio, point.Move));
                Assert.NotEqual(MarginStatus.Bankrupt, StatusAt(portfolio, point.SolventMove));
                Assert.InRange(Math.Abs(point.Move - point.SolventMove), 0, search.Tolerance);
                for (var m = 0.0; m < Math.Abs(point.SolventMove); m += search.GridStep)
                {
                    Assert.NotEqual(MarginStatus.Bankrupt, StatusAt(portfolio, Math.Sign(point.Move) * m));
                }
            }
        }, cases: 40);
    }

    private static MarginStatus StatusAt(Portfolio portfolio, double move) =>
        Calculator.Assess(portfolio, MarketShock.Uniform(move).Apply(Market)).Status;
}
