using CrossMargin.Engine.Accounts;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// What tells a retry from a new message under a reused id: the command's decoded fields against the event recorded under
/// the id, the envelope aside.
/// </summary>
public sealed class MessageContentTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 21, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_execution_is_the_same_whatever_scale_its_decimals_or_offset_its_time_are_written_in()
    {
        var applied = new ExecutionApplied("e-1", "venue", 1, "x-1", "o-1", TestMarket.BtcUsdt, OrderSide.Buy, 1.5m, 60_000m, 0.1m, Liquidity.Taker, At, false);
        var retry = new ApplyExecution("e-1", "venue", 9, "x-1", "o-1", TestMarket.BtcUsdt, OrderSide.Buy, 1.500m, 60_000.0m, 0.10m, Liquidity.Taker,
            At.ToOffset(TimeSpan.FromHours(1)), ReducesPosition: -3m);

        Assert.True(MessageContent.Same(retry, applied));
    }

    [Theory]
    [InlineData("quantity")]
    [InlineData("price")]
    [InlineData("fee")]
    [InlineData("side")]
    [InlineData("symbol")]
    [InlineData("order")]
    [InlineData("execution")]
    [InlineData("liquidity")]
    [InlineData("time")]
    [InlineData("liquidation")]
    public void An_execution_differing_in_any_booked_field_is_not_the_same(string field)
    {
        var applied = new ExecutionApplied("e-1", "venue", 1, "x-1", "o-1", TestMarket.BtcUsdt, OrderSide.Buy, 1.5m, 60_000m, 0.1m, Liquidity.Taker, At, false);
        var same = new ApplyExecution("e-1", "venue", 1, "x-1", "o-1", TestMarket.BtcUsdt, OrderSide.Buy, 1.5m, 60_000m, 0.1m, Liquidity.Taker, At);
        var other = field switch
        {
            "quantity" => same with { Quantity = 1.50000001m },
            "price" => same with { Price = 60_001m },
            "fee" => same with { Fee = -0.1m },
            "side" => same with { Side = OrderSide.Sell },
            "symbol" => same with { Symbol = TestMarket.EthUsdt },
            "order" => same with { OrderId = "o-2" },
            "execution" => same with { ExecutionId = "x-2" },
            "liquidity" => same with { Liquidity = Liquidity.Maker },
            "time" => same with { VenueTimestamp = At.AddTicks(1) },
            _ => same with { IsLiquidation = true },
        };

        Assert.True(MessageContent.Same(same, applied));
        Assert.False(MessageContent.Same(other, applied));
    }

    [Fact]
    public void A_message_of_another_kind_under_the_id_is_not_the_same_even_with_the_same_fields()
    {
        var deposited = new Deposited("m-1", "wallet", 1, "USDT", 100m);

        Assert.True(MessageContent.Same(new Deposit("m-1", "other", 5, "USDT", 100.00m), deposited));
        Assert.False(MessageContent.Same(new Withdraw("m-1", "wallet", 1, "USDT", 100m), deposited));
        Assert.False(MessageContent.Same(new CoverDeficit("m-1", "wallet", 1, "USDT", 100m), deposited));
        Assert.False(MessageContent.Same(new Deposit("m-1", "wallet", 1, "USDC", 100m), deposited));
        Assert.False(MessageContent.Same(new Deposit("m-1", "wallet", 1, "USDT", 100.00000001m), deposited));
    }

    [Fact]
    public void A_cancel_all_is_told_by_its_last_event_and_a_single_cancel_by_its_order()
    {
        var cancelledAll = new AllOrdersCancelled("liq:cancel", "liquidation", 1, 2);

        Assert.True(MessageContent.Same(new CancelAllOrders("liq:cancel", "liquidation", 1), cancelledAll));
        Assert.False(MessageContent.Same(new CancelOrder("liq:cancel", "liquidation", 1, "o-1"), cancelledAll));
        Assert.True(MessageContent.Same(new CancelOrder("c-1", "venue", 1, "o-1"), new OrderCancelled("c-1", "venue", 1, "o-1")));
        Assert.False(MessageContent.Same(new CancelOrder("c-1", "venue", 1, "o-2"), new OrderCancelled("c-1", "venue", 1, "o-1")));
    }

    [Fact]
    public void A_change_of_a_positions_margin_is_the_same_whatever_mode_it_names_and_a_change_of_mode_by_its_mode()
    {
        var isolated = new MarginModeChanged("m-1", "venue", 1, MarginMode.StandardCross, TestMarket.BtcUsdt, 500m);
        var switched = new MarginModeChanged("m-2", "venue", 2, MarginMode.Portfolio, null, null);

        Assert.True(MessageContent.Same(new ChangeMarginMode("m-1", "venue", 1, MarginMode.Portfolio, TestMarket.BtcUsdt, 500.0m), isolated));
        Assert.False(MessageContent.Same(new ChangeMarginMode("m-1", "venue", 1, MarginMode.StandardCross, TestMarket.BtcUsdt, 600m), isolated));
        Assert.False(MessageContent.Same(new ChangeMarginMode("m-1", "venue", 1, MarginMode.StandardCross, TestMarket.BtcUsdt), isolated));
        Assert.True(MessageContent.Same(new ChangeMarginMode("m-2", "venue", 2, MarginMode.Portfolio), switched));
        Assert.False(MessageContent.Same(new ChangeMarginMode("m-2", "venue", 2, MarginMode.StandardCross), switched));
    }

    [Fact]
    public void The_coordinators_fee_cover_void_and_funding_messages_compare_every_field()
    {
        Assert.True(MessageContent.Same(new ChargeLiquidationFee("f", "liquidation", 1, "liq-1", "USDT", 5m), new LiquidationFeeCharged("f", "liquidation", 1, "liq-1", "USDT", 5.0m)));
        Assert.False(MessageContent.Same(new ChargeLiquidationFee("f", "liquidation", 1, "liq-2", "USDT", 5m), new LiquidationFeeCharged("f", "liquidation", 1, "liq-1", "USDT", 5m)));
        Assert.True(MessageContent.Same(new CoverDeficit("c", "liquidation", 1, "USDT", 7m), new DeficitCovered("c", "liquidation", 1, "USDT", 7m)));
        Assert.False(MessageContent.Same(new CoverDeficit("c", "liquidation", 1, "USDT", 8m), new DeficitCovered("c", "liquidation", 1, "USDT", 7m)));
        Assert.True(MessageContent.Same(new VoidSequence("v", "adl", 1, "a"), new SequenceVoided("v", "adl", 1, "a")));
        Assert.False(MessageContent.Same(new VoidSequence("v", "adl", 1, "b"), new SequenceVoided("v", "adl", 1, "a")));
        Assert.True(MessageContent.Same(new SettleFunding("s", "funding", 1, TestMarket.BtcUsdt, 0.0001m, 60_000m), new FundingSettled("s", "funding", 1, TestMarket.BtcUsdt, 0.00010m, 60_000m)));
        Assert.False(MessageContent.Same(new SettleFunding("s", "funding", 1, TestMarket.BtcUsdt, 0.0001m, 60_000m, 2m), new FundingSettled("s", "funding", 1, TestMarket.BtcUsdt, 0.0001m, 60_000m)));
        Assert.True(MessageContent.Same(new SettleExpiry("x", "settlement", 1, TestMarket.BtcMarchFuture, 61_000m), new ExpirySettled("x", "settlement", 1, TestMarket.BtcMarchFuture, 61_000.0m)));
        Assert.False(MessageContent.Same(new SettleExpiry("x", "settlement", 1, TestMarket.BtcMarchFuture, 61_000.5m), new ExpirySettled("x", "settlement", 1, TestMarket.BtcMarchFuture, 61_000m)));
        Assert.True(MessageContent.Same(new OpenAccount("o", "accounts", 1), new AccountOpened("o", "accounts", 1, MarginMode.StandardCross)));
        Assert.False(MessageContent.Same(new OpenAccount("o", "accounts", 1, MarginMode.Portfolio), new AccountOpened("o", "accounts", 1, MarginMode.StandardCross)));
        Assert.True(MessageContent.Same(new AcceptOrder("a", "venue", 1, "o-1", TestMarket.BtcUsdt, OrderSide.Sell, 2m, 61_000m), new OrderAccepted("a", "venue", 1, "o-1", TestMarket.BtcUsdt, OrderSide.Sell, 2.0m, 61_000m)));
        Assert.False(MessageContent.Same(new AcceptOrder("a", "venue", 1, "o-1", TestMarket.BtcUsdt, OrderSide.Sell, 2m, 61_500m), new OrderAccepted("a", "venue", 1, "o-1", TestMarket.BtcUsdt, OrderSide.Sell, 2m, 61_000m)));
    }

    /// <summary>
    /// A settled-form rebooking sent again without the operator's confirmation of its price (a rebooking journaled before
    /// session 32, which reads back unconfirmed, re-sent after an upgrade to an account that applied it) is the message
    /// the account applied: a duplicate, answered as booked. Were the confirmation content, it would be refused idReused,
    /// the fill listed unbalanced though booked, and a further rebooking would book the reversal twice. Its settlement
    /// price is content: at another price it is another message.
    /// </summary>
    [Fact]
    public void A_settled_form_is_the_same_message_with_or_without_the_confirmation_of_its_price_but_not_at_another_price()
    {
        var trade = new ExecutionApplied("r", "adl", 3, "r", "o-r", TestMarket.BtcMarchFuture, OrderSide.Sell, 1m, 59_300m, 0m, Liquidity.Taker, At, true);
        var applied = new SettledExecutionApplied(trade, 58_000m);
        var confirmed = new ApplyExecution("r", "adl", 3, "r", "o-r", TestMarket.BtcMarchFuture, OrderSide.Sell, 1m, 59_300m, 0m, Liquidity.Taker, At,
            IsLiquidation: true, SettlementPrice: 58_000m, SettlementPriceConfirmed: true);

        Assert.True(MessageContent.Same(confirmed, applied));
        Assert.True(MessageContent.Same(confirmed with { SettlementPriceConfirmed = false }, applied));
        Assert.False(MessageContent.Same(confirmed with { SettlementPrice = 58_500m }, applied));
        Assert.False(MessageContent.Same(confirmed with { SettlementPrice = null }, applied));
    }
}
