using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Prices;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// The account actor on a real SQLite journal. Hand figures: 1,000 USDT and a long of 1 BTCUSDT at 60,000 is 60,000 of
/// notional, Binance bracket 2: IM 1% less the 100 deduction = 500, MM 0.5% less 50 = 250; equity 1,000 + (mark - 60,000).
/// </summary>
public sealed class AccountActorTests(ITestOutputHelper output) : TestKit(output)
{
    private const string Venue = AccountFixture.Venue;
    private AccountHost _host = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _host = await AccountHost.OpenAsync(snapshotEvery: 3);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public void An_execution_is_accepted_with_the_margin_figures_after_it()
    {
        var account = Sys.ActorOf(AccountActor.Props("acc-1", _host.Settings()));
        Open(account);
        account.Tell(new Deposit("m1", Venue, 1, "USDT", 1_000m), TestActor);
        ExpectMsg<CommandAccepted>();

        account.Tell(Buy("m2", 2, 1m, 60_000m), TestActor);

        var accepted = ExpectMsg<CommandAccepted>();
        Assert.Equal("m2", accepted.MessageId);
        Assert.IsType<ExecutionApplied>(Assert.Single(accepted.Events));
        Assert.Null(accepted.Gap);
        Assert.Equal(new MarginSummary(1_000m, 500m, 250m, 500m, MarginStatus.Healthy, 0.25m, TestMarket.ValuationTime), accepted.Margin);
    }

    [Fact]
    public async Task A_duplicate_is_acknowledged_after_the_actor_recovers_and_changes_nothing()
    {
        var settings = _host.Settings();
        var first = Sys.ActorOf(AccountActor.Props("acc-1", settings));
        Open(first);
        first.Tell(new Deposit("m1", Venue, 1, "USDT", 1_000m), TestActor);
        first.Tell(Buy("m2", 2, 1m, 60_000m), TestActor);
        ReceiveN(2);
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);

        var second = Sys.ActorOf(AccountActor.Props("acc-1", settings));
        second.Tell(Buy("m2", 2, 1m, 60_000m), TestActor);

        Assert.Equal(new CommandDuplicate("m2"), ExpectMsg<CommandDuplicate>());
        var view = await second.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal([new CollateralBalance("USDT", 1_000m)], view.Balances);
        Assert.Equal([new Position(TestMarket.BtcUsdt, 1m, 60_000m)], view.Positions);
    }

    [Fact]
    public void A_message_older_than_its_source_highest_is_rejected_and_a_gap_is_reported()
    {
        var account = Sys.ActorOf(AccountActor.Props("acc-1", _host.Settings()));

        Open(account);
        account.Tell(new Deposit("m3", Venue, 3, "USDT", 1_000m), TestActor);
        var accepted = ExpectMsg<CommandAccepted>();
        account.Tell(new Deposit("m2", Venue, 2, "USDT", 1_000m), TestActor);
        var rejected = ExpectMsg<CommandRejected>();

        Assert.Equal(new SequenceGap(Venue, 1, 2), accepted.Gap);
        Assert.Equal(RejectionCode.OutOfOrder, rejected.Rejection.Code);
        Assert.Equal("m2", rejected.MessageId);
    }

    [Fact]
    public async Task Asked_to_apply_in_sequence_a_message_that_skips_ahead_is_answered_ahead_and_changes_nothing_until_the_gap_fills()
    {
        var account = Sys.ActorOf(AccountActor.Props("acc-1", _host.Settings()));
        Open(account);

        account.Tell(new ApplyInSequence(new Deposit("m3", Venue, 3, "USDT", 300m)), TestActor);
        Assert.Equal(new CommandAhead("m3", new SequenceGap(Venue, 1, 2)), ExpectMsg<CommandAhead>());
        account.Tell(new ApplyInSequence(new Deposit("m1", Venue, 1, "USDT", 100m)), TestActor);
        Assert.Null(ExpectMsg<CommandAccepted>().Gap);
        account.Tell(new ApplyInSequence(new Deposit("m3", Venue, 3, "USDT", 300m)), TestActor);
        Assert.Equal(new SequenceGap(Venue, 2, 2), ExpectMsg<CommandAhead>().Gap);
        account.Tell(new ApplyInSequence(new Deposit("m2", Venue, 2, "USDT", 200m)), TestActor);
        ExpectMsg<CommandAccepted>();
        account.Tell(new ApplyInSequence(new Deposit("m3", Venue, 3, "USDT", 300m)), TestActor);
        Assert.Null(ExpectMsg<CommandAccepted>().Gap);

        // Anything but a skip is decided as the bare command would be: a repeat is a duplicate, an old sequence out of order.
        account.Tell(new ApplyInSequence(new Deposit("m3", Venue, 3, "USDT", 300m)), TestActor);
        ExpectMsg<CommandDuplicate>();
        account.Tell(new ApplyInSequence(new Deposit("m2b", Venue, 2, "USDT", 200m)), TestActor);
        Assert.Equal(RejectionCode.OutOfOrder, ExpectMsg<CommandRejected>().Rejection.Code);
        var view = await account.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal([new CollateralBalance("USDT", 600m)], view.Balances);
    }

    [Fact]
    public async Task Asked_to_apply_in_sequence_a_message_beyond_the_accounts_jump_bound_is_refused_at_once_not_held_and_the_source_goes_on()
    {
        var account = Sys.ActorOf(AccountActor.Props("acc-1", _host.Settings() with { MaxSequenceJump = 10 }));
        Open(account);
        account.Tell(new Deposit("m1", Venue, 1, "USDT", 100m), TestActor);
        ExpectMsg<CommandAccepted>();

        // A held message would wait out the cluster's sequence hold for millions of messages that never come.
        account.Tell(new ApplyInSequence(new Deposit("m12", Venue, 12, "USDT", 300m)), TestActor);
        var refused = ExpectMsg<CommandRejected>();
        account.Tell(new Deposit("m-max", Venue, long.MaxValue, "USDT", 300m), TestActor);
        var typo = ExpectMsg<CommandRejected>();
        account.Tell(new Deposit("m11", Venue, 11, "USDT", 200m), TestActor);
        var atBound = ExpectMsg<CommandAccepted>();
        account.Tell(new Deposit("m12", Venue, 12, "USDT", 300m), TestActor);
        var next = ExpectMsg<CommandAccepted>();

        Assert.Equal(RejectionCode.SequenceJump, refused.Rejection.Code);
        Assert.Equal(RejectionCode.SequenceJump, typo.Rejection.Code);
        Assert.Equal(new SequenceGap(Venue, 2, 10), atBound.Gap);
        Assert.Null(next.Gap);
        var view = await account.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal([new CollateralBalance("USDT", 600m)], view.Balances);
    }

    [Fact]
    public void The_jump_bound_must_be_at_least_one()
    {
        var settings = _host.Settings();

        Assert.Throws<ArgumentOutOfRangeException>(() => settings with { MaxSequenceJump = 0 });
        Assert.Equal(MessageLedger.DefaultMaxJump, settings.MaxSequenceJump);
    }

    [Fact]
    public async Task A_withdrawal_that_would_breach_initial_margin_is_refused_with_the_figures()
    {
        var account = Sys.ActorOf(AccountActor.Props("acc-1", _host.Settings()));
        Open(account);
        account.Tell(new Deposit("m1", Venue, 1, "USDT", 1_000m), TestActor);
        account.Tell(Buy("m2", 2, 1m, 60_000m), TestActor);
        ReceiveN(2);

        account.Tell(new Withdraw("m3", Venue, 3, "USDT", 600m), TestActor);

        var rejected = ExpectMsg<CommandRejected>();
        Assert.Equal(RejectionCode.WouldBreachMargin, rejected.Rejection.Code);
        Assert.Equal("Withdrawal of 600 USDT would leave equity 400.00 USD below initial margin 500.00 USD.", rejected.Rejection.Message);
        var view = await account.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal(1_000m, view.Balances.Single().Amount);
    }

    [Fact]
    public async Task The_pre_trade_check_agrees_with_the_account_after_the_same_trade()
    {
        var account = Sys.ActorOf(AccountActor.Props("acc-1", _host.Settings()));
        Open(account);
        account.Tell(new Deposit("m1", Venue, 1, "USDT", 1_000m), TestActor);
        ExpectMsg<CommandAccepted>();

        var check = await account.Ask<PreTradeResult>(new CheckPreTrade("q1", TestMarket.BtcUsdt, OrderSide.Buy, 1.5m, 60_000m, Fee: 36m),
            TimeSpan.FromSeconds(10));
        account.Tell(Buy("m2", 2, 1.5m, 60_000m, fee: 36m), TestActor);
        var after = ExpectMsg<CommandAccepted>().Margin!;

        Assert.True(check.Accepted, check.Rejection?.Message);
        Assert.Equal((after.EquityUsd, after.InitialMarginUsd, after.AvailableMarginUsd), (check.EquityUsd, check.InitialMarginUsd, check.AvailableMarginUsd));
        Assert.Equal((964m, 800m, 164m), (after.EquityUsd, after.InitialMarginUsd, after.AvailableMarginUsd));
    }

    [Fact]
    public void A_falling_mark_moves_the_account_to_margin_call_then_liquidation_and_reports_the_breach()
    {
        var breaches = CreateTestProbe();
        var statuses = CreateTestProbe();
        Sys.EventStream.Subscribe(statuses.Ref, typeof(AccountStatusChanged));
        var region = ShardRegion.Start(Sys, AccountActor.RegionSettings(_host.Settings(breaches.Ref), shardCount: 4));
        Open(region, "acc-1");
        region.Tell(new ShardEnvelope("acc-1", new Deposit("m1", Venue, 1, "USDT", 1_000m)), TestActor);
        region.Tell(new ShardEnvelope("acc-1", Buy("m2", 2, 1m, 60_000m)), TestActor);
        ReceiveN(2);

        // 59,400: equity 400 < IM 494 (1% of 59,400 less 100), above MM 247: margin call.
        MoveBtc(region, 59_400m);
        var call = statuses.ExpectMsg<AccountStatusChanged>();
        Assert.Equal(new AccountStatusChanged("acc-1", MarginStatus.Healthy, MarginStatus.MarginCall, 400m, 494m, 247m, TestMarket.ValuationTime), call);
        breaches.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // 59,200: equity 200 < MM 246: liquidation, reported to the coordinator.
        MoveBtc(region, 59_200m);
        Assert.Equal(MarginStatus.Liquidation, statuses.ExpectMsg<AccountStatusChanged>().To);
        Assert.Equal(new AccountBreached("acc-1", MarginStatus.Liquidation, 200m, 492m, 246m, TestMarket.ValuationTime), breaches.ExpectMsg<AccountBreached>());

        // Still in liquidation at the next mark: reported again (a restarted coordinator hears it), no status change.
        MoveBtc(region, 59_100m);
        Assert.Equal(100m, breaches.ExpectMsg<AccountBreached>().EquityUsd);
        statuses.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void An_account_with_no_interest_in_the_moved_underlying_is_not_re_margined()
    {
        var limits = CreateTestProbe();
        Sys.EventStream.Subscribe(limits.Ref, typeof(AccountLimitsChanged));
        var region = ShardRegion.Start(Sys, AccountActor.RegionSettings(_host.Settings(), shardCount: 4));
        Open(region, "acc-btc");
        region.Tell(new ShardEnvelope("acc-btc", new Deposit("m1", Venue, 1, "USDT", 1_000m)), TestActor);
        region.Tell(new ShardEnvelope("acc-btc", Buy("m2", 2, 1m, 60_000m)), TestActor);
        Open(region, "acc-eth");
        region.Tell(new ShardEnvelope("acc-eth", new Deposit("m1", Venue, 1, "USDT", 1_000m)), TestActor);
        region.Tell(new ShardEnvelope("acc-eth", new ApplyExecution("m2", Venue, 2, "x2", "o2", TestMarket.EthUsdt, OrderSide.Buy, 1m, 3_000m, 0m,
            Liquidity.Taker, TestMarket.ValuationTime)), TestActor);
        ReceiveN(4);
        limits.ReceiveN(6); // each: at start (empty), after the deposit, after the trade

        // The BTC limit of every account moves with BTC's price, so a re-margined acc-eth would publish one too.
        MoveBtc(region, 59_000m);

        // acc-btc at 59,000: equity 0, IM 490; in BTC -490 / 59,000 = -0.008305084..., rounded down to -0.00830509.
        var moved = limits.ExpectMsg<AccountLimitsChanged>();
        Assert.Equal("acc-btc", moved.AccountId);
        Assert.Equal(-490m, moved.AvailableUsd);
        Assert.Equal(-0.00830509m, moved.AvailableBySettlementAsset["BTC"]);
        Assert.Equal(-490m, moved.AvailableBySettlementAsset["USDT"]);
        limits.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task An_account_recovered_from_its_snapshot_and_later_events_equals_the_one_before()
    {
        var settings = _host.Settings();
        var first = Sys.ActorOf(AccountActor.Props("acc-1", settings));
        Open(first);
        first.Tell(new Deposit("m1", Venue, 1, "USDT", 5_000m), TestActor);
        first.Tell(Buy("m2", 2, 1m, 60_000m), TestActor);
        first.Tell(new AcceptOrder("m3", Venue, 3, "o-9", TestMarket.EthUsdt, OrderSide.Sell, 2m, 3_100m), TestActor);
        first.Tell(new Deposit("m4", Venue, 4, "BTC", 0.01m), TestActor);
        ReceiveN(4);
        var before = await first.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);

        var snapshot = await _host.Services.SnapshotStore.LoadAsync("account-acc-1");
        var second = Sys.ActorOf(AccountActor.Props("acc-1", settings));
        var after = await second.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));

        Assert.Equal(3, snapshot!.Metadata.SequenceNr);
        Assert.Equal(before.Balances, after.Balances);
        Assert.Equal(before.Positions, after.Positions);
        Assert.Equal(before.OpenOrders, after.OpenOrders);
        Assert.Equal(before.Margin, after.Margin);
        second.Tell(new Deposit("m4", Venue, 4, "BTC", 0.01m), TestActor);
        ExpectMsg<CommandDuplicate>();
    }

    [Fact]
    public async Task A_redelivery_whose_id_has_left_the_full_window_is_answered_as_a_duplicate_and_a_new_id_at_an_old_sequence_as_out_of_order()
    {
        // A coordinator re-sending an applied auto-deleverage side after its restart got "out of order" here once the
        // account had taken 64 other messages, and took the side for refused: the books then no longer netted.
        var account = Sys.ActorOf(AccountActor.Props("acc-1", _host.Settings()));
        Open(account);
        account.Tell(new Deposit("m1", Venue, 1, "USDT", 1_000m), TestActor);
        ExpectMsg<CommandAccepted>();
        for (var i = 2; i <= MessageLedger.DefaultCapacity + 2; i++)
        {
            account.Tell(new Deposit($"m{i}", Venue, i, "USDT", 1m), TestActor);
            ExpectMsg<CommandAccepted>();
        }

        account.Tell(new Deposit("m1", Venue, 1, "USDT", 1_000m), TestActor);
        Assert.Equal(new CommandDuplicate("m1"), ExpectMsg<CommandDuplicate>());

        account.Tell(new Deposit("m-new", Venue, 5, "USDT", 1m), TestActor);
        Assert.Equal(RejectionCode.OutOfOrder, ExpectMsg<CommandRejected>().Rejection.Code);

        var view = await account.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal([new CollateralBalance("USDT", 1_000m + MessageLedger.DefaultCapacity + 1)], view.Balances);
    }

    [Fact]
    public async Task Amounts_too_large_for_limits_in_units_of_1e_8_still_leave_an_account_that_answers_and_recovers()
    {
        // Available margin beyond ~7.9e20 USD once overflowed stating the limits, after the event was durable: the
        // deposit was answered with an error, every recovery failed on it, and the account never answered again.
        var limits = CreateTestProbe();
        Sys.EventStream.Subscribe(limits.Ref, typeof(AccountLimitsChanged));
        var settings = _host.Settings();
        var first = Sys.ActorOf(AccountActor.Props("acc-1", settings));
        Open(first);
        first.Tell(new Deposit("m1", Venue, 1, "USDT", 1_000_000_000_000_000_000_000m), TestActor);

        var available = ExpectMsg<CommandAccepted>().Margin!.AvailableMarginUsd;
        Assert.True(available > 792_281_625_142_643_375_935m, $"available {available} is not beyond a decimal in units of 1e-8");
        var stated = limits.FishForMessage<AccountLimitsChanged>(l => l.AvailableUsd > 0);
        Assert.Equal(available, stated.AvailableUsd);
        Assert.True(stated.AvailableBySettlementAsset["USDT"] > 792_281_625_142_643_375_935m);
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);

        var second = Sys.ActorOf(AccountActor.Props("acc-1", settings));
        var view = await second.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal([new CollateralBalance("USDT", 1_000_000_000_000_000_000_000m)], view.Balances);
        second.Tell(new Deposit("m2", Venue, 2, "USDT", 1m), TestActor);
        ExpectMsg<CommandAccepted>();
    }

    [Fact]
    public async Task Cancelling_all_orders_cancels_each_open_order_and_answers_with_their_ids()
    {
        var account = Sys.ActorOf(AccountActor.Props("acc-1", _host.Settings()));
        Open(account);
        account.Tell(new Deposit("m1", Venue, 1, "USDT", 10_000m), TestActor);
        account.Tell(new AcceptOrder("m2", Venue, 2, "o-a", TestMarket.BtcUsdt, OrderSide.Buy, 1m, 59_000m), TestActor);
        account.Tell(new AcceptOrder("m3", Venue, 3, "o-b", TestMarket.EthUsdt, OrderSide.Sell, 2m, 3_100m), TestActor);
        ReceiveN(3);

        account.Tell(new CancelAllOrders("c1", "liquidation", 1), TestActor);
        var cancelled = ExpectMsg<CommandAccepted>();
        account.Tell(new CancelAllOrders("c2", "liquidation", 2), TestActor);
        var none = ExpectMsg<CommandAccepted>();

        Assert.Equal(["o-a", "o-b"], cancelled.CancelledOrderIds);
        Assert.Equal(0m, cancelled.Margin!.InitialMarginUsd);
        Assert.Empty(none.CancelledOrderIds);
        Assert.Empty((await account.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10))).OpenOrders);
    }

    [Fact]
    public async Task A_deficit_cover_credits_the_wallet_and_a_non_positive_one_is_refused()
    {
        var account = Sys.ActorOf(AccountActor.Props("acc-1", _host.Settings()));

        Open(account);
        account.Tell(new CoverDeficit("f1", "insurance-fund", 1, "USDT", 125.5m), TestActor);
        var covered = ExpectMsg<CommandAccepted>();
        account.Tell(new CoverDeficit("f2", "insurance-fund", 2, "USDT", 0m), TestActor);
        var refused = ExpectMsg<CommandRejected>();

        Assert.Equal(new DeficitCovered("f1", "insurance-fund", 1, "USDT", 125.5m), Assert.Single(covered.Events));
        Assert.Equal(125.5m, covered.Margin!.EquityUsd);
        Assert.Equal(RejectionCode.InvalidAmount, refused.Rejection.Code);
        Assert.Equal([new CollateralBalance("USDT", 125.5m)], (await account.Ask<AccountView>(GetAccount.Instance, TimeSpan.FromSeconds(10))).Balances);
    }

    [Fact]
    public async Task A_market_the_account_cannot_be_margined_at_is_logged_and_the_last_figures_kept()
    {
        var region = ShardRegion.Start(Sys, AccountActor.RegionSettings(_host.Settings(), shardCount: 1));
        Open(region, "acc-1");
        region.Tell(new ShardEnvelope("acc-1", new Deposit("m1", Venue, 1, "USDT", 1_000m)), TestActor);
        region.Tell(new ShardEnvelope("acc-1", Buy("m2", 2, 1m, 60_000m)), TestActor);
        var last = ((CommandAccepted)ReceiveN(2)[1]).Margin;

        // A market without BTCUSDT cannot value the position: the account must neither crash nor forget its figures.
        var broken = TestMarket.Build(59_000m, 3_000m, TestMarket.Instruments.Where(i => i.Symbol != TestMarket.BtcUsdt));
        var version = _host.Market.Publish(broken);
        region.Tell(new ShardBroadcast(new MarketChanged(broken, version, new HashSet<string> { "BTC" }), new HashSet<string> { "BTC" }), TestActor);

        AwaitAssert(() => Assert.Contains(Logs.Entries, e => e.Message.Contains("could not be margined", StringComparison.Ordinal)));
        var view = await region.Ask<AccountView>(new ShardEnvelope("acc-1", GetAccount.Instance), TimeSpan.FromSeconds(10));
        Assert.Equal(last, view.Margin);
        Assert.Single(view.Positions);
    }

    [Fact]
    public async Task Explain_margin_answers_the_risk_assessment_with_its_explanation()
    {
        var account = Sys.ActorOf(AccountActor.Props("acc-1", _host.Settings()));
        Open(account);
        account.Tell(new Deposit("m1", Venue, 1, "USDT", 1_000m), TestActor);
        account.Tell(Buy("m2", 2, 1m, 60_000m), TestActor);
        ReceiveN(2);

        var margin = await account.Ask<AccountMargin>(ExplainMargin.Instance, TimeSpan.FromSeconds(10));

        Assert.Equal(("acc-1", 500m, 250m), (margin.AccountId, margin.InitialMarginUsd, margin.MaintenanceMarginUsd));
        Assert.Single(margin.Positions);
    }

    [Fact]
    public void An_account_that_comes_to_hold_an_asset_registers_interest_in_it()
    {
        var limits = CreateTestProbe();
        Sys.EventStream.Subscribe(limits.Ref, typeof(AccountLimitsChanged));
        var region = ShardRegion.Start(Sys, AccountActor.RegionSettings(_host.Settings(), shardCount: 2));
        Open(region, "acc-1");
        region.Tell(new ShardEnvelope("acc-1", new Deposit("m1", Venue, 1, "USDT", 1_000m)), TestActor);
        ExpectMsg<CommandAccepted>();
        limits.ReceiveN(2);
        MoveBtc(region, 61_000m);
        limits.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        region.Tell(new ShardEnvelope("acc-1", new Deposit("m2", Venue, 2, "BTC", 0.1m)), TestActor);
        ExpectMsg<CommandAccepted>();
        limits.ExpectMsg<AccountLimitsChanged>();
        MoveBtc(region, 62_000m);

        // 1,000 USDT + 0.1 BTC at 62,000 less the 5% haircut = 1,000 + 5,890.
        Assert.Equal(6_890m, limits.ExpectMsg<AccountLimitsChanged>().AvailableUsd);
    }

    private void Open(IActorRef target, string? accountInRegion = null)
    {
        var open = new OpenAccount("open", AccountFixture.Accounts, 1);
        target.Tell(accountInRegion is null ? open : new ShardEnvelope(accountInRegion, open), TestActor);
        ExpectMsg<CommandAccepted>();
    }

    private void MoveBtc(IActorRef region, decimal btc)
    {
        var market = TestMarket.Build(btc: btc);
        var version = _host.Market.Publish(market);
        region.Tell(new ShardBroadcast(new MarketChanged(market, version, new HashSet<string> { "BTC" }), new HashSet<string> { "BTC" }), TestActor);
    }

    private static ApplyExecution Buy(string id, long sequence, decimal quantity, decimal price, decimal fee = 0m) =>
        new(id, Venue, sequence, "x" + id, "o" + id, TestMarket.BtcUsdt, OrderSide.Buy, quantity, price, fee, Liquidity.Taker, TestMarket.ValuationTime);
}
