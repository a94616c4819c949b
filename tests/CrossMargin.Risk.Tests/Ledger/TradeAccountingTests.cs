using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using CrossMargin.Risk.Valuation;

namespace CrossMargin.Risk.Tests.Ledger;

/// <summary>Fills worked by hand.</summary>
public class TradeAccountingTests
{
    private static readonly Instrument BtcUsdt = TestMarket.Instruments.Single(i => i.Symbol == TestMarket.BtcUsdt);

    /// <summary>BitMEX's XBTUSD: one contract is worth 1 USD, P&amp;L in BTC.</summary>
    private static readonly Perpetual XbtUsd = new("XBTUSD", "BTC", "USD", "BTC", SettlementKind.Inverse, 1m, 0.5m);

    private static FillResult Apply(Position? position, Instrument instrument, OrderSide side, decimal quantity, decimal price, decimal fee = 0m) =>
        TradeAccounting.Apply(position, instrument, new Fill(instrument.Symbol, side, quantity, price, fee));

    [Fact]
    public void Linear_adds_average_the_entry_by_quantity_and_a_reduction_realizes_at_that_entry()
    {
        // Taker fee 0.04% of notional throughout.
        var first = Apply(null, BtcUsdt, OrderSide.Buy, 2m, 50_000m, fee: 40m);
        Assert.Equal(new Position(TestMarket.BtcUsdt, 2m, 50_000m), first.Position);
        Assert.Equal((0m, -40m, 0m, 2m), (first.RealizedPnl, first.CashFlow, first.ClosedQuantity, first.OpenedQuantity));

        // (2 x 50,000 + 1 x 53,000) / 3 = 51,000.
        var second = Apply(first.Position, BtcUsdt, OrderSide.Buy, 1m, 53_000m, fee: 21.2m);
        Assert.Equal(new Position(TestMarket.BtcUsdt, 3m, 51_000m), second.Position);
        Assert.Equal(-21.2m, second.CashFlow);

        // 2 x (52,000 - 51,000) = 2,000 realized; 2,000 - 41.60 fee credited; the entry stays 51,000.
        var third = Apply(second.Position, BtcUsdt, OrderSide.Sell, 2m, 52_000m, fee: 41.6m);
        Assert.Equal(new Position(TestMarket.BtcUsdt, 1m, 51_000m), third.Position);
        Assert.Equal(2_000m, third.RealizedPnl);
        Assert.Equal(1_958.4m, third.CashFlow);
        Assert.Equal(1_958.4m, third.BalanceChange);
        Assert.Equal((2m, 0m), (third.ClosedQuantity, third.OpenedQuantity));
        Assert.Equal("USDT", third.SettlementAsset);
    }

    [Fact]
    public void Inverse_round_trip_realizes_bitmex_published_example_in_coin()
    {
        // BitMEX perpetual guide: long 15,000 XBTUSD at 750, sold at 800: 15,000 x (1/750 - 1/800) = 1.25 XBT.
        var open = Apply(null, XbtUsd, OrderSide.Buy, 15_000m, 750m);
        var close = Apply(open.Position, XbtUsd, OrderSide.Sell, 15_000m, 800m);

        Assert.Null(close.Position);
        Assert.Equal(1.25m, close.RealizedPnl);
        Assert.Equal(1.25m, close.CashFlow);
        Assert.Equal("BTC", close.SettlementAsset);
    }

    [Fact]
    public void Inverse_adds_average_the_entry_harmonically_so_the_position_is_worth_the_sum_of_its_lots()
    {
        // 10,000 USD at 50,000 is 0.2 BTC of entry value; 10,000 USD at 40,000 is 0.25 BTC. Together 20,000 / 0.45.
        var first = Apply(null, XbtUsd, OrderSide.Buy, 10_000m, 50_000m);
        var both = Apply(first.Position, XbtUsd, OrderSide.Buy, 10_000m, 40_000m).Position!;

        Assert.Equal(20_000m, both.Quantity);
        Assert.InRange(both.EntryPrice, 44_444.4444444444444444444m, 44_444.4444444444444444445m);
        Assert.InRange((both.Quantity / both.EntryPrice) - 0.45m, -1e-24m, 1e-24m);

        // At 60,000 the lots are worth 0.2 - 1/6 + 0.25 - 1/6 = 0.11666.. BTC; the arithmetic mean 45,000 would say 0.1111..
        var lots = TradeAccounting.Realized(XbtUsd, 10_000m, 50_000m, 60_000m) + TradeAccounting.Realized(XbtUsd, 10_000m, 40_000m, 60_000m);
        var valued = PositionValuation.Of(both, LedgerGen.MarkedAt(XbtUsd, 60_000m)).Value;
        Assert.InRange(valued - lots, -1e-24m, 1e-24m);
        Assert.NotEqual(LedgerRounding.Book(lots), LedgerRounding.Book(TradeAccounting.Realized(XbtUsd, 20_000m, 45_000m, 60_000m)));

        // Sell 15,000 at 60,000: 15,000 x 0.45 / 20,000 - 15,000 / 60,000 = 0.3375 - 0.25 = 0.0875 BTC; taker 0.075% of
        // 0.25 BTC is 0.0001875 BTC; 0.0873125 credited. The entry is unchanged.
        var sell = Apply(both, XbtUsd, OrderSide.Sell, 15_000m, 60_000m, fee: 0.0001875m);
        Assert.InRange(sell.RealizedPnl - 0.0875m, -1e-22m, 1e-22m);
        Assert.Equal(0.0873125m, sell.CashFlow);
        Assert.Equal(both with { Quantity = 5_000m }, sell.Position);
    }

    [Fact]
    public void Crossing_through_zero_closes_at_the_old_entry_and_opens_the_rest_at_the_fill_price()
    {
        var result = Apply(new Position(TestMarket.BtcUsdt, 1m, 50_000m), BtcUsdt, OrderSide.Sell, 3m, 49_000m, fee: 5m);

        Assert.Equal(new Position(TestMarket.BtcUsdt, -2m, 49_000m), result.Position);
        Assert.Equal(-1_000m, result.RealizedPnl);
        Assert.Equal(-1_005m, result.CashFlow);
        Assert.Equal((1m, 2m), (result.ClosedQuantity, result.OpenedQuantity));
    }

    [Fact]
    public void Short_reduction_realizes_the_fall_in_price()
    {
        var result = Apply(new Position(TestMarket.BtcUsdt, -0.5m, 62_000m), BtcUsdt, OrderSide.Buy, 0.2m, 60_000m);

        Assert.Equal(new Position(TestMarket.BtcUsdt, -0.3m, 62_000m), result.Position);
        Assert.Equal(400m, result.RealizedPnl);
        Assert.Equal(400m, result.CashFlow);
    }

    [Fact]
    public void Option_premium_moves_in_cash_at_trade_time_and_realized_pnl_is_the_premium_difference()
    {
        var call = TestMarket.Instruments.Single(i => i.Symbol == TestMarket.LinearOption(OptionKind.Call, 60000));
        var buy = Apply(null, call, OrderSide.Buy, 2m, 1_500m, fee: 1m);
        Assert.Equal(new Position(call.Symbol, 2m, 1_500m), buy.Position);
        Assert.Equal((0m, -3_001m), (buy.RealizedPnl, buy.CashFlow));

        var sell = Apply(buy.Position, call, OrderSide.Sell, 1m, 1_800m, fee: 0.5m);
        Assert.Equal(new Position(call.Symbol, 1m, 1_500m), sell.Position);
        Assert.Equal((300m, 1_799.5m), (sell.RealizedPnl, sell.CashFlow));
    }

    [Fact]
    public void Inverse_option_premium_is_paid_in_coin_and_averages_arithmetically()
    {
        var put = TestMarket.Instruments.Single(i => i.Symbol == TestMarket.InverseOption(OptionKind.Put, 55000));
        var first = Apply(null, put, OrderSide.Sell, 1m, 0.03m);
        var second = Apply(first.Position, put, OrderSide.Sell, 3m, 0.0260m);
        Assert.Equal((0.03m, 0.078m), (first.CashFlow, second.CashFlow));
        Assert.Equal(new Position(put.Symbol, -4m, 0.027m), second.Position);

        var cover = Apply(second.Position, put, OrderSide.Buy, 4m, 0.025m);
        Assert.Null(cover.Position);
        Assert.Equal(0.008m, cover.RealizedPnl);
        Assert.Equal(-0.1m, cover.CashFlow);
        Assert.Equal(first.CashFlow + second.CashFlow + cover.CashFlow, cover.RealizedPnl);
    }

    [Fact]
    public void Maker_rebate_is_credited()
    {
        var result = Apply(null, BtcUsdt, OrderSide.Buy, 1m, 50_000m, fee: -5m);

        Assert.Equal(5m, result.CashFlow);
    }

    [Fact]
    public void Cash_flow_is_booked_down_to_the_satoshi_whichever_side_gains()
    {
        // 1/30,000 - 1/70,000 = 0.0000190476190476.. BTC.
        var exact = (1m / 30_000m) - (1m / 70_000m);
        var gain = Apply(new Position("XBTUSD", 1m, 30_000m), XbtUsd, OrderSide.Sell, 1m, 70_000m);
        var loss = Apply(new Position("XBTUSD", -1m, 30_000m), XbtUsd, OrderSide.Buy, 1m, 70_000m);

        Assert.Equal((exact, 0.00001904m), (gain.RealizedPnl, gain.CashFlow));
        Assert.Equal((-exact, -0.00001905m), (loss.RealizedPnl, loss.CashFlow));
    }

    [Fact]
    public void Reducing_an_isolated_position_returns_margin_pro_rata_to_the_wallet()
    {
        var isolated = new Position(TestMarket.BtcUsdt, 4m, 50_000m, IsolatedMargin: 1_000m);

        var reduce = Apply(isolated, BtcUsdt, OrderSide.Sell, 1m, 51_000m);
        Assert.Equal(isolated with { Quantity = 3m, IsolatedMargin = 750m }, reduce.Position);
        Assert.Equal((1_000m, 250m, 1_250m), (reduce.CashFlow, reduce.ReleasedIsolatedMargin, reduce.BalanceChange));

        var close = Apply(reduce.Position, BtcUsdt, OrderSide.Sell, 3m, 50_000m);
        Assert.Null(close.Position);
        Assert.Equal(750m, close.ReleasedIsolatedMargin);
    }

    [Fact]
    public void Pro_rata_release_is_booked_down_and_what_stays_isolated_takes_the_remainder()
    {
        var result = Apply(new Position(TestMarket.BtcUsdt, 3m, 50_000m, IsolatedMargin: 100m), BtcUsdt, OrderSide.Sell, 1m, 50_000m);

        Assert.Equal(33.33333333m, result.ReleasedIsolatedMargin);
        Assert.Equal(66.66666667m, result.Position!.IsolatedMargin);
    }

    [Fact]
    public void Adding_to_an_isolated_position_leaves_its_margin_and_crossing_releases_it_all()
    {
        var isolated = new Position(TestMarket.BtcUsdt, 1m, 50_000m, IsolatedMargin: 500m);

        var add = Apply(isolated, BtcUsdt, OrderSide.Buy, 1m, 52_000m);
        Assert.Equal(new Position(TestMarket.BtcUsdt, 2m, 51_000m, 500m), add.Position);
        Assert.Equal(0m, add.ReleasedIsolatedMargin);

        var cross = Apply(add.Position, BtcUsdt, OrderSide.Sell, 3m, 51_000m);
        Assert.Equal(new Position(TestMarket.BtcUsdt, -1m, 51_000m, 0m), cross.Position);
        Assert.Equal(500m, cross.ReleasedIsolatedMargin);
    }

    [Fact]
    public void A_flat_isolated_position_keeps_its_margin_when_it_opens()
    {
        var result = Apply(new Position(TestMarket.BtcUsdt, 0m, 0m, IsolatedMargin: 200m), BtcUsdt, OrderSide.Sell, 0.1m, 60_000m);

        Assert.Equal(new Position(TestMarket.BtcUsdt, -0.1m, 60_000m, 200m), result.Position);
    }

    [Theory]
    [InlineData(0, 50_000, "quantity", "0")]
    [InlineData(-1, 50_000, "quantity", "-1")]
    [InlineData(1, 0, "price", "0")]
    [InlineData(1, -5, "price", "-5")]
    public void Non_positive_quantity_or_price_is_rejected_naming_field_and_value(int quantity, int price, string field, string value)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Apply(null, BtcUsdt, OrderSide.Buy, quantity, price));

        Assert.Contains($"fill {field} must be positive, not {value}", error.Message, StringComparison.Ordinal);
        Assert.Equal("fill", error.ParamName);
    }

    [Fact]
    public void Fill_for_another_instrument_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            TradeAccounting.Apply(null, BtcUsdt, new Fill(TestMarket.EthUsdt, OrderSide.Buy, 1m, 3_000m)));

        Assert.Contains($"Fill symbol {TestMarket.EthUsdt} does not match instrument {TestMarket.BtcUsdt}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Position_in_another_instrument_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Apply(new Position(TestMarket.EthUsdt, 1m, 3_000m), BtcUsdt, OrderSide.Buy, 1m, 50_000m));

        Assert.Contains($"Position symbol {TestMarket.EthUsdt} does not match instrument {TestMarket.BtcUsdt}", error.Message, StringComparison.Ordinal);
        Assert.Equal("position", error.ParamName);
    }

    [Fact]
    public void Unknown_side_is_rejected()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Apply(null, BtcUsdt, (OrderSide)7, 1m, 50_000m));

        Assert.Contains("fill side 7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Position_with_a_non_positive_entry_or_negative_margin_is_rejected()
    {
        var entry = Assert.ThrowsAny<ArgumentException>(() => Apply(new Position(TestMarket.BtcUsdt, 1m, 0m), BtcUsdt, OrderSide.Buy, 1m, 50_000m));
        var margin = Assert.ThrowsAny<ArgumentException>(() => Apply(new Position(TestMarket.BtcUsdt, 1m, 50_000m, -1m), BtcUsdt, OrderSide.Buy, 1m, 50_000m));

        Assert.Contains("entry price must be positive, not 0", entry.Message, StringComparison.Ordinal);
        Assert.Contains("isolated margin must not be negative, not -1", margin.Message, StringComparison.Ordinal);
    }
}
