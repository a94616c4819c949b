using System.Globalization;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// Executions, accepted orders and pre-trade checks are held to the instrument's tick and lot: a matching engine trades
/// neither 60,000.005 on a tick of 0.01 nor 1e-28 of a contract, and one booked moves balances by what the venue never traded.
/// </summary>
public sealed class TickAndLotTests
{
    /// <summary>The test market with the venue's lots given to two instruments: BTCUSDT 0.001, the inverse perpetual 1 contract.</summary>
    private static MarketSnapshot LottedMarket() => TestMarket.Build(60_000m, 3_000m, TestMarket.Instruments.Select(i => i.Symbol switch
    {
        TestMarket.BtcUsdt => i with { LotSize = 0.001m },
        TestMarket.BtcInversePerp => i with { LotSize = 1m },
        _ => i,
    }));

    private static AccountFixture Funded()
    {
        var account = new AccountFixture(market: LottedMarket());
        account.Deposit("USDT", 1_000m);
        return account;
    }

    private static ApplyExecution Fill(AccountFixture account, string symbol, decimal quantity, decimal price)
    {
        var (id, source, seq) = account.Next();
        return new ApplyExecution(id, source, seq, "x" + id, "o" + id, symbol, OrderSide.Buy, quantity, price, 0m, Liquidity.Taker, TestMarket.ValuationTime);
    }

    /// <summary>Sends a buy of <paramref name="quantity"/> at <paramref name="price"/> and asserts it is refused with <paramref name="code"/> and <paramref name="reason"/>, nothing changed.</summary>
    private static void AssertRefused(string symbol, string quantity, string price, RejectionCode code, string reason)
    {
        var account = Funded();
        var before = account.SnapshotJson();

        var decision = account.Send(Fill(account, symbol, decimal.Parse(quantity, CultureInfo.InvariantCulture), decimal.Parse(price, CultureInfo.InvariantCulture)));

        Assert.Equal(DecisionOutcome.Rejected, decision.Outcome);
        Assert.Equal(code, decision.Rejection!.Code);
        Assert.Equal(reason, decision.Rejection.Message);
        Assert.Empty(decision.Events);
        Assert.Equal(before, account.SnapshotJson());
    }

    // BTCUSDT and the linear option tick 0.01, the inverse perpetual 0.5, the inverse option 0.0001 BTC. The remainder is
    // exact at a decimal's 28 digits: 7,922,816,251,426,433,759,354,395,033.3 is 0.3 past a tick of 0.5.
    [Theory]
    [InlineData(TestMarket.BtcUsdt, "0.1", "60000.005", "0.01")]
    [InlineData(TestMarket.BtcUsdt, "0.1", "0.001", "0.01")]
    [InlineData(TestMarket.BtcInversePerp, "1", "60000.25", "0.5")]
    [InlineData("BTC-260327-60000-C-USDT", "1", "3000.001", "0.01")]
    [InlineData("BTC-27MAR26-60000-C", "1", "0.05005", "0.0001")]
    [InlineData(TestMarket.BtcInversePerp, "1", "7922816251426433759354395033.3", "0.5")]
    public void An_execution_at_a_price_off_the_instruments_tick_is_refused_price_off_tick_and_applies_nothing(string symbol, string quantity, string price, string tick)
        => AssertRefused(symbol, quantity, price, RejectionCode.PriceOffTick, $"{symbol}: price {price} is not a whole number of its ticks of {tick}.");

    // BTCUSDT's lot is 0.001, the inverse perpetual's 1; ETHUSDT gives none, so its lot is the default 1e-8.
    [Theory]
    [InlineData(TestMarket.BtcUsdt, "0.0005", "60000", "0.001")]
    [InlineData(TestMarket.BtcUsdt, "1.0001", "60000", "0.001")]
    [InlineData(TestMarket.BtcInversePerp, "1.5", "60000", "1")]
    [InlineData(TestMarket.EthUsdt, "0.0000000000000000000000000001", "3000", "0.00000001")]
    [InlineData(TestMarket.EthUsdt, "1.000000001", "3000", "0.00000001")]
    [InlineData(TestMarket.BtcInversePerp, "7922816251426433759354395033.5", "60000", "1")]
    public void An_execution_of_a_quantity_off_the_instruments_lot_is_refused_quantity_off_lot_and_applies_nothing(string symbol, string quantity, string price, string lot)
        => AssertRefused(symbol, quantity, price, RejectionCode.QuantityOffLot, $"{symbol}: quantity {quantity} is not a whole number of its lots of {lot}.");

    /// <summary>
    /// One lot at one tick, and a large whole multiple of each, are what a venue trades: booked exactly. 0.001 BTCUSDT at
    /// 0.01 is a position of 0.001 at entry 0.01; then 123,456,789.999 (123,456,789,999 lots) at 99,999.99 (9,999,999 ticks)
    /// makes it 123,456,790 at (0.001 x 0.01 + 123,456,789.999 x 99,999.99) / 123,456,790.
    /// </summary>
    [Fact]
    public void Fills_of_one_lot_at_one_tick_and_of_large_whole_multiples_of_both_are_accepted_and_booked_exactly()
    {
        var account = Funded();

        var smallest = account.Send(Fill(account, TestMarket.BtcUsdt, 0.001m, 0.01m));
        var largest = account.Send(Fill(account, TestMarket.BtcUsdt, 123_456_789.999m, 99_999.99m));
        var inverse = account.Send(Fill(account, TestMarket.BtcInversePerp, 1m, 0.5m));
        var defaultLot = account.Send(Fill(account, TestMarket.EthUsdt, 0.00000001m, 0.01m));
        var inverseOption = account.Send(Fill(account, TestMarket.InverseOption(OptionKind.Put, 55_000), 0.00000001m, 0.0001m));

        Assert.All(new[] { smallest, largest, inverse, defaultLot, inverseOption }, d => Assert.Equal(DecisionOutcome.Accepted, d.Outcome));
        var btc = account.State.Positions[TestMarket.BtcUsdt];
        Assert.Equal(123_456_790m, btc.Quantity);
        Assert.Equal(((0.001m * 0.01m) + (123_456_789.999m * 99_999.99m)) / 123_456_790m, btc.EntryPrice);
        Assert.Equal((1m, 0.5m), (account.State.Positions[TestMarket.BtcInversePerp].Quantity, account.State.Positions[TestMarket.BtcInversePerp].EntryPrice));
        Assert.Equal(0.00000001m, account.State.Positions[TestMarket.EthUsdt].Quantity);
    }

    [Fact]
    public void An_order_accepted_off_the_tick_or_off_the_lot_is_refused_and_not_held_open()
    {
        var account = Funded();
        var before = account.SnapshotJson();
        var (id, source, seq) = account.Next();
        var offTick = account.Send(new AcceptOrder(id, source, seq, "o-1", TestMarket.BtcUsdt, OrderSide.Sell, 1m, 61_000.015m));
        (id, source, seq) = account.Next();
        var offLot = account.Send(new AcceptOrder(id, source, seq, "o-2", TestMarket.BtcUsdt, OrderSide.Sell, 0.0015m, 61_000m));

        Assert.Equal((RejectionCode.PriceOffTick, RejectionCode.QuantityOffLot), (offTick.Rejection!.Code, offLot.Rejection!.Code));
        Assert.Equal(before, account.SnapshotJson());
    }

    [Fact]
    public void A_pre_trade_check_off_the_tick_or_off_the_lot_is_not_accepted_with_the_code_its_execution_would_get()
    {
        var account = Funded();

        var offTick = AccountDecider.CheckPreTrade(account.State, new CheckPreTrade("q-1", TestMarket.BtcUsdt, OrderSide.Buy, 0.001m, 60_000.001m),
            account.Market, AccountFixture.Models);
        var offLot = AccountDecider.CheckPreTrade(account.State, new CheckPreTrade("q-2", TestMarket.BtcUsdt, OrderSide.Buy, 0.0000000000000000000000000001m, 60_000m),
            account.Market, AccountFixture.Models);
        var onBoth = AccountDecider.CheckPreTrade(account.State, new CheckPreTrade("q-3", TestMarket.BtcUsdt, OrderSide.Buy, 0.001m, 60_000.01m),
            account.Market, AccountFixture.Models);

        Assert.False(offTick.Accepted);
        Assert.Equal(RejectionCode.PriceOffTick, offTick.Rejection!.Code);
        Assert.Equal("BTCUSDT: price 60000.001 is not a whole number of its ticks of 0.01.", offTick.Rejection.Message);
        Assert.False(offLot.Accepted);
        Assert.Equal(RejectionCode.QuantityOffLot, offLot.Rejection!.Code);
        Assert.True(onBoth.Accepted, onBoth.Rejection?.Message);
    }

    /// <summary>
    /// acc-1 bought 0.1005 BTCUSDT at 60,000 while its lot was the default 1e-8; the market file then gave BTCUSDT the
    /// venue's lot of 0.001, so the position is 0.5 lot off it. The venue's close-position order sells the whole 0.1005
    /// (the only fill a venue makes off its lot): booked, the account is flat and its USDT is 1,000 + 0.1005 x (60,500 -
    /// 60,000) - 0.60 = 1,049.65. Refused, the position the venue closed would stay in the account for ever.
    /// </summary>
    [Fact]
    public void A_fill_off_the_lot_that_closes_the_whole_position_is_booked_and_leaves_the_account_flat()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 1_000m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 0.1005m, 60_000m);
        account.Market = LottedMarket();
        var (id, source, seq) = account.Next();

        var decision = account.Send(new ApplyExecution(id, source, seq, "x" + id, "o" + id, TestMarket.BtcUsdt, OrderSide.Sell, 0.1005m, 60_500m, 0.60m,
            Liquidity.Taker, TestMarket.ValuationTime, IsLiquidation: true));

        Assert.True(decision.Outcome == DecisionOutcome.Accepted, decision.Rejection?.Message);
        Assert.False(account.State.Positions.TryGetValue(TestMarket.BtcUsdt, out var left) && left.Quantity != 0m);
        Assert.Equal(1_049.65m, account.State.Balances["USDT"]);
    }

    /// <summary>
    /// The same position of 0.1005 off the lot of 0.001: a fill of 0.1004 (leaving 0.0001), of 0.1006 (flipping it to a
    /// short of 0.0001), or a buy of 0.1005 (doubling it) closes nothing whole, so each is held to the lot and refused.
    /// </summary>
    [Theory]
    [InlineData("Sell", "0.1004")]
    [InlineData("Sell", "0.1006")]
    [InlineData("Buy", "0.1005")]
    public void A_fill_off_the_lot_that_does_not_close_the_whole_position_exactly_is_still_refused_quantity_off_lot(string side, string quantity)
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 1_000m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 0.1005m, 60_000m);
        account.Market = LottedMarket();
        var before = account.SnapshotJson();
        var (id, source, seq) = account.Next();

        var decision = account.Send(new ApplyExecution(id, source, seq, "x" + id, "o" + id, TestMarket.BtcUsdt, Enum.Parse<OrderSide>(side),
            decimal.Parse(quantity, CultureInfo.InvariantCulture), 60_500m, 0m, Liquidity.Taker, TestMarket.ValuationTime));

        Assert.Equal(RejectionCode.QuantityOffLot, decision.Rejection?.Code);
        Assert.Equal($"BTCUSDT: quantity {quantity} is not a whole number of its lots of 0.001.", decision.Rejection!.Message);
        Assert.Equal(before, account.SnapshotJson());
    }

    /// <summary>The close of the whole off-lot position is still held to the tick: 60,500.005 is refused <c>priceOffTick</c>.</summary>
    [Fact]
    public void A_fill_that_closes_the_whole_off_lot_position_at_a_price_off_the_tick_is_refused_price_off_tick()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 1_000m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 0.1005m, 60_000m);
        account.Market = LottedMarket();
        var (id, source, seq) = account.Next();

        var decision = account.Send(new ApplyExecution(id, source, seq, "x" + id, "o" + id, TestMarket.BtcUsdt, OrderSide.Sell, 0.1005m, 60_500.005m, 0m,
            Liquidity.Taker, TestMarket.ValuationTime));

        Assert.Equal(RejectionCode.PriceOffTick, decision.Rejection?.Code);
    }

    /// <summary>
    /// The venue's close-position order of the same 0.1005 off the lot, resting or checked before it is sent, gets the answer
    /// its fill gets: the order is held open (sell 0.1005 at 60,500) and the pre-trade check accepted, while an order or a
    /// check of 0.1004 is refused <c>quantityOffLot</c>. Before, both were refused though their fill would be booked.
    /// </summary>
    [Fact]
    public void An_order_and_a_pre_trade_check_off_the_lot_that_close_the_whole_position_are_accepted_as_their_fill_would_be()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 1_000m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 0.1005m, 60_000m);
        account.Market = LottedMarket();

        var (id, source, seq) = account.Next();
        var close = account.Send(new AcceptOrder(id, source, seq, "o-close", TestMarket.BtcUsdt, OrderSide.Sell, 0.1005m, 60_500m));
        (id, source, seq) = account.Next();
        var part = account.Send(new AcceptOrder(id, source, seq, "o-part", TestMarket.BtcUsdt, OrderSide.Sell, 0.1004m, 60_500m));
        var check = AccountDecider.CheckPreTrade(account.State, new CheckPreTrade("q-1", TestMarket.BtcUsdt, OrderSide.Sell, 0.1005m, 60_500m),
            account.Market, AccountFixture.Models);
        var partCheck = AccountDecider.CheckPreTrade(account.State, new CheckPreTrade("q-2", TestMarket.BtcUsdt, OrderSide.Sell, 0.1004m, 60_500m),
            account.Market, AccountFixture.Models);

        Assert.True(close.Outcome == DecisionOutcome.Accepted, close.Rejection?.Message);
        Assert.Equal((OrderSide.Sell, 0.1005m, 60_500m), (account.State.OpenOrders["o-close"].Side, account.State.OpenOrders["o-close"].Quantity,
            account.State.OpenOrders["o-close"].Price));
        Assert.Equal(RejectionCode.QuantityOffLot, part.Rejection?.Code);
        Assert.True(check.Accepted, check.Rejection?.Message);
        Assert.Equal(RejectionCode.QuantityOffLot, partCheck.Rejection?.Code);
    }
}
