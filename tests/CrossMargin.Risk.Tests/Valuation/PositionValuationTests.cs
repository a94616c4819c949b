using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Tests.Valuation;

public class PositionValuationTests
{
    private static readonly MarketSnapshot Market = TestMarket.Build(btc: 60_000m);

    [Fact]
    public void Inverse_perpetual_pnl_is_in_coin_and_worth_coin_times_index()
    {
        // Mark 60,030 (index x 1.0005). Long 1,000 x $10 from 50,000: 10,000 x (1/50,000 - 1/60,030) BTC.
        var valued = PositionValuation.Of(new Position(TestMarket.BtcInversePerp, 1_000m, 50_000m), Market);

        var coin = (10_000m / 50_000m) - (10_000m / 60_030m);
        Assert.Equal(coin, valued.Value);
        Assert.Equal(coin * 60_000m, valued.ValueUsd);
        Assert.Equal(10_000m, valued.NotionalUsd);
    }

    [Fact]
    public void Linear_perpetual_pnl_is_quantity_times_price_change()
    {
        var valued = PositionValuation.Of(new Position(TestMarket.BtcUsdt, -0.5m, 62_000m), Market);

        Assert.Equal(1_000m, valued.Value);
        Assert.Equal(1_000m, valued.ValueUsd);
        Assert.Equal(30_000m, valued.NotionalUsd);
    }

    [Fact]
    public void Option_is_worth_its_mark_whatever_it_was_bought_at()
    {
        var symbol = TestMarket.InverseOption(OptionKind.Call, 65_000);
        var mark = Market.MarkOf(symbol).MarkPrice;

        var valued = PositionValuation.Of(new Position(symbol, -3m, 0.5m), Market);

        Assert.Equal(-3m * mark, valued.Value);
        Assert.Equal(-3m * mark * 60_000m, valued.ValueUsd);
        Assert.Equal(180_000m, valued.NotionalUsd);
    }
}
