using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Accounts;

public sealed class AccountStateTests
{
    [Fact]
    public void A_fill_that_keeps_the_symbols_and_funded_assets_keeps_the_topic_shape_and_one_that_closes_a_position_or_empties_a_balance_does_not()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 10_000m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 2m, 60_000m, fee: 1m);
        var holding = account.State.Clone();

        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 1m, 61_000m, fee: 1m);
        Assert.True(holding.SameTopicShapeAs(account.State));

        var beforeClose = account.State.Clone();
        account.Trade(TestMarket.BtcUsdt, OrderSide.Sell, 3m, 61_000m);
        Assert.False(beforeClose.SameTopicShapeAs(account.State));

        // A balance spent to exactly zero leaves its asset's row but not its topic.
        var funded = new AccountFixture();
        funded.Deposit("USDT", 1_000m);
        funded.Deposit("USDC", 100m);
        var beforeSpend = funded.State.Clone();
        var (id, source, sequence) = funded.Next();
        funded.Accept(new Withdraw(id, source, sequence, "USDC", 100m));
        Assert.Equal(0m, funded.State.BalanceOf("USDC"));
        Assert.False(beforeSpend.SameTopicShapeAs(funded.State));
    }

    [Fact]
    public void Linear_perpetual_fills_book_realized_pnl_and_fees_in_the_quote_asset()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 10_000m);

        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 2m, 60_000m, fee: 12m);
        Assert.Equal(new Position(TestMarket.BtcUsdt, 2m, 60_000m), account.State.Positions[TestMarket.BtcUsdt]);
        Assert.Equal(9_988m, account.State.BalanceOf("USDT"));

        // Sell 1 at 61,000: realizes 1 x (61,000 - 60,000) = 1,000, pays 6.10.
        account.Trade(TestMarket.BtcUsdt, OrderSide.Sell, 1m, 61_000m, fee: 6.1m);
        Assert.Equal(new Position(TestMarket.BtcUsdt, 1m, 60_000m), account.State.Positions[TestMarket.BtcUsdt]);
        Assert.Equal(10_981.9m, account.State.BalanceOf("USDT"));

        // Adding 1 at 62,000 averages the entry to 61,000.
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 1m, 62_000m);
        Assert.Equal(61_000m, account.State.Positions[TestMarket.BtcUsdt].EntryPrice);
    }

    [Fact]
    public void Inverse_perpetual_fills_book_coin_pnl_rounded_down_to_the_satoshi()
    {
        var account = new AccountFixture();
        account.Deposit("BTC", 1m);

        account.Trade(TestMarket.BtcInversePerp, OrderSide.Buy, 100m, 50_000m, fee: 0.00001m);
        Assert.Equal(0.99999m, account.State.BalanceOf("BTC"));

        // 100 x $10 contracts: 1,000/50,000 - 1,000/52,000 = 0.000769230769... BTC, less the fee 0.00001,
        // booked down to 0.00075923; 0.99999 + 0.00075923 = 1.00074923.
        account.Trade(TestMarket.BtcInversePerp, OrderSide.Sell, 100m, 52_000m, fee: 0.00001m);
        Assert.False(account.State.Positions.ContainsKey(TestMarket.BtcInversePerp));
        Assert.Equal(1.00074923m, account.State.BalanceOf("BTC"));
    }

    [Fact]
    public void Option_fills_pay_and_receive_the_premium_in_cash()
    {
        var call = TestMarket.LinearOption(OptionKind.Call, 60000);
        var account = new AccountFixture();
        account.Deposit("USDT", 10_000m);

        account.Trade(call, OrderSide.Buy, 2m, 3_000m, fee: 1m);
        Assert.Equal(new Position(call, 2m, 3_000m), account.State.Positions[call]);
        Assert.Equal(3_999m, account.State.BalanceOf("USDT"));

        account.Trade(call, OrderSide.Sell, 2m, 3_500m, fee: 1m);
        Assert.False(account.State.Positions.ContainsKey(call));
        Assert.Equal(10_998m, account.State.BalanceOf("USDT"));
    }

    [Fact]
    public void Inverse_option_premium_moves_in_coin()
    {
        var put = TestMarket.InverseOption(OptionKind.Put, 55000);
        var account = new AccountFixture();
        account.Deposit("BTC", 1m);

        account.Trade(put, OrderSide.Sell, 3m, 0.0125m, fee: 0.0003m);

        Assert.Equal(new Position(put, -3m, 0.0125m), account.State.Positions[put]);
        Assert.Equal(1.0372m, account.State.BalanceOf("BTC"));
    }

    [Fact]
    public void Funding_settles_on_the_perpetual_position_in_its_settlement_asset()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 10_000m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 2m, 60_000m);
        var (id, source, seq) = account.Next();

        // Long 2 at mark 60,000 and rate 0.01%: pays 2 x 60,000 x 0.0001 = 12 USDT.
        account.Accept(new SettleFunding(id, source, seq, TestMarket.BtcUsdt, 0.0001m, 60_000m));

        Assert.Equal(9_988m, account.State.BalanceOf("USDT"));
    }

    /// <summary>
    /// The venue settled funding at 08:00 on a long 2 and a short 30 inverse contracts; the fills that closed both after
    /// 08:00 reached the account before the funding messages (another source). Stated, the positions are what the
    /// payments are computed on: the long pays 2 x 60,000 x 0.01% = 12 USDT, the short receives 30 x 10 / 60,000 x 0.01%
    /// = 0.0000005 BTC, as the venue booked them, though the account is flat by then.
    /// </summary>
    [Fact]
    public void Funding_is_settled_on_the_position_the_venue_states_though_a_later_fill_reached_the_account_first()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 10_000m);
        account.Deposit("BTC", 1m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 2m, 60_000m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Sell, 2m, 60_000m);
        account.Trade(TestMarket.BtcInversePerp, OrderSide.Sell, 30m, 60_000m);
        account.Trade(TestMarket.BtcInversePerp, OrderSide.Buy, 30m, 60_000m);
        var (id, source, seq) = account.Next();
        account.Accept(new SettleFunding(id, source, seq, TestMarket.BtcUsdt, 0.0001m, 60_000m, PositionQuantity: 2m));
        (id, source, seq) = account.Next();
        account.Accept(new SettleFunding(id, source, seq, TestMarket.BtcInversePerp, 0.0001m, 60_000m, PositionQuantity: -30m));

        Assert.Empty(account.State.Positions);
        Assert.Equal(9_988m, account.State.BalanceOf("USDT"));
        Assert.Equal(1.0000005m, account.State.BalanceOf("BTC"));
        Assert.Equal(new FundingSettled(id, source, seq, TestMarket.BtcInversePerp, 0.0001m, 60_000m, -30m), account.Journal[^1]);
    }

    /// <summary>The funding message overtook the fill that opened the long before 08:00: the stated long pays all the same.</summary>
    [Fact]
    public void Funding_stated_on_a_position_the_account_does_not_hold_yet_is_paid_on_it()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 10_000m);
        var (id, source, seq) = account.Next();

        account.Accept(new SettleFunding(id, source, seq, TestMarket.BtcUsdt, 0.0001m, 60_000m, PositionQuantity: 1m));
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 1m, 60_000m);

        Assert.Equal(9_994m, account.State.BalanceOf("USDT"));
    }

    /// <summary>
    /// The live mark is 60,000: a funding reference price half of it away (30,000 or 90,000) is a real, if violent, move
    /// and pays (long 1 x 30,000 x 0.01% = 3 USDT); one a cent beyond is refused with both prices, and pays nothing.
    /// </summary>
    [Theory]
    [InlineData(30_000, true)]
    [InlineData(90_000, true)]
    [InlineData(29_999.99, false)]
    [InlineData(90_000.01, false)]
    public void Funding_is_refused_when_its_mark_is_more_than_half_the_live_mark_away(decimal markPrice, bool accepted)
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 10_000m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 1m, 60_000m);
        var (id, source, seq) = account.Next();

        var decision = account.Send(new SettleFunding(id, source, seq, TestMarket.BtcUsdt, 0.0001m, markPrice));

        if (accepted)
        {
            Assert.Equal(DecisionOutcome.Accepted, decision.Outcome);
            Assert.Equal(10_000m - (markPrice * 0.0001m), account.State.BalanceOf("USDT"));
        }
        else
        {
            Assert.Equal(RejectionCode.InvalidPrice, decision.Rejection!.Code);
            Assert.Contains("60000", decision.Rejection.Message, StringComparison.Ordinal);
            Assert.Equal(10_000m, account.State.BalanceOf("USDT"));
        }
    }

    [Fact]
    public void Open_orders_shrink_with_their_fills_and_disappear_when_filled_or_cancelled()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 100_000m);
        var (id, source, seq) = account.Next();
        account.Accept(new AcceptOrder(id, source, seq, "o-1", TestMarket.BtcUsdt, OrderSide.Buy, 3m, 59_000m));
        (id, source, seq) = account.Next();
        account.Accept(new AcceptOrder(id, source, seq, "o-2", TestMarket.EthUsdt, OrderSide.Sell, 5m, 3_100m));

        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 1m, 59_000m, orderId: "o-1");
        Assert.Equal(2m, account.State.OpenOrders["o-1"].Quantity);
        Assert.Single(account.State.ToPortfolio().OpenOrders, o => o.OrderId == "o-1" && o.Quantity == 2m);

        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 2m, 59_000m, orderId: "o-1");
        Assert.False(account.State.OpenOrders.ContainsKey("o-1"));
        Assert.Equal(3m, account.State.Positions[TestMarket.BtcUsdt].Quantity);

        (id, source, seq) = account.Next();
        account.Accept(new CancelOrder(id, source, seq, "o-2"));
        Assert.Empty(account.State.OpenOrders);
    }

    [Fact]
    public void Open_orders_count_toward_initial_margin()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 100_000m);
        var without = account.Assess().InitialMarginUsd;
        var (id, source, seq) = account.Next();

        account.Accept(new AcceptOrder(id, source, seq, "o-1", TestMarket.BtcUsdt, OrderSide.Buy, 0.5m, 60_000m));

        Assert.Equal(0m, without);
        Assert.Equal(240m, account.Assess().InitialMarginUsd);
    }

    [Fact]
    public void Isolating_a_position_moves_margin_from_the_wallet_and_returning_it_to_cross_moves_it_back()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 10_000m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 0.5m, 60_000m);
        var (id, source, seq) = account.Next();

        account.Accept(new ChangeMarginMode(id, source, seq, MarginMode.StandardCross, TestMarket.BtcUsdt, 1_000m));
        Assert.Equal(9_000m, account.State.BalanceOf("USDT"));
        Assert.Equal(1_000m, account.State.Positions[TestMarket.BtcUsdt].IsolatedMargin);
        Assert.Single(account.Assess().Isolated);

        (id, source, seq) = account.Next();
        account.Accept(new ChangeMarginMode(id, source, seq, MarginMode.StandardCross, TestMarket.BtcUsdt));
        Assert.Equal(10_000m, account.State.BalanceOf("USDT"));
        Assert.Null(account.State.Positions[TestMarket.BtcUsdt].IsolatedMargin);
    }

    [Fact]
    public void Holdings_come_out_in_key_order_whatever_order_they_arrived_in_and_a_what_if_leaves_the_account_untouched()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 100_000m);
        account.Deposit("BTC", 1m);
        account.Trade(TestMarket.EthUsdt, OrderSide.Sell, 2m, 3_000m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 1m, 60_000m);
        foreach (var orderId in new[] { "o-9", "o-10", "o-1" })
        {
            var (id, source, seq) = account.Next();
            account.Accept(new AcceptOrder(id, source, seq, orderId, TestMarket.BtcUsdt, OrderSide.Buy, 0.1m, 59_000m));
        }

        var before = account.SnapshotJson();
        var check = AccountDecider.CheckPreTrade(account.State,
            new CheckPreTrade("q-1", TestMarket.BtcUsdt, OrderSide.Sell, 5m, 60_000m), account.Market, account.Margin);

        Assert.Equal(new[] { "BTC", "USDT" }, account.State.Balances.Keys);
        Assert.Equal(new[] { TestMarket.BtcUsdt, TestMarket.EthUsdt }.Order(StringComparer.Ordinal), account.State.Positions.Keys);
        Assert.Equal(new[] { "o-1", "o-10", "o-9" }, account.State.OpenOrders.Keys);
        Assert.Equal(account.State.OpenOrders.Keys, account.State.ToPortfolio().OpenOrders.Select(o => o.OrderId));
        Assert.True(check.Accepted);
        Assert.Equal(before, account.SnapshotJson());
    }

    [Fact]
    public void The_figures_the_account_keeps_equal_its_explained_margin_with_orders_and_an_isolated_position()
    {
        var account = new AccountFixture();
        account.Deposit("USDT", 50_000m);
        account.Deposit("BTC", 0.5m);
        account.Trade(TestMarket.BtcUsdt, OrderSide.Buy, 0.5m, 60_000m);
        account.Trade(TestMarket.EthUsdt, OrderSide.Sell, 3m, 3_000m);
        var (id, source, seq) = account.Next();
        account.Accept(new ChangeMarginMode(id, source, seq, MarginMode.StandardCross, TestMarket.EthUsdt, 2_000m));
        (id, source, seq) = account.Next();
        account.Accept(new AcceptOrder(id, source, seq, "o-1", TestMarket.EthUsdt, OrderSide.Sell, 1m, 3_100m));
        (id, source, seq) = account.Next();
        account.Accept(new AcceptOrder(id, source, seq, "o-2", TestMarket.BtcUsdt, OrderSide.Buy, 0.2m, 59_000m));

        var explained = account.Assess();
        var figures = account.Margin.Figures(account.State, account.Market);

        Assert.Single(figures.Isolated);
        Assert.Equal((explained.EquityUsd, explained.InitialMarginUsd, explained.MaintenanceMarginUsd, explained.Status, explained.Model),
            (figures.EquityUsd, figures.InitialMarginUsd, figures.MaintenanceMarginUsd, figures.Status, figures.Model));
        Assert.Equal(explained.Isolated, figures.Isolated);
        Assert.True(figures.InitialMarginUsd > 0);
    }
}
