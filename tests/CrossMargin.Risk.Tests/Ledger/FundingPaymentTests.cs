using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Ledger;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Ledger;

public class FundingPaymentTests
{
    private static readonly Instrument BtcUsdt = TestMarket.Instruments.Single(i => i.Symbol == TestMarket.BtcUsdt);
    private static readonly Instrument InversePerp = TestMarket.Instruments.Single(i => i.Symbol == TestMarket.BtcInversePerp);
    private static readonly Perpetual XbtUsd = new("XBTUSD", "BTC", "USD", "BTC", SettlementKind.Inverse, 1m, 0.5m);

    [Fact]
    public void Inverse_long_pays_mark_value_times_rate_in_coin_as_in_bitmex_example()
    {
        // BitMEX perpetual guide: long 15,000 XBTUSD, mark 750, rate 0.25%: 20 XBT x 0.25% = 0.05 XBT, paid to the short.
        var longPays = FundingPayment.Of(new Position("XBTUSD", 15_000m, 750m), XbtUsd, 750m, 0.0025m);
        var shortGets = FundingPayment.Of(new Position("XBTUSD", -15_000m, 750m), XbtUsd, 750m, 0.0025m);

        Assert.Equal(new FundingPayment("XBTUSD", "BTC", -0.05m, -0.05m), longPays);
        Assert.Equal(new FundingPayment("XBTUSD", "BTC", 0.05m, 0.05m), shortGets);
    }

    [Fact]
    public void Linear_funding_is_notional_at_mark_times_rate_in_the_quote_asset()
    {
        var positive = FundingPayment.Of(new Position(TestMarket.BtcUsdt, 2m, 50_000m), BtcUsdt, 60_000m, 0.0001m);
        var negative = FundingPayment.Of(new Position(TestMarket.BtcUsdt, 2m, 50_000m), BtcUsdt, 60_000m, -0.000375m);

        Assert.Equal(new FundingPayment(TestMarket.BtcUsdt, "USDT", -12m, -12m), positive);
        Assert.Equal(45m, negative.CashFlow);
    }

    [Fact]
    public void Inverse_funding_is_booked_down_to_the_satoshi_on_both_sides()
    {
        // 1,000 x $10 at 60,030, 0.01%: 10,000 / 60,030 x 0.0001 = 0.0000166583.. BTC.
        var longPays = FundingPayment.Of(new Position(TestMarket.BtcInversePerp, 1_000m, 60_000m), InversePerp, 60_030m, 0.0001m);
        var shortGets = FundingPayment.Of(new Position(TestMarket.BtcInversePerp, -1_000m, 60_000m), InversePerp, 60_030m, 0.0001m);

        Assert.Equal(-0.00001666m, longPays.CashFlow);
        Assert.Equal(0.00001665m, shortGets.CashFlow);
        Assert.Equal(-longPays.Amount, shortGets.Amount);
    }

    [Fact]
    public void Long_and_short_of_the_same_size_pay_and_receive_exactly_opposite_amounts()
    {
        var gen =
            from instrument in Gen.Elements(BtcUsdt, InversePerp, XbtUsd)
            from quantity in LedgerGen.Quantity(instrument)
            from mark in Gen.Choose(1_000, 200_000).Select(n => n * 0.5m)
            from rate in Gen.Choose(-30_000, 30_000).Select(n => n * 0.0000001m)
            select (instrument, quantity, mark, rate);
        PropertyCheck.ForAll(gen, c =>
        {
            var longSide = FundingPayment.Of(new Position(c.instrument.Symbol, c.quantity, c.mark), c.instrument, c.mark, c.rate);
            var shortSide = FundingPayment.Of(new Position(c.instrument.Symbol, -c.quantity, c.mark), c.instrument, c.mark, c.rate);

            Assert.Equal(-longSide.Amount, shortSide.Amount);
            Assert.True(c.rate < 0 ? longSide.Amount >= 0 : longSide.Amount <= 0, $"long receives {longSide.Amount} at rate {c.rate}");
            // Each side is booked down, so the venue keeps at most one unit and never pays out more than it takes.
            Assert.InRange(longSide.CashFlow + shortSide.CashFlow, -LedgerRounding.Unit, 0m);
        }, cases: 300);
    }

    [Fact]
    public void Funding_on_a_future_or_an_option_is_rejected()
    {
        var future = TestMarket.Instruments.Single(i => i.Symbol == TestMarket.BtcMarchFuture);
        var option = TestMarket.Instruments.Single(i => i.Symbol == TestMarket.LinearOption(OptionKind.Call, 60000));

        var onFuture = Assert.Throws<ArgumentException>(() => FundingPayment.Of(new Position(future.Symbol, 1m, 60_000m), future, 60_000m, 0.0001m));
        var onOption = Assert.Throws<ArgumentException>(() => FundingPayment.Of(new Position(option.Symbol, 1m, 1_000m), option, 1_000m, 0.0001m));

        Assert.Contains($"perpetuals only; {future.Symbol} is a Future", onFuture.Message, StringComparison.Ordinal);
        Assert.Contains("OptionContract", onOption.Message, StringComparison.Ordinal);
        Assert.Equal("instrument", onFuture.ParamName);
    }

    [Theory]
    [InlineData("0.1000001")]
    [InlineData("-0.5")]
    [InlineData("5")]
    public void Rate_beyond_the_bound_is_rejected(string rate)
    {
        var value = decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture);
        var error = Assert.ThrowsAny<ArgumentException>(() => FundingPayment.Of(new Position(TestMarket.BtcUsdt, 1m, 60_000m), BtcUsdt, 60_000m, value));

        Assert.Contains($"funding rate {rate} is beyond", error.Message, StringComparison.Ordinal);
        Assert.Equal("rate", error.ParamName);
    }

    [Fact]
    public void Rate_at_the_bound_is_accepted()
    {
        var payment = FundingPayment.Of(new Position(TestMarket.BtcUsdt, 1m, 60_000m), BtcUsdt, 60_000m, -FundingPayment.MaxAbsoluteRate);

        Assert.Equal(6_000m, payment.CashFlow);
    }

    [Fact]
    public void Non_positive_mark_or_another_instruments_position_is_rejected()
    {
        var mark = Assert.ThrowsAny<ArgumentException>(() => FundingPayment.Of(new Position(TestMarket.BtcUsdt, 1m, 60_000m), BtcUsdt, 0m, 0.0001m));
        var symbol = Assert.Throws<ArgumentException>(() => FundingPayment.Of(new Position(TestMarket.EthUsdt, 1m, 3_000m), BtcUsdt, 60_000m, 0.0001m));

        Assert.Contains("mark price must be positive, not 0", mark.Message, StringComparison.Ordinal);
        Assert.Contains($"Position symbol {TestMarket.EthUsdt} does not match instrument {TestMarket.BtcUsdt}", symbol.Message, StringComparison.Ordinal);
    }
}
