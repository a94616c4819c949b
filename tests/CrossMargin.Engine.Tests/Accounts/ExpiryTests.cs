using CrossMargin.Actors;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// Accounts holding a dated future when it expires, on a whole engine whose clock the test moves: it opens on
/// 2026-01-01 (the manual clock's start), when <see cref="TestMarket"/>'s March contracts are listed, and the clock is
/// moved past their expiry (2026-03-27 08:00) before the next tick, whose snapshot no longer lists them.
/// Hand figures: 10,000 USDT and a long of 1 BTCUSDT-260327 bought at 60,300 (the opening forward, 60,000 x 1.005).
/// </summary>
public sealed class ExpiryTests(ITestOutputHelper output) : ManualClockEngineTestKit(output)
{
    [Fact]
    public async Task An_account_holding_an_expired_future_still_recovers_from_its_journal()
    {
        // Outside the engine's region, on the engine's market and journal, so the test can stop and start it.
        var settings = Host.Settings() with { Market = Engine.Market };
        var first = Sys.ActorOf(AccountActor.Props("r-1", settings));
        await HoldTheMarchFuture(first);
        Expire(61_000m);
        var second = Restart(first, settings);
        var view = Assert.IsType<AccountView>(await second.Ask<object>(GetAccount.Instance, Answer).WaitAsync(Answer));

        Assert.Equal([new Position(TestMarket.BtcMarchFuture, 1m, 60_300m)], view.Positions);
    }

    [Fact]
    public async Task A_deposit_to_an_account_holding_an_expired_future_is_accepted_before_its_settlement()
    {
        await HoldTheMarchFuture("d-1");
        Expire(61_000m);

        var reply = await Engine.SendAsync("d-1", new Deposit("d-1-dep", "wallet", 2, "USDT", 500m)).WaitAsync(Answer);

        Assert.IsType<CommandAccepted>(reply);
    }

    [Fact]
    public async Task An_account_holding_an_expired_future_is_remargined_at_the_market_after_expiry_with_the_future_worth_its_pnl_at_the_index()
    {
        await HoldTheMarchFuture("m-1");
        Expire(61_000m);
        var after = Engine.Market.Current.ValuationTime;

        // Until the venue settles it, the future is worth what it would settle for at the index: 61,000 - 60,300 = 700 USDT,
        // with no margin (its price risk ended at expiry): equity 10,700, IM and MM 0.
        AwaitAssert(() =>
        {
            var margin = Margin("m-1");
            Assert.Equal((after, 10_700m, 0m, 0m, MarginStatus.Healthy),
                (margin.ValuationTime, margin.EquityUsd, margin.InitialMarginUsd, margin.MaintenanceMarginUsd, margin.Status));
        }, Wait);
    }

    [Theory]
    [InlineData(MarginMode.StandardCross)]
    [InlineData(MarginMode.Portfolio)]
    public async Task Until_its_settlement_an_expired_future_follows_the_index_at_every_later_tick(MarginMode mode)
    {
        await HoldTheMarchFuture("i-1", mode);
        Expire(61_000m);
        // A change after the expiry has the account name its topics again, the expired holding's underlying among them.
        await Send("i-1", "wallet", (id, seq) => new Deposit(id, "wallet", seq, "ETH", 0.1m));
        Time!.Advance(TimeSpan.FromSeconds(1));
        MoveBtc(62_000m, TestMarket.BtcUsdt);
        var after = Engine.Market.Current.ValuationTime;

        // 10,000 + (62,000 - 60,300) = 11,700, and 0.1 ETH at 3,000 less the haircut the calculator takes on it.
        AwaitAssert(() =>
        {
            var margin = Margin("i-1");
            Assert.Equal((after, 11_700m + EthCollateral(mode, 0.1m)), (margin.ValuationTime, margin.EquityUsd));
        }, Wait);
    }

    [Fact]
    public async Task Settling_an_expired_future_pays_its_pnl_at_the_settlement_price_drops_its_orders_and_remargins_the_account()
    {
        await HoldTheMarchFuture("s-1");
        await Send("s-1", Venue, (id, seq) => new AcceptOrder(id, Venue, seq, "rest-1", TestMarket.BtcMarchFuture, OrderSide.Buy, 1m, 59_000m));
        Expire(61_000m);
        var after = Engine.Market.Current.ValuationTime;

        // 1 x (61,234.56 - 60,300) = 934.56 USDT: 10,934.56, nothing held, nothing resting, no margin.
        var settled = await Send("s-1", "settlement", (id, seq) => new SettleExpiry(id, "settlement", seq, TestMarket.BtcMarchFuture, 61_234.56m));
        var view = await View("s-1");

        Assert.Equal(new ExpirySettled(settled.MessageId, "settlement", 1, TestMarket.BtcMarchFuture, 61_234.56m), Assert.Single(settled.Events));
        Assert.Equal([new CollateralBalance("USDT", 10_934.56m)], view.Balances);
        Assert.Empty(view.Positions);
        Assert.Empty(view.OpenOrders);
        Assert.Equal((after, 10_934.56m, 0m, 0m), (view.Margin!.ValuationTime, view.Margin.EquityUsd, view.Margin.InitialMarginUsd, view.Margin.MaintenanceMarginUsd));
    }

    /// <summary>
    /// A settlement price is not held to the tick: venues settle dated contracts at an average of the index (Deribit's and
    /// Binance's last 30 minutes), a valuation quoted finer than the contract trades. 61,234.5678 on a tick of 0.01 settles
    /// 1 x (61,234.5678 - 60,300) = 934.5678 USDT: 10,934.5678. Refused, the expired position could never settle.
    /// </summary>
    [Fact]
    public async Task An_expired_future_settles_at_an_index_average_off_its_tick_and_pays_the_exact_pnl()
    {
        await HoldTheMarchFuture("s-2");
        Expire(61_000m);

        var settled = await Send("s-2", "settlement", (id, seq) => new SettleExpiry(id, "settlement", seq, TestMarket.BtcMarchFuture, 61_234.5678m));
        var view = await View("s-2");

        Assert.Equal(new ExpirySettled(settled.MessageId, "settlement", 1, TestMarket.BtcMarchFuture, 61_234.5678m), Assert.Single(settled.Events));
        Assert.Equal([new CollateralBalance("USDT", 10_934.5678m)], view.Balances);
        Assert.Empty(view.Positions);
    }

    [Fact]
    public async Task A_settlement_is_applied_once_whether_redelivered_resent_under_a_new_id_or_replayed_after_a_restart()
    {
        var settings = Host.Settings() with { Market = Engine.Market };
        var first = Sys.ActorOf(AccountActor.Props("r-1", settings));
        await HoldTheMarchFuture(first);
        Expire(61_000m);
        var settle = new SettleExpiry("settle-1", "settlement", 1, TestMarket.BtcMarchFuture, 60_000m);
        Assert.IsType<CommandAccepted>(await first.Ask<object>(settle, Answer).WaitAsync(Answer));
        var second = Restart(first, settings);
        var redelivered = await second.Ask<object>(settle, Answer).WaitAsync(Answer);
        var resent = Assert.IsType<CommandRejected>(await second.Ask<object>(settle with { MessageId = "settle-2", Sequence = 2 }, Answer).WaitAsync(Answer));
        var view = Assert.IsType<AccountView>(await second.Ask<object>(GetAccount.Instance, Answer).WaitAsync(Answer));

        // 1 x (60,000 - 60,300) = -300 USDT, once: 9,700.
        Assert.Equal(new CommandDuplicate("settle-1"), redelivered);
        Assert.Equal(RejectionCode.UnknownPosition, resent.Rejection.Code);
        Assert.Equal([new CollateralBalance("USDT", 9_700m)], view.Balances);
        Assert.Empty(view.Positions);
    }

    [Fact]
    public async Task Expired_options_pay_their_intrinsic_value_and_an_out_of_the_money_one_nothing()
    {
        var call = TestMarket.LinearOption(OptionKind.Call, 60_000);
        var put = TestMarket.LinearOption(OptionKind.Put, 65_000);
        var otm = TestMarket.LinearOption(OptionKind.Call, 65_000);
        await Send("o-1", "accounts", (id, seq) => new OpenAccount(id, "accounts", seq, MarginMode.StandardCross));
        await Send("o-1", "wallet", (id, seq) => new Deposit(id, "wallet", seq, "USDT", 10_000m));
        await Trade("o-1", call, OrderSide.Buy, 2m, 1_000m);   // pays 2,000 of premium
        await Trade("o-1", put, OrderSide.Sell, 1m, 4_000m);   // receives 4,000
        await Trade("o-1", otm, OrderSide.Buy, 1m, 500m);      // pays 500
        Expire(61_000m);

        foreach (var symbol in new[] { call, put, otm })
        {
            await Send("o-1", "settlement", (id, seq) => new SettleExpiry(id, "settlement", seq, symbol, 61_234.56m));
        }

        // 10,000 - 2,000 + 4,000 - 500 = 11,500 after premiums; the calls pay 2 x 1,234.56 = 2,469.12, the short put costs
        // 65,000 - 61,234.56 = 3,765.44, the 65,000 call nothing: 11,500 + 2,469.12 - 3,765.44 = 10,203.68.
        var view = await View("o-1");
        Assert.Equal([new CollateralBalance("USDT", 10_203.68m)], view.Balances);
        Assert.Empty(view.Positions);
    }

    [Fact]
    public async Task A_settlement_is_refused_before_the_expiry_for_a_perpetual_an_unknown_instrument_or_a_price_far_from_the_index()
    {
        await HoldTheMarchFuture("v-1");
        var early = await Refused("v-1", TestMarket.BtcMarchFuture, 60_000m);
        Expire(61_000m);

        // 61,000 +/- 20% is 48,800 to 73,200.
        Assert.Equal(RejectionCode.NotExpired, early);
        Assert.Equal(RejectionCode.NotExpired, await Refused("v-1", TestMarket.BtcUsdt, 61_000m));
        Assert.Equal(RejectionCode.UnknownInstrument, await Refused("v-1", "BTCUSDT-991231", 61_000m));
        Assert.Equal(RejectionCode.InvalidPrice, await Refused("v-1", TestMarket.BtcMarchFuture, 73_200.01m));
        Assert.Equal(RejectionCode.InvalidPrice, await Refused("v-1", TestMarket.BtcMarchFuture, 0m));
        Assert.Equal([new Position(TestMarket.BtcMarchFuture, 1m, 60_300m)], (await View("v-1")).Positions);
    }

    /// <summary>
    /// A venue's last fills before an expiry can reach the engine after it: one executed a second before it is applied,
    /// and the position it leaves awaits the settlement like the rest. Long 1 at 60,300, bought 1 more at 60,500: long 2
    /// at 60,400, worth 10,000 + 2 x (61,000 - 60,400) = 11,200 at the index; settled at 61,234.56 it pays
    /// 2 x (61,234.56 - 60,400) = 1,669.12: 11,669.12 USDT. Before, the fill was refused unknownInstrument and the
    /// settlement paid for 1 contract where the venue counted 2.
    /// </summary>
    [Fact]
    public async Task A_fill_executed_before_the_expiry_that_arrives_after_it_is_applied_and_settled_with_the_position()
    {
        await HoldTheMarchFuture("f-1");
        Expire(61_000m);

        await Send("f-1", Venue, (id, seq) => LateFill(id, seq, TestMarket.March.AddSeconds(-1)));

        Assert.Equal([new Position(TestMarket.BtcMarchFuture, 2m, 60_400m)], (await View("f-1")).Positions);
        AwaitAssert(() => Assert.Equal(11_200m, Margin("f-1").EquityUsd), Wait);
        await Send("f-1", "settlement", (id, seq) => new SettleExpiry(id, "settlement", seq, TestMarket.BtcMarchFuture, 61_234.56m));
        var view = await View("f-1");
        Assert.Equal([new CollateralBalance("USDT", 11_669.12m)], view.Balances);
        Assert.Empty(view.Positions);
    }

    /// <summary>
    /// A fill timed at the expiry instant, or one timed before it that arrives after the account's settlement of the
    /// contract (the settlement paid for what the account held then: applying the fill would leave a position nothing
    /// settles), is refused instrumentExpired and changes nothing: settled at 61,000, 10,000 + 700 = 10,700 USDT, flat.
    /// </summary>
    [Fact]
    public async Task A_fill_executed_at_the_expiry_or_arriving_after_the_accounts_settlement_is_refused_as_instrument_expired()
    {
        await HoldTheMarchFuture("f-2");
        Expire(61_000m);

        var atExpiry = await RefusedLateFill("f-2", TestMarket.March);
        await Send("f-2", "settlement", (id, seq) => new SettleExpiry(id, "settlement", seq, TestMarket.BtcMarchFuture, 61_000m));
        var afterSettlement = await RefusedLateFill("f-2", TestMarket.March.AddMinutes(-1));

        Assert.Equal((RejectionCode.InstrumentExpired, RejectionCode.InstrumentExpired), (atExpiry.Code, afterSettlement.Code));
        Assert.Contains("settled", afterSettlement.Message, StringComparison.Ordinal);
        var view = await View("f-2");
        Assert.Equal([new CollateralBalance("USDT", 10_700m)], view.Balances);
        Assert.Empty(view.Positions);
    }

    /// <summary>An order accepted by the venue, or a pre-trade check, in a contract that has expired is refused instrumentExpired.</summary>
    [Fact]
    public async Task An_order_or_a_pre_trade_check_in_an_expired_contract_is_refused_as_instrument_expired()
    {
        await HoldTheMarchFuture("f-3");
        Expire(61_000m);

        var order = await Engine.SendAsync("f-3", new AcceptOrder("late-order", "late-order", 1, "rest-late", TestMarket.BtcMarchFuture, OrderSide.Sell, 1m, 61_000m))
            .WaitAsync(Answer);
        var check = await Engine.CheckPreTradeAsync("f-3", new CheckPreTrade("late-check", TestMarket.BtcMarchFuture, OrderSide.Sell, 1m, 61_000m)).WaitAsync(Answer);

        Assert.Equal(RejectionCode.InstrumentExpired, Assert.IsType<CommandRejected>(order).Rejection.Code);
        Assert.Equal((false, RejectionCode.InstrumentExpired), (check.Accepted, check.Rejection?.Code));
        Assert.Empty((await View("f-3")).OpenOrders);
    }

    /// <summary>
    /// The settled form of a fill (an operator's rebooking of an auto-deleverage reversal after the account was settled
    /// for the contract): 10,000 USDT, long 1 March future at 60,300, expired with BTC at 61,000 and settled there
    /// (+700: 10,700 USDT, flat). A buy of 1 at 59,000 in its settled form at 61,000 books 61,000 - 59,000 = +2,000 and no
    /// position: 12,700 USDT; replayed after a restart it gives the same. Sent again it is a duplicate; under its id with
    /// another settlement price it is refused (idReused); a settlement price not the venue's (80,000 against 61,000) is
    /// refused invalidPrice. Without a settlement price the fill is refused instrumentExpired, as before.
    /// </summary>
    [Fact]
    public async Task A_fill_in_its_settled_form_after_the_accounts_settlement_books_its_cash_at_the_settlement_price_and_replays_alike()
    {
        var settings = Host.Settings() with { Market = Engine.Market };
        var first = await SettledAt61000(settings);
        var settled = SettledFill("r-adl", 1, 61_000m);

        var plain = await first.Ask<object>(settled with { MessageId = "r-plain", ExecutionId = "r-plain", SettlementPrice = null }, Answer).WaitAsync(Answer);
        var far = await first.Ask<object>(settled with { MessageId = "r-far", ExecutionId = "r-far", SettlementPrice = 80_000m }, Answer).WaitAsync(Answer);
        var booked = await first.Ask<object>(settled, Answer).WaitAsync(Answer);
        var again = await first.Ask<object>(settled, Answer).WaitAsync(Answer);
        var otherPrice = await first.Ask<object>(settled with { SettlementPrice = 60_000m }, Answer).WaitAsync(Answer);
        var second = Restart(first, settings);
        var view = Assert.IsType<AccountView>(await second.Ask<object>(GetAccount.Instance, Answer).WaitAsync(Answer));

        Assert.Equal(RejectionCode.InstrumentExpired, Assert.IsType<CommandRejected>(plain).Rejection.Code);
        Assert.Equal(RejectionCode.InvalidPrice, Assert.IsType<CommandRejected>(far).Rejection.Code);
        Assert.IsType<CommandAccepted>(booked);
        Assert.IsType<CommandDuplicate>(again);
        Assert.Equal(RejectionCode.IdReused, Assert.IsType<CommandRejected>(otherPrice).Rejection.Code);
        Assert.Empty(view.Positions);
        Assert.Equal([new CollateralBalance("USDT", 12_700m)], view.Balances);
    }

    /// <summary>
    /// The settled form is settled at exactly the price the venue settled the account at, whatever the index: 10,000 USDT,
    /// long 1 March future at 60,300, settled at 61,000 (+700: 10,700 USDT, flat). A buy of 1 at 59,000 in its settled form
    /// at 61,500 (0.8 % from the index 61,000) is refused invalidPrice naming the venue's 61,000: before, it was booked,
    /// 61,500 - 59,000 = +2,500, 13,200 USDT, 500 more than the settlement pays for (the pair's other side settled at
    /// 61,000). With BTC walked to 77,000 (61,000 is 26 % from it), the same fill at 61,000 is booked, +2,000: 12,700 USDT;
    /// before, it was refused as more than 20 % from the index, for a price the venue did settle at. The price outlives a
    /// restart (replayed from the journal): at 61,500 again, refused. A fill with no settlement price is refused
    /// instrumentExpired naming the price, which an operator's rebooking then states.
    /// </summary>
    [Fact]
    public async Task A_fill_in_its_settled_form_is_settled_only_at_the_price_the_venue_settled_the_account_at_wherever_the_index_is()
    {
        var settings = Host.Settings() with { Market = Engine.Market };
        var first = await SettledAt61000(settings);

        var plain = await first.Ask<object>(SettledFill("r-plain", 1, 61_000m) with { SettlementPrice = null }, Answer).WaitAsync(Answer);
        var mistyped = await first.Ask<object>(SettledFill("r-adl-1", 1, 61_500m), Answer).WaitAsync(Answer);
        var afterMistyped = Assert.IsType<AccountView>(await first.Ask<object>(GetAccount.Instance, Answer).WaitAsync(Answer));
        foreach (var btc in new[] { 67_000m, 73_000m, 77_000m })
        {
            Time!.Advance(TimeSpan.FromSeconds(1));
            MoveBtc(btc, TestMarket.BtcUsdt);
        }

        var atTheVenues = await first.Ask<object>(SettledFill("r-adl-2", 1, 61_000m), Answer).WaitAsync(Answer);
        var second = Restart(first, settings);
        var mistypedAgain = await second.Ask<object>(SettledFill("r-adl-3", 2, 61_500m), Answer).WaitAsync(Answer);
        var view = Assert.IsType<AccountView>(await second.Ask<object>(GetAccount.Instance, Answer).WaitAsync(Answer));

        Assert.Equal([new CollateralBalance("USDT", 10_700m)], afterMistyped.Balances);
        Assert.IsType<CommandAccepted>(atTheVenues);
        Assert.Empty(view.Positions);
        Assert.Equal([new CollateralBalance("USDT", 12_700m)], view.Balances);
        var refusal = Assert.IsType<CommandRejected>(mistyped).Rejection;
        Assert.Equal((RejectionCode.InvalidPrice, $"Execution r-adl-1: the venue settled this account for {TestMarket.BtcMarchFuture} at 61000; a fill in its "
            + "settled form is settled at that price, not at 61500."), (refusal.Code, refusal.Message));
        Assert.Equal(RejectionCode.InvalidPrice, Assert.IsType<CommandRejected>(mistypedAgain).Rejection.Code);
        var plainRefusal = Assert.IsType<CommandRejected>(plain).Rejection;
        Assert.Equal(RejectionCode.InstrumentExpired, plainRefusal.Code);
        Assert.Contains("settled for it already at 61000;", plainRefusal.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A settlement price on a fill for an account the venue has not settled (it still holds the expired future) is
    /// refused invalidMessage: booked, it would settle the position held too, at a price the venue never sent.
    /// </summary>
    [Fact]
    public async Task A_fill_with_a_settlement_price_for_an_account_not_settled_is_refused_and_changes_nothing()
    {
        var settings = Host.Settings() with { Market = Engine.Market };
        var account = Sys.ActorOf(AccountActor.Props("r-1", settings));
        await HoldTheMarchFuture(account);
        Expire(61_000m);

        var reply = await account.Ask<object>(SettledFill("r-adl", 1, 61_000m), Answer).WaitAsync(Answer);
        var view = Assert.IsType<AccountView>(await account.Ask<object>(GetAccount.Instance, Answer).WaitAsync(Answer));

        Assert.Equal(RejectionCode.InvalidMessage, Assert.IsType<CommandRejected>(reply).Rejection.Code);
        Assert.Equal([new Position(TestMarket.BtcMarchFuture, 1m, 60_300m)], view.Positions);
        Assert.Equal([new CollateralBalance("USDT", 10_000m)], view.Balances);
    }

    /// <summary>Account r-1 on <paramref name="settings"/> holding the March future (<see cref="HoldTheMarchFuture(IActorRef)"/>), expired and settled at 61,000: 10,700 USDT, flat.</summary>
    private async Task<IActorRef> SettledAt61000(AccountActorSettings settings)
    {
        var account = Sys.ActorOf(AccountActor.Props("r-1", settings));
        await HoldTheMarchFuture(account);
        Expire(61_000m);
        Assert.IsType<CommandAccepted>(await account.Ask<object>(new SettleExpiry("r-settle", "settlement", 1, TestMarket.BtcMarchFuture, 61_000m), Answer).WaitAsync(Answer));
        return account;
    }

    /// <summary>A forced buy of 1 March future at 59,000, executed before the expiry, in its settled form at <paramref name="settlementPrice"/>.</summary>
    private static ApplyExecution SettledFill(string id, long sequence, decimal settlementPrice) =>
        new(id, LiquidationCoordinator.AdlSource, sequence, id, "o-" + id, TestMarket.BtcMarchFuture, OrderSide.Buy, 1m, 59_000m, 0m, Liquidity.Taker,
            TestMarket.March.AddDays(-1), IsLiquidation: true, SettlementPrice: settlementPrice);

    /// <summary>A buy of 1 March future at 60,500 executed at <paramref name="executed"/>.</summary>
    private static ApplyExecution LateFill(string id, long sequence, DateTimeOffset executed, string source = Venue) =>
        new(id, source, sequence, "x-" + id, "o-" + id, TestMarket.BtcMarchFuture, OrderSide.Buy, 1m, 60_500m, 0m, Liquidity.Taker, executed, IsLiquidation: false);

    /// <summary>The refusal of <see cref="LateFill"/>, sent under a source of its own so that it leaves no gap in the venue's sequences.</summary>
    private async Task<Rejection> RefusedLateFill(string account, DateTimeOffset executed)
    {
        var source = $"late-{++_refused}";
        var reply = await Engine.SendAsync(account, LateFill($"{source}-fill", 1, executed, source)).WaitAsync(Answer);
        return Assert.IsType<CommandRejected>(reply).Rejection;
    }

    /// <summary>
    /// A liquidation cannot trade an expired holding: the coordinator's plan waits (logged, retried each interval) until
    /// the venue's settlement has realized it, then the account is bankrupt with no position and its deficit goes to
    /// the fund (empty here, so all of it stays uncovered). 1,000 USDT, long 1 at 60,300, settled at 59,000: -300.
    /// </summary>
    [Fact]
    public async Task A_liquidation_of_an_expired_holding_waits_for_its_settlement_then_covers_the_deficit()
    {
        await Send("l-1", "accounts", (id, seq) => new OpenAccount(id, "accounts", seq, MarginMode.StandardCross));
        await Send("l-1", "wallet", (id, seq) => new Deposit(id, "wallet", seq, "USDT", 1_000m));
        await Trade("l-1", TestMarket.BtcMarchFuture, OrderSide.Buy, 1m, 60_300m);
        Expire(59_000m);
        AwaitAssert(() => Assert.Single(Engine.GetLiquidationsAsync().WaitAsync(Answer).GetAwaiter().GetResult().Liquidations), Wait);
        Time!.Advance(TimeSpan.FromSeconds(10));

        var before = Assert.Single((await Engine.GetLiquidationsAsync().WaitAsync(Answer)).Liquidations);
        await Send("l-1", "settlement", (id, seq) => new SettleExpiry(id, "settlement", seq, TestMarket.BtcMarchFuture, 59_000m));

        Assert.Equal(LiquidationStatus.Active, before.Status);
        AwaitAssert(() =>
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            var done = Assert.IsType<LiquidationCompleted>(Engine.GetLiquidationAsync(before.LiquidationId).WaitAsync(Answer).GetAwaiter().GetResult().Steps[^1]);
            Assert.Contains("300.00 USD uncovered", done.Reason, StringComparison.Ordinal);
        }, Wait);
        Assert.Equal([new CollateralBalance("USDT", -300m)], (await View("l-1")).Balances);
    }

    /// <summary>
    /// An unsettled expired holding does not stop the liquidation of the account's live positions: the plan values the
    /// holding at its index, as the account's margin does, and closes what still trades. 2,500 USDT, long 1 March future
    /// at 60,300 and long 1 BTCUSDT at 60,000; expired with BTC at 59,000: the future is worth -1,300 at the index, the
    /// perpetual -1,000, equity 200 against MM 236 (0.4% of 59,000): a liquidation, not a bankruptcy, which sells the perpetual.
    /// </summary>
    [Fact]
    public async Task A_liquidation_closes_the_live_positions_of_an_account_whose_expired_holding_awaits_its_settlement()
    {
        await Send("l-2", "accounts", (id, seq) => new OpenAccount(id, "accounts", seq, MarginMode.StandardCross));
        await Send("l-2", "wallet", (id, seq) => new Deposit(id, "wallet", seq, "USDT", 2_500m));
        await Trade("l-2", TestMarket.BtcMarchFuture, OrderSide.Buy, 1m, 60_300m);
        await Trade("l-2", TestMarket.BtcUsdt, OrderSide.Buy, 1m, 60_000m);
        Expire(59_000m);
        AwaitAssert(() => Assert.Single(Engine.GetLiquidationsAsync().WaitAsync(Answer).GetAwaiter().GetResult().Liquidations), Wait);
        var liquidation = Assert.Single((await Engine.GetLiquidationsAsync().WaitAsync(Answer)).Liquidations);

        var order = WaitForFirstOrder(liquidation.LiquidationId);

        Assert.Equal((TestMarket.BtcUsdt, OrderSide.Sell), (order.Symbol, order.Side));
        Assert.Equal(200m, Margin("l-2").EquityUsd);
    }

    private IssuedLiquidationOrder WaitForFirstOrder(string liquidationId)
    {
        IssuedLiquidationOrder? first = null;
        AwaitAssert(() =>
        {
            Time!.Advance(TimeSpan.FromSeconds(1));
            var history = Engine.GetLiquidationAsync(liquidationId).WaitAsync(Answer).GetAwaiter().GetResult();
            var withOrders = history.Steps.OfType<LiquidationStepPlanned>().Where(s => s.Orders.Count > 0).ToArray();
            Assert.NotEmpty(withOrders);
            first = withOrders[0].Orders[0];
        }, Wait);
        return first!;
    }

    private int _refused;

    private decimal EthCollateral(MarginMode mode, decimal eth) =>
        AccountFixture.Models.For(mode).Collateral.ValueUsd([new CollateralBalance("ETH", eth)], Engine.Market.Current);

    private async Task<RejectionCode> Refused(string account, string symbol, decimal price)
    {
        var reply = await Engine.SendAsync(account, new SettleExpiry($"refused-{++_refused}", "settlement", _refused, symbol, price)).WaitAsync(Answer);
        return Assert.IsType<CommandRejected>(reply).Rejection.Code;
    }

    private async Task HoldTheMarchFuture(string account, MarginMode mode = MarginMode.StandardCross)
    {
        await Send(account, "accounts", (id, seq) => new OpenAccount(id, "accounts", seq, mode));
        await Send(account, "wallet", (id, seq) => new Deposit(id, "wallet", seq, "USDT", 10_000m));
        await Trade(account, TestMarket.BtcMarchFuture, OrderSide.Buy, 1m, 60_300m);
    }

    /// <summary>Stops account r-1's actor and starts it again: it recovers from its journal.</summary>
    private IActorRef Restart(IActorRef first, AccountActorSettings settings)
    {
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);
        return Sys.ActorOf(AccountActor.Props("r-1", settings));
    }

    private async Task HoldTheMarchFuture(IActorRef account)
    {
        foreach (var command in new IAccountCommand[]
        {
            new OpenAccount("r-open", "accounts", 1, MarginMode.StandardCross),
            new Deposit("r-dep", "wallet", 1, "USDT", 10_000m),
            new ApplyExecution("r-fill", Venue, 1, "x-r", "o-r", TestMarket.BtcMarchFuture, OrderSide.Buy, 1m, 60_300m, 0m, Liquidity.Taker,
                Sys.TimeProvider.GetUtcNow(), IsLiquidation: false),
        })
        {
            Assert.IsType<CommandAccepted>(await account.Ask<object>(command, Answer).WaitAsync(Answer));
        }
    }

    /// <summary>Moves the clock a day past the March expiry and ticks BTC (and its perpetual) to <paramref name="btc"/>.</summary>
    private void Expire(decimal btc)
    {
        Time!.Advance(TestMarket.March.AddDays(1) - Time.GetUtcNow());
        MoveBtc(btc, TestMarket.BtcUsdt);
        Assert.Null(Engine.Market.Current.FindInstrument(TestMarket.BtcMarchFuture));
    }
}
