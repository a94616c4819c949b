using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Ledger;

/// <summary>Cash settlement at expiry, each amount worked by hand in the test.</summary>
public class ExpirySettlementTests
{
    private static readonly Instrument MarchFuture = Find(TestMarket.BtcMarchFuture);
    private static readonly Future InverseFuture = new("BTC-27MAR26", "BTC", "USD", "BTC", SettlementKind.Inverse, 10m, 0.5m, TestMarket.March);

    [Fact]
    public void A_linear_future_settles_its_pnl_from_entry_to_the_settlement_price_in_the_quote_asset()
    {
        // 2 x 1 BTC x (61,234.56 - 60,300) = 1,869.12 USDT; the short pays exactly that.
        var longGets = ExpirySettlement.Of(new Position(TestMarket.BtcMarchFuture, 2m, 60_300m), MarchFuture, 61_234.56m);
        var shortPays = ExpirySettlement.Of(new Position(TestMarket.BtcMarchFuture, -2m, 60_300m), MarchFuture, 61_234.56m);

        Assert.Equal(new ExpirySettlement(TestMarket.BtcMarchFuture, "USDT", 1_869.12m, 1_869.12m, 0m), longGets);
        Assert.Equal(new ExpirySettlement(TestMarket.BtcMarchFuture, "USDT", -1_869.12m, -1_869.12m, 0m), shortPays);
    }

    [Fact]
    public void An_inverse_future_settles_in_coin_booked_down_to_the_satoshi_on_both_sides()
    {
        // 1,000 x $10 from 60,000 to 62,500: 10,000/60,000 - 10,000/62,500 = 0.1666.. - 0.16 = 0.00666666.. BTC; the long is
        // booked down to 0.00666666, the short's -0.00666666.. down to -0.00666667: the venue keeps one satoshi.
        var longGets = ExpirySettlement.Of(new Position("BTC-27MAR26", 1_000m, 60_000m), InverseFuture, 62_500m);
        var shortPays = ExpirySettlement.Of(new Position("BTC-27MAR26", -1_000m, 60_000m), InverseFuture, 62_500m);

        Assert.Equal(("BTC", 0.00666666m), (longGets.Asset, longGets.CashFlow));
        Assert.Equal(-0.00666667m, shortPays.CashFlow);
        Assert.Equal(-longGets.Amount, shortPays.Amount);
    }

    [Theory]
    [InlineData(OptionKind.Call, 60_000, 3, 3_703.68)]   // 3 x (61,234.56 - 60,000)
    [InlineData(OptionKind.Put, 65_000, 2, 7_530.88)]    // 2 x (65,000 - 61,234.56)
    [InlineData(OptionKind.Call, 65_000, 5, 0)]          // out of the money: worth nothing
    [InlineData(OptionKind.Put, 60_000, -4, 0)]          // a short OTM put keeps its premium and pays nothing
    [InlineData(OptionKind.Call, 55_000, -1, -6_234.56)] // the writer of an ITM call pays its intrinsic value
    public void A_linear_option_pays_its_intrinsic_value_at_the_settlement_price_in_the_quote_asset(OptionKind kind, int strike, int quantity, double expected)
    {
        var symbol = TestMarket.LinearOption(kind, strike);
        var settlement = ExpirySettlement.Of(new Position(symbol, quantity, 1_000m), Find(symbol), 61_234.56m);

        Assert.Equal(("USDT", (decimal)expected, (decimal)expected), (settlement.Asset, settlement.Amount, settlement.CashFlow));
    }

    [Fact]
    public void An_inverse_option_pays_its_intrinsic_value_in_coin_at_the_settlement_price()
    {
        // Call 60,000 at 62,500: 2,500 / 62,500 = 0.04 BTC a contract; a short of 1.5 puts 65,000: -1.5 x 2,500 / 62,500 = -0.06 BTC.
        var call = ExpirySettlement.Of(new Position(TestMarket.InverseOption(OptionKind.Call, 60_000), 1m, 0.05m), Find(TestMarket.InverseOption(OptionKind.Call, 60_000)), 62_500m);
        var put = ExpirySettlement.Of(new Position(TestMarket.InverseOption(OptionKind.Put, 65_000), -1.5m, 0.05m), Find(TestMarket.InverseOption(OptionKind.Put, 65_000)), 62_500m);

        Assert.Equal(("BTC", 0.04m), (call.Asset, call.CashFlow));
        Assert.Equal(-0.06m, put.CashFlow);
    }

    [Fact]
    public void An_isolated_position_returns_all_its_margin_beside_its_settlement()
    {
        // Short 1 March future from 60,300 settled at 60,000: +300 USDT, and its 700 USDT of isolated margin back: 1,000.
        var settlement = ExpirySettlement.Of(new Position(TestMarket.BtcMarchFuture, -1m, 60_300m, 700m), MarchFuture, 60_000m);

        Assert.Equal((300m, 700m, 1_000m), (settlement.CashFlow, settlement.ReleasedIsolatedMargin, settlement.BalanceChange));
    }

    [Fact]
    public void A_perpetual_or_a_price_that_is_not_positive_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ExpirySettlement.Of(new Position(TestMarket.BtcUsdt, 1m, 60_000m), Find(TestMarket.BtcUsdt), 60_000m));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExpirySettlement.Of(new Position(TestMarket.BtcMarchFuture, 1m, 60_000m), MarchFuture, 0m));
    }

    [Fact]
    public void A_portfolio_at_the_index_has_its_expired_holdings_settled_there_and_keeps_what_still_trades()
    {
        // Expired on 27 Feb, valued on 2 Mar with BTC at 61,000: long 2 February futures from 60,000 get 2 x 1,000 = 2,000
        // USDT (1,000 + 2,000 = 3,000), the short 70,000 call is out of the money (nothing), the order in the February
        // future goes; the perpetual, its order and the BTC balance stay as they were.
        var february = new DateTimeOffset(2026, 2, 27, 8, 0, 0, TimeSpan.Zero);
        var future = new Future("BTCUSDT-260227", "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m, february);
        var call = new OptionContract("BTC-27FEB26-70000-C", "BTC", "USDT", "USDT", SettlementKind.Linear, 1m, 0.01m, february, OptionKind.Call, 70_000m);
        var perpetual = Find(TestMarket.BtcUsdt);
        var market = new MarketSnapshot(TestMarket.ValuationTime, [perpetual],
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 61_000m, ["USDT"] = 1m }, [new UnderlyingMarket("BTC", 0)],
            [new InstrumentMark(perpetual.Symbol, 61_000m)], [future, call]);
        var held = new Portfolio("a-1", [new CollateralBalance("USDT", 1_000m), new CollateralBalance("BTC", 0.5m)],
            [new Position(future.Symbol, 2m, 60_000m), new Position(call.Symbol, -1m, 500m), new Position(perpetual.Symbol, 1m, 60_500m)],
            [new OpenOrder("o-feb", future.Symbol, OrderSide.Sell, 1m, 61_000m), new OpenOrder("o-perp", perpetual.Symbol, OrderSide.Buy, 1m, 59_000m)]);

        var settled = ExpirySettlement.AtIndex(held, market);

        Assert.NotNull(settled);
        Assert.Equal([new CollateralBalance("USDT", 3_000m), new CollateralBalance("BTC", 0.5m)], settled.Balances);
        Assert.Equal([new Position(perpetual.Symbol, 1m, 60_500m)], settled.Positions);
        Assert.Equal([held.OpenOrders[1]], settled.OpenOrders);
        Assert.Null(ExpirySettlement.AtIndex(new Portfolio("a-1", held.Balances, [held.Positions[2]], [held.OpenOrders[1]]), market));
    }

    private static Instrument Find(string symbol) => TestMarket.Instruments.Single(i => i.Symbol == symbol);
}
