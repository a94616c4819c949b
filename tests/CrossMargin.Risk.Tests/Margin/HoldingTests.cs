using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Simm;
using CrossMargin.Risk.Tests.Fixtures;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Tests.Margin;

/// <summary>
/// The open-order cases the SIMM-style and historical models revalue. An inverse future's USD P&amp;L for a price
/// factor f is q x size x S x (f - 1) / entry (<see cref="Revaluation.PnlUsd"/>): its entry scales its exposure, so an
/// order must keep its own price rather than take the entry of a position it adds to.
/// </summary>
public class HoldingTests
{
    [Fact]
    public void Sell_order_on_a_held_inverse_perpetual_keeps_its_own_price_as_entry()
    {
        // BTC at 60,000; long 1,000 contracts of 10 USD entered at 120,000; a resting sell of 3,000 at 60,000.
        var market = TestMarket.Build(btc: 60_000m);
        var positions = new[] { PositionValuation.Of(new Position(TestMarket.BtcInversePerp, 1_000m, 120_000m), market) };
        var orders = new[] { new OpenOrder("s1", TestMarket.BtcInversePerp, OrderSide.Sell, 3_000m, 60_000m) };

        var sells = Holding.Cases(positions, orders, market.GetInstrument).Single(c => c.Case == "positions + sell orders").Holdings;
        var perOnePercent = sells.Sum(h => h.PnlUsd(market, 1.01, 0));

        // By hand, USD per +1%: the position 1,000 x 10 x 600 / 120,000 = +50; the order -3,000 x 10 x 600 / 60,000 = -300;
        // together -250. The net -2,000 contracts at the position's entry would say -2,000 x 10 x 600 / 120,000 = -100.
        Assert.Equal(-250, perOnePercent, 1e-9);
    }

    [Fact]
    public void Two_buy_orders_on_an_inverse_perpetual_not_held_each_keep_their_price()
    {
        var market = TestMarket.Build(btc: 60_000m);
        var orders = new[]
        {
            new OpenOrder("b1", TestMarket.BtcInversePerp, OrderSide.Buy, 1_000m, 50_000m),
            new OpenOrder("b2", TestMarket.BtcInversePerp, OrderSide.Buy, 1_000m, 40_000m),
        };

        var buys = Holding.Cases([], orders, market.GetInstrument).Single(c => c.Case == "positions + buy orders").Holdings;
        var perOnePercent = buys.Sum(h => h.PnlUsd(market, 1.01, 0));

        // 1,000 x 10 x 600 / 50,000 = 120 and 1,000 x 10 x 600 / 40,000 = 150: 270 (both at 50,000 would say 240).
        Assert.Equal(270, perOnePercent, 1e-9);
    }

    [Fact]
    public void Simm_margin_of_a_sell_order_reversing_an_inverse_position_charges_the_order_at_its_price()
    {
        var market = TestMarket.Build(btc: 60_000m);
        var positions = new[] { PositionValuation.Of(new Position(TestMarket.BtcInversePerp, 1_000m, 120_000m), market) };
        var orders = new[] { new OpenOrder("s1", TestMarket.BtcInversePerp, OrderSide.Sell, 3_000m, 60_000m) };
        var parameters = new SimmParameters(
            [new SimmBucket("majors", 50, 0.5, 0.5, 1e12, 1e12)], new Dictionary<string, string> { ["BTC"] = "majors" },
            new Dictionary<string, double>(), DefaultInterBucketCorrelation: 0, DefaultBucket: null, MaintenanceFactor: 0.8);

        var requirement = new SimmMarginModel(parameters).Compute(positions, orders, market);

        // Delta per 1% of the sell case -250 (above); one factor, no concentration: IM = RW x |delta| = 50 x 250.
        Assert.Equal("positions + sell orders", requirement.Simm!.OpenOrderCase);
        Assert.Equal(12_500m, requirement.InitialMarginUsd);
    }
}
