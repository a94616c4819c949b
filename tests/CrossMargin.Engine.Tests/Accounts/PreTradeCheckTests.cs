using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using FsCheck;
using FsCheck.Fluent;

namespace CrossMargin.Engine.Tests.Accounts;

public sealed class PreTradeCheckTests
{
    private static readonly string[] Symbols =
    [
        TestMarket.BtcUsdt, TestMarket.EthUsdt, TestMarket.BtcInversePerp, TestMarket.BtcMarchFuture,
        TestMarket.LinearOption(OptionKind.Call, 60000), TestMarket.LinearOption(OptionKind.Put, 55000),
        TestMarket.InverseOption(OptionKind.Put, 55000),
    ];

    [Fact]
    public void An_order_within_available_margin_is_accepted_with_the_post_trade_figures()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 1_000m);

        var result = AccountDecider.CheckPreTrade(account.State, new CheckPreTrade("q-1", TestMarket.BtcUsdt, OrderSide.Buy, 1m, 60_000m),
            account.Market, AccountFixture.Models);

        // 60,000 of notional: bracket 2, 1% less the 100 deduction = 500.
        Assert.True(result.Accepted);
        Assert.Equal(500m, result.InitialMarginUsd);
        Assert.Equal(500m, result.AvailableMarginUsd);
        Assert.Equal(0m, result.InitialMarginBeforeUsd);
    }

    [Fact]
    public void An_order_beyond_available_margin_is_refused_with_the_numbers_and_changes_nothing()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 1_000m);
        var before = account.SnapshotJson();

        var result = AccountDecider.CheckPreTrade(account.State, new CheckPreTrade("q-1", TestMarket.BtcUsdt, OrderSide.Buy, 5m, 60_000m, Fee: 30m),
            account.Market, AccountFixture.Models);

        Assert.False(result.Accepted);
        Assert.Equal(RejectionCode.WouldBreachMargin, result.Rejection!.Code);
        Assert.Equal("Order Buy 5 BTCUSDT at 60000 would leave equity 970.00 USD below initial margin 3,400.00 USD (now 0.00 USD).", result.Rejection.Message);
        Assert.Equal(3_400m, result.InitialMarginUsd);
        Assert.Equal(-2_430m, result.AvailableMarginUsd);
        Assert.Equal(before, account.SnapshotJson());
    }

    [Fact]
    public void An_order_that_reduces_risk_is_accepted_even_in_a_margin_call()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 3_000m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 5m, 60_000m);
        Assert.Equal(-400m, account.Assess().AvailableMarginUsd);

        // Selling 0.1 leaves 294,000 of notional: IM 2% less 2,600 = 3,280, still above the equity of 3,000.
        var reduce = AccountDecider.CheckPreTrade(account.State, new CheckPreTrade("q-1", TestMarket.BtcUsdt, OrderSide.Sell, 0.1m, 60_000m),
            account.Market, AccountFixture.Models);
        var add = AccountDecider.CheckPreTrade(account.State, new CheckPreTrade("q-2", TestMarket.BtcUsdt, OrderSide.Buy, 0.1m, 60_000m),
            account.Market, AccountFixture.Models);

        Assert.True(reduce.Accepted, reduce.Rejection?.Message);
        Assert.Equal(-280m, reduce.AvailableMarginUsd);
        Assert.False(add.Accepted);
    }

    [Fact]
    public void An_order_in_an_unknown_instrument_or_of_no_size_is_refused()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 1_000m);

        var unknown = AccountDecider.CheckPreTrade(account.State, new CheckPreTrade("q-1", "NOPE", OrderSide.Buy, 1m, 1m), account.Market, AccountFixture.Models);
        var empty = AccountDecider.CheckPreTrade(account.State, new CheckPreTrade("q-2", TestMarket.BtcUsdt, OrderSide.Buy, 0m, 1m), account.Market, AccountFixture.Models);

        Assert.Equal(RejectionCode.UnknownInstrument, unknown.Rejection!.Code);
        Assert.Equal(RejectionCode.InvalidQuantity, empty.Rejection!.Code);
    }

    [Fact]
    public void An_order_whose_amounts_overflow_is_refused_rather_than_thrown()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 1_000m);

        var result = AccountDecider.CheckPreTrade(account.State, new CheckPreTrade("q-1", TestMarket.BtcUsdt, OrderSide.Sell, 1e20m, 1e20m),
            account.Market, AccountFixture.Models);

        Assert.Equal(RejectionCode.Overflow, result.Rejection!.Code);
    }

    /// <summary>
    /// 0.1 BTCUSDT at 60,000 trades 6,000 USDT: an expected rebate of 6,000.01 is no venue's, and the execution it
    /// foretells would be refused <see cref="RejectionCode.InvalidFee"/>. The check answered accepted, with the rebate in equity.
    /// </summary>
    [Fact]
    public void An_order_whose_expected_fee_is_more_than_its_notional_is_refused_as_its_execution_would_be()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 1_000m);

        var result = AccountDecider.CheckPreTrade(account.State, new CheckPreTrade("q-1", TestMarket.BtcUsdt, OrderSide.Buy, 0.1m, 60_000m, Fee: -6_000.01m),
            account.Market, AccountFixture.Models);

        Assert.False(result.Accepted);
        Assert.Equal(RejectionCode.InvalidFee, result.Rejection!.Code);
        Assert.Equal((0m, 0m), (result.InitialMarginUsd, result.InitialMarginBeforeUsd));
    }

    [Fact]
    public void Pre_trade_margin_equals_the_margin_after_actually_applying_the_same_execution()
    {
        var gen =
            from mode in Gen.Elements(MarginMode.StandardCross, MarginMode.Portfolio)
            from count in Gen.Choose(0, 4)
            from fills in Gen.ArrayOf(Trade, count)
            from order in Trade
            select (mode, fills, order);

        PropertyCheck.ForAll(gen, input =>
        {
            var account = new AccountFixture();
            account.Deposit("USDT", 500_000m);
            account.Deposit("BTC", 2m);
            if (input.mode == MarginMode.Portfolio)
            {
                var (mid, msource, mseq) = account.Next();
                account.Accept(new ChangeMarginMode(mid, msource, mseq, MarginMode.Portfolio));
            }

            foreach (var (symbol, side, quantity, price, fee) in input.fills)
            {
                account.Trade(symbol, side, quantity, price, fee);
            }

            var before = account.SnapshotJson();
            var (osymbol, oside, oquantity, oprice, ofee) = input.order;
            var check = AccountDecider.CheckPreTrade(account.State, new CheckPreTrade("q", osymbol, oside, oquantity, oprice, ofee),
                account.Market, AccountFixture.Models);
            Assert.Equal(before, account.SnapshotJson());

            account.Trade(osymbol, oside, oquantity, oprice, ofee);
            var after = account.Assess();
            Assert.Equal(after.InitialMarginUsd, check.InitialMarginUsd);
            Assert.Equal(after.EquityUsd, check.EquityUsd);
            Assert.Equal(after.AvailableMarginUsd, check.AvailableMarginUsd);
        }, cases: 60);
    }

    private static Gen<(string Symbol, OrderSide Side, decimal Quantity, decimal Price, decimal Fee)> Trade =>
        from symbol in Gen.Elements(Symbols)
        from side in Gen.Elements(OrderSide.Buy, OrderSide.Sell)
        from size in Gen.Choose(1, 50)
        from bps in Gen.Choose(-500, 500)
        from fee in Gen.Choose(0, 1_000)
        let instrument = TestMarket.Instruments.Single(i => i.Symbol == symbol)
        select (symbol, side, Contracts(instrument, size), PriceNear(instrument, bps), instrument.Settlement == SettlementKind.Inverse ? fee * 0.00000001m : fee * 0.01m);

    private static decimal Contracts(Instrument instrument, int size) => instrument switch
    {
        { Settlement: SettlementKind.Inverse } and not OptionContract => size * 100m,
        { Underlying: "ETH" } => size,
        _ => size / 10m,
    };

    private static decimal PriceNear(Instrument instrument, int bps)
    {
        var mark = TestMarket.Build().MarkOf(instrument.Symbol).MarkPrice;
        return Math.Max(instrument.TickSize, Math.Round(mark * (1 + (bps / 10_000m)) / instrument.TickSize) * instrument.TickSize);
    }
}
