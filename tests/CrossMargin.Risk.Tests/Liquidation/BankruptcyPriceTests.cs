using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Liquidation;

/// <summary>Bankruptcy prices computed by hand; USDT collateral only, so equity carries no haircut.</summary>
public class BankruptcyPriceTests
{
    [Fact]
    public void Linear_long_and_short_go_bankrupt_where_the_pool_equity_is_used_up()
    {
        var market = TestMarket.Build(btc: 57_000m);
        var calculator = TestParameters.StandardCalculator();

        // Long 10 at 60,000: P&L -30,000; equity 34,000.123 - 30,000 = 4,000.123.
        // P = M - E / (q c s) = 57,000 - 4,000.123 / 10 = 56,599.9877 -> up to the cent: 56,599.99.
        var longs = new Portfolio("a", [new CollateralBalance("USDT", 34_000.123m)], [new Position(TestMarket.BtcUsdt, 10m, 60_000m)]);
        Assert.Equal(56_599.99m, BankruptcyPrice.ForPosition(longs, TestMarket.BtcUsdt, market, calculator));

        // Short 10 at 54,000: P&L -30,000; same equity. P = 57,000 + 400.0123 = 57,400.0123 -> down: 57,400.01.
        var shorts = new Portfolio("a", [new CollateralBalance("USDT", 34_000.123m)], [new Position(TestMarket.BtcUsdt, -10m, 54_000m)]);
        Assert.Equal(57_400.01m, BankruptcyPrice.ForPosition(shorts, TestMarket.BtcUsdt, market, calculator));
    }

    [Fact]
    public void Residual_equity_of_the_whole_account_is_attributed_to_the_position_closed()
    {
        var market = TestMarket.Build(btc: 57_000m, eth: 3_000m);

        // ETH long 10 at 3,100: P&L -1,000; BTC long 10 at 60,000: P&L -30,000; USDT 30,500: equity -500 (bankrupt).
        // Closing the BTC long must recover 500: P = 57,000 - (-500) / 10 = 57,050.00.
        var portfolio = new Portfolio("a", [new CollateralBalance("USDT", 30_500m)],
            [new Position(TestMarket.BtcUsdt, 10m, 60_000m), new Position(TestMarket.EthUsdt, 10m, 3_100m)]);
        Assert.Equal(57_050.00m, BankruptcyPrice.ForPosition(portfolio, TestMarket.BtcUsdt, market, TestParameters.StandardCalculator()));
    }

    [Fact]
    public void Inverse_long_and_short_use_the_reciprocal_formula_on_the_half_dollar_tick()
    {
        // BTC at 60,000: the inverse perpetual marks 60,000 x 1.0005 = 60,030. 1,000 contracts of 10 USD entered at the
        // mark (no P&L), 1,000 USDT: E = 1,000; q c s = 1,000 x 10 x 60,000 = 600,000,000; E / (q c s) = 1 / 600,000.
        var market = TestMarket.Build(btc: 60_000m);
        var calculator = TestParameters.StandardCalculator();

        // Long: P = 1 / (1/60,030 + 1/600,000) = 60,030 x 600,000 / 660,030 = 54,570.2468... -> up: 54,570.5.
        var longs = new Portfolio("a", [new CollateralBalance("USDT", 1_000m)], [new Position(TestMarket.BtcInversePerp, 1_000m, 60_030m)]);
        Assert.Equal(54_570.5m, BankruptcyPrice.ForPosition(longs, TestMarket.BtcInversePerp, market, calculator));

        // Short: P = 1 / (1/60,030 - 1/600,000) = 36,018,000,000 / 539,970 = 66,703.7057... -> down: 66,703.5.
        var shorts = new Portfolio("a", [new CollateralBalance("USDT", 1_000m)], [new Position(TestMarket.BtcInversePerp, -1_000m, 60_030m)]);
        Assert.Equal(66_703.5m, BankruptcyPrice.ForPosition(shorts, TestMarket.BtcInversePerp, market, calculator));
    }

    [Fact]
    public void A_fully_backed_long_or_an_inverse_short_that_cannot_lose_its_equity_has_none()
    {
        var market = TestMarket.Build(btc: 60_000m);
        var calculator = TestParameters.StandardCalculator();

        // Long 1 BTCUSDT with 70,000 USDT: P = 60,000 - 70,000 < 0.
        var longs = new Portfolio("a", [new CollateralBalance("USDT", 70_000m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)]);
        Assert.Null(BankruptcyPrice.ForPosition(longs, TestMarket.BtcUsdt, market, calculator));

        // Short 100 inverse contracts (1,000 USD): it can lose at most 1,000 / 60,030 BTC = 999.5 USD < 1,000 of equity.
        var shorts = new Portfolio("a", [new CollateralBalance("USDT", 1_000m)], [new Position(TestMarket.BtcInversePerp, -100m, 60_030m)]);
        Assert.Null(BankruptcyPrice.ForPosition(shorts, TestMarket.BtcInversePerp, market, calculator));
    }

    [Fact]
    public void An_isolated_position_goes_bankrupt_on_its_own_margin()
    {
        // Isolated long 1 at 60,000 with 3,200 margin, BTC at 57,000: E = 3,200 - 3,000 = 200; P = 57,000 - 200 = 56,800.
        var portfolio = new Portfolio("a", [new CollateralBalance("USDT", 1_000_000m)],
            [new Position(TestMarket.BtcUsdt, 1m, 60_000m, IsolatedMargin: 3_200m)]);
        Assert.Equal(56_800.00m, BankruptcyPrice.ForPosition(portfolio, TestMarket.BtcUsdt, TestMarket.Build(btc: 57_000m), TestParameters.StandardCalculator()));
    }

    /// <summary>
    /// Band 10%, tick 0.5. A long bought at 60,000, BTC crashed to 42,000: its bankruptcy price 57,000 is 36% above the
    /// mark but below its entry, the crash's own gap: passed on whole. A deficit deepened past the entry (fills below the
    /// bankruptcy price) is held at the entry or the band's edge, whichever is further from the mark: 75,242.9 with the
    /// mark at 56,000 at 56,000 x 1.1 = 61,600; 17,946,190.5 with it at 42,053 at the entry, 60,000. A short sold at
    /// 40,000 with the mark at 57,000: its floor is the entry, 40,000 (a bankruptcy price of 30,000 is held there, 45,000
    /// passes). A solvent long taken over below the mark is held at 57,000 x 0.9 = 51,300 (its equity is not handed
    /// away past the band). Edges go to the tick inside the band: with the mark at 57,000.3, 62,700.33 down to 62,700 and
    /// 51,300.27 up to 51,300.5.
    /// </summary>
    [Fact]
    public void An_ADL_price_is_held_at_the_positions_entry_or_the_band_around_the_mark_whichever_is_further()
    {
        var long60k = new Position(TestMarket.BtcUsdt, 1m, 60_000m);
        Assert.Equal(57_000m, BankruptcyPrice.ForDeleveraging(57_000m, long60k, 42_000m, 0.1m, 0.5m));
        Assert.Equal(61_600m, BankruptcyPrice.ForDeleveraging(75_242.9m, long60k, 56_000m, 0.1m, 0.5m));
        Assert.Equal(60_000m, BankruptcyPrice.ForDeleveraging(17_946_190.5m, long60k, 42_053m, 0.1m, 0.5m));
        var short40k = new Position(TestMarket.BtcUsdt, -1m, 40_000m);
        Assert.Equal(40_000m, BankruptcyPrice.ForDeleveraging(30_000m, short40k, 57_000m, 0.1m, 0.5m));
        Assert.Equal(45_000m, BankruptcyPrice.ForDeleveraging(45_000m, short40k, 57_000m, 0.1m, 0.5m));
        Assert.Equal(51_300m, BankruptcyPrice.ForDeleveraging(40_000m, long60k, 57_000m, 0.1m, 0.5m));
        Assert.Equal(62_700m, BankruptcyPrice.ForDeleveraging(1_000_000m, long60k, 57_000.3m, 0.1m, 0.5m));
        Assert.Equal(51_300.5m, BankruptcyPrice.ForDeleveraging(1m, long60k, 57_000.3m, 0.1m, 0.5m));
    }
}
