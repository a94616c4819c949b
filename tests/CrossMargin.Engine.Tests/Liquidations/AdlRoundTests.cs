using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Persistence.Journal;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// What an auto-deleverage round leaves its accounts with when things move while its views are collected: no counterparty
/// below zero, no bankrupt account flipped. acc-1 (and acc-2) hold 1,000 USDT and are long 1 BTCUSDT at 60,000; with BTC
/// at 58,000 each is at -1,000, the fund is empty, and the bankruptcy price is 58,000 + 1,000 / 1 = 59,000. acc-c, short 2
/// at 60,000 on 100,000 USDT, is the counterparty of last resort (score 3.33% x 116,000 / 104,000, about 0.04). The
/// others are short BTC and long 20 ETHUSDT at 3,000, with ETH fallen to 2,800 (-4,000): little equity, high leverage,
/// ranked first. A counterparty buying at 59,000 loses the difference to the mark per contract.
/// </summary>
public sealed class AdlRoundTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";

    /// <summary>
    /// acc-b: 2,300 USDT, short 1.6 BTC at 60,000: at 58,000 and 2,800 its equity is 2,300 + 3,200 - 4,000 = 1,500 (MM
    /// 414 + 230). acc-1 and acc-2 are deleveraged in the same interval from views collected before either round's fills.
    /// The first takes 1 from acc-b (loses 1,000 against the mark), which leaves it 500, still above its MM of 139.20 +
    /// 230 (so not in a liquidation of its own). The second sees acc-b's 1.6 and 1,500 in the collected view; giving q of
    /// the 0.6 left leaves 500 - 1,000 q against an MM of (0.6 - q) x 232 + 230, so it gives 0.1 (400 against 346; 0.2
    /// leaves 300 against 322.80), acc-c the other 0.9. acc-b ends with 2,300 + 1.1 x 1,000 = 3,400 USDT, short 0.5 and
    /// long ETH: equity 3,400 + 1,000 - 4,000 = 400. Counting its view's equity whole, the second round took the 0.6 and
    /// left acc-b at -100, its BTC closed and nothing to pass the deficit on with but the losing ETH (and cut to its
    /// equity alone, 0.5, it was left at 0 against an MM of 253.20, liquidated in turn).
    /// </summary>
    [Fact]
    public void A_counterparty_already_deleveraged_by_another_round_gives_no_more_than_its_equity_left_after_those_fills()
    {
        var adl = AdlProbe();
        OpenCounterparties(2_300m, 1.6m);
        OpenLong("acc-2");

        MoveMarket(58_000m, 2_800m, "BTC", "ETH");
        var notices = AdlNoticesUntil(adl, heard => heard.Where(n => n.AccountId is "acc-1" or "acc-2").Sum(n => n.Quantity) >= 2m);

        Assert.Equal(1.1m, notices.Where(n => n.AccountId == "acc-b").Sum(n => n.Quantity));
        Assert.Equal(0.9m, notices.Where(n => n.AccountId == "acc-c").Sum(n => n.Quantity));
        AwaitAssert(() =>
        {
            var account = Account("acc-b");
            Assert.Equal([new CollateralBalance("USDT", 3_400m)], account.Balances);
            Assert.Equal([new Position(Btc, -0.5m, 60_000m), new Position(TestMarket.EthUsdt, 20m, 3_000m)], account.Positions);
        });
    }

    /// <summary>
    /// acc-b: 2,800 USDT, short 1 BTC at 60,000: 800 at 58,000 (its view). While the round's views are collected BTC
    /// moves to 58,500 (acc-b's figures not yet re-margined): there a buy at 59,000 loses 500 per contract, and acc-b's
    /// equity is 2,800 + 1,500 - 4,000 = 300, already below its MM there (242.50 + 230), so it gives nothing and acc-c
    /// gives the 1. Its view's 800 against the loss at 58,500 let it give the whole 1 (800 - 500 = 300 against the ETH's
    /// 230): 2,800 + 1,000 - 4,000 = -200 once flat in BTC. (Cut to its equity alone it gave 0.6 and was left at 0.)
    /// </summary>
    [Fact]
    public void A_counterpartys_equity_is_taken_at_the_market_its_loss_is_measured_at()
    {
        var adl = AdlProbe();
        OpenCounterparties(2_800m, 1m);

        MoveMarket(58_000m, 2_800m, "BTC", "ETH");
        AwaitRoundUnderWay();
        Market.Publish(TestMarket.Build(58_500m, 2_800m));
        var notices = Acc1Deleveraged(adl, 1m);

        AssertNotices(Acc1SoldAt59000(("acc-c", 1m)), notices);
        AwaitAssert(() => Assert.Equal([new CollateralBalance("USDT", 2_800m)], Account("acc-b").Balances));
    }

    /// <summary>
    /// The venue sells 0.1 of acc-1's long at 58,000 while the round's views are collected (an execution that raced the
    /// cancel): acc-1 holds 0.9 and 800 USDT, equity 800 - 1,800 = -1,000, so its bankruptcy price is 58,000 + 1,000 / 0.9
    /// = 59,111.11..., 59,111.12 on the tick (rounded in its favour). acc-c takes the 0.9 there and acc-1 ends flat with
    /// 800 - 0.9 x 888.88 = 0.008 USDT. Priced and sized from the view that chose the position, the round sold 1 at
    /// 59,000: acc-1 short 0.1, and the 0.1 the venue sold at the mark never got the bankruptcy price.
    /// </summary>
    [Fact]
    public void A_bankrupt_account_traded_while_the_views_are_collected_is_deleveraged_for_what_it_holds_at_its_price_then()
    {
        var adl = AdlProbe();
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");

        var notices = CrashWithVenueFillDuringTheRound(adl, "acc-1", OrderSide.Sell, 0.1m, 0.9m);

        AssertOneFill(notices, "acc-c", 0.9m, 59_111.12m);
        AwaitCompleted(Liquidation);
        AwaitAssert(() =>
        {
            Assert.Empty(Account("acc-1").Positions);
            Assert.Equal([new CollateralBalance("USDT", 0.008m)], Account("acc-1").Balances);
        });
    }

    /// <summary>
    /// As the test before, but the venue sells the 0.1 while the coordinator waits for acc-c's own view (the account it
    /// would take from), after acc-1 was priced: acc-1 is priced again once acc-c has answered, so acc-c takes 0.9 at
    /// 59,111.12. Priced before, the round sold 1 at 59,000 and left acc-1 short 0.1.
    /// </summary>
    [Fact]
    public void A_bankrupt_account_traded_while_its_counterparties_are_asked_is_priced_again_from_what_it_holds()
    {
        var hold = HoldAccC(holdsExecution: false);
        var adl = AdlProbe();
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");

        var notices = CrashWithVenueFillWhileHeld(hold, adl, "acc-1", OrderSide.Sell, 0.1m, 0.9m);

        AssertOneFill(notices, "acc-c", 0.9m, 59_111.12m);
        AwaitAssert(() => Assert.Empty(Account("acc-1").Positions));
    }

    /// <summary>
    /// acc-c and acc-d are both short 2 at 60,000 on 100,000 USDT (equal scores: acc-c first, by id). While the round's
    /// views are collected the venue buys 1.5 of acc-c's short at 58,000 (it keeps 0.5, its score falls to 1,000 / 30,000
    /// x 29,000 / 104,000, about 0.01). The accounts the round would take from are asked for their views first: acc-c's
    /// shows the 0.5, so acc-d, now first, gives the whole 1 at 59,000 and acc-c keeps its 0.5. From the collected view the
    /// round took 1 from acc-c and left it long 0.5, bought at 59,000.
    /// </summary>
    [Fact]
    public void A_counterparty_traded_while_the_views_are_collected_is_never_taken_beyond_what_it_holds_then()
    {
        var adl = AdlProbe();
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenShort("acc-d", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");

        var notices = CrashWithVenueFillDuringTheRound(adl, "acc-c", OrderSide.Buy, 1.5m, 1m);

        AssertOneFill(notices, "acc-d", 1m, 59_000m);
        AwaitAssert(() => Assert.Equal([new Position(Btc, -0.5m, 60_000m)], Account("acc-c").Positions));
    }

    /// <summary>
    /// acc-c and acc-d short 2 at 60,000 on 100,000 USDT (acc-c first, by id). The round takes 1 from acc-c at 59,000 from
    /// its own view, and the venue buys 1.5 of its short (at 58,000) before the execution reaches it: it holds 0.5, and the
    /// execution states the 2 the round saw, so acc-c refuses it, and acc-1's side is never sent. The next round, from
    /// fresh views, takes the 1 from acc-d. acc-c keeps its 0.5 short; without the check it bought 1 and was left long
    /// 0.5 (at 59,000), the flip of trader-0114 in session 15's runs. Neither account is told of the refused fill: the
    /// notices are acc-d's and acc-1's of the second round alone (before, the refused fill's went out when it was recorded).
    /// </summary>
    [Fact]
    public void A_counterparty_the_venue_traded_after_the_round_was_decided_refuses_its_fill_and_the_round_is_done_again()
    {
        var hold = HoldAccC(holdsExecution: true);
        var adl = AdlProbe();
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenShort("acc-d", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");

        var notices = CrashWithVenueFillWhileHeld(hold, adl, "acc-c", OrderSide.Buy, 1.5m, 1m);

        Assert.Equal(Acc1SoldAt59000(2, ("acc-d", 1m)), notices);
        AwaitAssert(() =>
        {
            Assert.Equal([new Position(Btc, -0.5m, 60_000m)], Account("acc-c").Positions);
            Assert.Equal([new Position(Btc, -1m, 60_000m)], Account("acc-d").Positions);
            Assert.Empty(Account("acc-1").Positions);
        });
        var refused = Assert.Single(History(Liquidation).Steps.OfType<AutoDeleverageFillRefused>());
        Assert.Equal((1, "acc-c", RejectionCode.PositionChanged), (refused.Round, refused.AccountId, refused.Code));
    }

    /// <summary>
    /// acc-c alone, short 2 at 60,000 on 100,000 USDT: as above, it refuses round 1's execution (sequence 1 of source
    /// "adl" to it) after the venue bought 1.5, and acc-1's side (its sequence 1) is never sent. Round 2 takes acc-c's 0.5:
    /// both executions, sequence 2 to each account, apply with no gap, the refused fill's sequences having been voided in
    /// their place. Before, each account applied its sequence 2 reporting 1 to 1 missing (in a cluster, held first for the
    /// missing one until the hold expired).
    /// </summary>
    [Fact]
    public void After_a_refused_fill_the_next_fills_to_both_its_accounts_follow_on_with_no_sequence_gap()
    {
        var answers = CreateTestProbe("answers");
        var held = CreateTestProbe("held");
        var holding = Sys.ActorOf(Props.Create(() => new HoldingRegion(Region, "acc-c", held.Ref, true)));
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new ReplyWatchingRegion(holding, answers.Ref))));
        var adl = AdlProbe();
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");

        var notices = CrashWithVenueFillWhileHeld((held, holding), adl, "acc-c", OrderSide.Buy, 1.5m, 0.5m);

        Assert.Equal(Acc1SoldAt59000(2, ("acc-c", 0.5m)), notices);
        var round2 = new List<CommandAccepted>();
        while (answers.QueuedCount > 0)
        {
            if (answers.ExpectMsg<object>() is CommandAccepted { MessageId: "liq-acc-1-1:adl-2:acc-c" or "liq-acc-1-1:adl-2:acc-c:bankrupt" } accepted)
            {
                round2.Add(accepted);
            }
        }

        Assert.Equal(2, round2.Count);
        Assert.All(round2, a => Assert.Null(a.Gap));
        Assert.Equal(2, Account("acc-c").HighestOf(LiquidationCoordinator.AdlSource));
        Assert.Equal([new Position(Btc, 0.5m, 60_000m)], Account("acc-1").Positions);
    }

    /// <summary>
    /// acc-1 and acc-2 (each 1,000 USDT, long 1 at 60,000) go bankrupt at 58,000 with an empty fund; acc-c (short 2 at
    /// 60,000 on 100,000 USDT) is the only counterparty of both rounds, 1 each. Its first execution (sequence 1 of source
    /// "adl") is refused, the refusal reaching the coordinator only once the other round has been recorded with acc-c's
    /// sequence 2. That execution is sent only after the void of sequence 1, so acc-c applies it with no gap; before, it
    /// went at once, overtook the void, and acc-c applied it reporting 1 to 1 missing (an embedded account does not wait
    /// for a gap to fill).
    /// </summary>
    [Fact]
    public void Another_liquidations_fill_to_a_counterparty_never_overtakes_the_void_of_its_refused_one()
    {
        var answers = CreateTestProbe("answers");
        var held = CreateTestProbe("held");
        var refusing = Sys.ActorOf(Props.Create(() => new LateRefusingRegion(Region, "acc-c", held.Ref)));
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new ReplyWatchingRegion(refusing, answers.Ref))));
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");
        OpenLong("acc-2");

        MoveBtc(58_000m);
        AdvanceUntil(() => held.QueuedCount > 0, TimeSpan.FromMilliseconds(100));
        var rounds = new[] { "liq-acc-1-1", "liq-acc-2-1" };
        AdvanceUntil(() => rounds.All(l => History(l).Steps.OfType<AutoDeleverageExecuted>().Any()), TimeSpan.FromMilliseconds(100));
        var second = rounds.Select(l => History(l).Steps.OfType<AutoDeleverageExecuted>().First())
            .SelectMany(e => e.Fills.Where(f => f.CounterpartySequence == 2).Select(e.CounterpartyMessageId))
            .Single();
        AwaitIdle();
        refusing.Tell(HoldingRegion.Release.Instance, TestActor);

        CommandAccepted? applied = null;
        AdvanceUntil(() =>
        {
            while (applied is null && answers.QueuedCount > 0)
            {
                applied = answers.ExpectMsg<object>() is CommandAccepted accepted && accepted.MessageId == second ? accepted : null;
            }

            return applied is not null;
        }, TimeSpan.FromMilliseconds(100));

        Assert.Null(applied!.Gap);
        Assert.Equal(2, Account("acc-c").HighestOf(LiquidationCoordinator.AdlSource));
    }

    /// <summary>
    /// acc-c (short 2 on 100,000 USDT) is to give 1 of acc-1's long at 59,000; its execution is held back, so nobody is
    /// told of the fill yet (before, both notices went out as the round was recorded). The coordinator stops, acc-c then
    /// applies the execution (its answer is lost with the coordinator), and the next coordinator sends it again: acc-c
    /// answers it as a duplicate, which is announced, and acc-1's side follows, applies and is announced; once each.
    /// </summary>
    [Fact]
    public void A_side_applied_while_the_coordinator_restarts_is_announced_by_the_next_one_once_with_its_other_side()
    {
        var hold = HoldAccC(holdsExecution: true);
        var adl = AdlProbe();
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");
        MoveBtc(58_000m);
        AdvanceUntil(() => hold.Held.QueuedCount > 0, TimeSpan.FromMilliseconds(100));
        adl.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        RestartCoordinator(whileStopped: () =>
        {
            hold.Region.Tell(HoldingRegion.Release.Instance, TestActor);
            AwaitAssert(() => Assert.Equal([new Position(Btc, -1m, 60_000m)], Account("acc-c").Positions));
        });
        var notices = Acc1Deleveraged(adl, 1m);

        AssertOneFill(notices, "acc-c", 1m, 59_000m);
        AwaitCompleted(Liquidation);
        adl.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    /// <summary>
    /// acc-c, the only short, gives its 0.5 in round 1 (announced once); acc-1, long the other 0.5, stalls with no
    /// counterparty and its liquidation goes on. After a restart every execution of the round is sent again and answered
    /// as a duplicate: the round was settled (the liquidation wrote a later event only once every side had answered),
    /// so it is not announced a second time.
    /// </summary>
    [Fact]
    public void A_round_settled_before_a_restart_is_not_announced_again_when_its_executions_are_sent_again()
    {
        var adl = AdlProbe();
        OpenShort("acc-c", 100_000m, 0.5m, 60_000m);
        OpenLong("acc-1");
        MoveBtc(58_000m);
        AssertOneFill(Acc1Deleveraged(adl, 0.5m), "acc-c", 0.5m, 59_000m);
        AdvanceUntil(() => History(Liquidation).Steps[^1] is LiquidationStepPlanned, TimeSpan.FromMilliseconds(100));
        Assert.Contains(History(Liquidation).Steps, e => e is LiquidationStalled);

        RestartCoordinator();

        adl.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        Assert.Equal([new Position(Btc, 0.5m, 60_000m)], Account("acc-1").Positions);
    }

    /// <summary>
    /// A journal written before fills stated positions: acc-1's liquidation recorded a round selling its 1 to acc-c at
    /// 59,000, both sides sent at once and announced then. The coordinator recovering it sends both sides again (unchecked,
    /// as they were), they apply, and the liquidation completes with acc-1 flat; the round is not announced again.
    /// </summary>
    [Fact]
    public void A_round_journaled_before_fills_stated_positions_is_applied_on_recovery_and_not_announced_again()
    {
        var adl = AdlProbe();
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");
        var time = Clock.GetUtcNow();
        var started = new LiquidationStarted(Liquidation, "acc-1", MarginStatus.Bankrupt, -1_000m, 240m, 1, time);
        var executed = new AutoDeleverageExecuted(Liquidation, 1, "acc-1", Btc, 59_000m, [new AdlExecution("acc-c", OrderSide.Buy, 1m, 59_000m, 0.04m, 1, 1)],
            time);

        RestartCoordinator(whileStopped: () => Services.Journal.WriteMessagesAsync(
        [
            new AtomicWrite(LiquidationCoordinator.Id, 1, "old-node", [new EventData(Registry.Serialize(started)), new EventData(Registry.Serialize(executed))]),
        ]).GetAwaiter().GetResult());

        AwaitCompleted(Liquidation);
        Assert.Empty(Account("acc-1").Positions);
        Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
        Assert.Equal([new Position(Btc, -1m, 60_000m)], Account("acc-c").Positions);
        adl.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    /// <summary>
    /// acc-b: 5,200 USDT, short 0.5 BTC at 60,000 and long 30 ETH at 3,000: at 58,000 and 2,800 its equity is 5,200 +
    /// 1,000 - 6,000 = 200, below its MM of 116 (0.4% of 29,000) + 370 (0.5% of 84,000 less 50), so it is being liquidated
    /// itself, its first order (in ETH, which releases the most MM per notional) out at the venue, when acc-1's round is
    /// allocated. It is no counterparty: its own liquidation prices its positions from views such a fill would make stale
    /// (a take-over of it gives its whole equity away at once), and its equity is below its maintenance margin. acc-c
    /// gives the whole 1. Counted as a counterparty (score 1,000 / 30,000 x 29,000 / 200), it gave 0.2 (200 / 1,000).
    /// </summary>
    [Fact]
    public void An_account_in_a_liquidation_of_its_own_is_no_counterparty()
    {
        var adl = AdlProbe();
        OpenCounterparties(5_200m, 0.5m, eth: 30m);

        MoveMarket(58_000m, 2_800m, "BTC", "ETH");
        var notices = Acc1Deleveraged(adl, 1m);

        AssertOneFill(notices, "acc-c", 1m, 59_000m);
        Assert.Equal(LiquidationStatus.Active, History("liq-acc-b-1").Status);
    }

    /// <summary>
    /// BTC to 58,000, then, while acc-1's round collects its views, the venue fills <paramref name="account"/> at 58,000;
    /// the notices heard until acc-1 has been deleveraged by <paramref name="deleveraged"/>.
    /// </summary>
    private List<AutoDeleveraged> CrashWithVenueFillDuringTheRound(TestProbe adl, string account, OrderSide side, decimal quantity, decimal deleveraged)
    {
        MoveBtc(58_000m);
        AwaitRoundUnderWay();
        Trade(account, side, quantity, 58_000m);
        return Acc1Deleveraged(adl, deleveraged);
    }

    /// <summary>
    /// The coordinator restarted behind a region that holds back the first view (or, with
    /// <paramref name="holdsExecution"/>, the first execution) it sends to acc-c.
    /// </summary>
    private (TestProbe Held, IActorRef Region) HoldAccC(bool holdsExecution)
    {
        var held = CreateTestProbe("held");
        var region = Sys.ActorOf(Props.Create(() => new HoldingRegion(Region, "acc-c", held.Ref, holdsExecution)));
        RestartCoordinator(region);
        return (held, region);
    }

    /// <summary>
    /// BTC to 58,000; once the message to acc-c is held back, the venue fills <paramref name="account"/> at 58,000 and
    /// the message is let through; the notices heard until acc-1 has been deleveraged by <paramref name="deleveraged"/>.
    /// </summary>
    private List<AutoDeleveraged> CrashWithVenueFillWhileHeld(
        (TestProbe Held, IActorRef Region) hold, TestProbe adl, string account, OrderSide side, decimal quantity, decimal deleveraged)
    {
        MoveBtc(58_000m);
        AdvanceUntil(() => hold.Held.QueuedCount > 0, TimeSpan.FromMilliseconds(100));
        Trade(account, side, quantity, 58_000m);
        hold.Region.Tell(HoldingRegion.Release.Instance, TestActor);
        return Acc1Deleveraged(adl, deleveraged);
    }

    /// <summary>The notices heard until acc-1 has been deleveraged by <paramref name="quantity"/>.</summary>
    private List<AutoDeleveraged> Acc1Deleveraged(TestProbe adl, decimal quantity) =>
        AdlNoticesUntil(adl, heard => heard.Where(n => n.AccountId == "acc-1").Sum(n => n.Quantity) >= quantity);

    /// <summary>
    /// acc-1 is bankrupt at 58,000 (-1,000) and the empty fund covers nothing, so a round starts; while its views are
    /// collected BTC recovers to 59,500, where acc-1 is solvent again: 1,000 - 500 = 500 against an MM of 247.50 (stop
    /// 259.88). The round is for a deficit that is gone: acc-1 is planned again and keeps its long and its 1,000 USDT.
    /// Before, the round priced the position from the fresh view anyway, at 59,500 - 500 = 59,000, and acc-c took the 1
    /// there: acc-1's 500 of equity handed over to a counterparty with nothing owed.
    /// </summary>
    [Fact]
    public void A_round_for_a_deficit_the_market_has_since_made_good_is_dropped_and_the_account_keeps_its_equity()
    {
        var adl = AdlProbe();
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");
        MoveBtc(58_000m);
        AwaitRoundUnderWay();

        MoveBtc(59_500m);

        AdvanceUntil(() => History(Liquidation).Status == LiquidationStatus.Completed, TimeSpan.FromMilliseconds(100));
        Assert.Empty(History(Liquidation).Steps.OfType<AutoDeleverageExecuted>());
        adl.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        var account = Account("acc-1");
        Assert.Equal([new CollateralBalance("USDT", 1_000m)], account.Balances);
        Assert.Equal([new Position(Btc, 1m, 60_000m)], account.Positions);
        Assert.Equal([new Position(Btc, -2m, 60_000m)], Account("acc-c").Positions);
    }

    /// <summary>The first round was one fill: <paramref name="counterparty"/> bought what acc-1 sold.</summary>
    private static void AssertOneFill(List<AutoDeleveraged> notices, string counterparty, decimal quantity, decimal price) =>
        Assert.Equal(
        [
            new AutoDeleveraged(Liquidation, counterparty, Btc, OrderSide.Buy, quantity, price, $"{Liquidation}:adl-1:{counterparty}"),
            new AutoDeleveraged(Liquidation, "acc-1", Btc, OrderSide.Sell, quantity, price, $"{Liquidation}:adl-1:{counterparty}:bankrupt"),
        ], notices);

    /// <summary>A probe of the auto-deleverage notices alone (a counterparty left with little equity may be liquidated itself).</summary>
    /// <summary>
    /// acc-1 is bankrupt at 58,000 (-1,000) with the fund empty; acc-c, short 2 at 60,000, can take its long. The round's
    /// first two collections hear from no account (lost on the way, as a cluster's view query on a loaded machine): every
    /// position has an opposite side, so that is a lost collection, not a venue without counterparties. Collected again,
    /// acc-c takes the 1 at 59,000, and no order goes to the book. Before, the round stalled at once and sent the bankrupt
    /// account to the book at the band.
    /// </summary>
    [Fact]
    public void A_round_that_hears_from_no_account_collects_again_instead_of_sending_the_bankrupt_account_to_the_book()
    {
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new DeafRegion(Region, 2))));
        var lost = CreateTestProbe();
        Sys.EventStream.Subscribe(lost.Ref, typeof(DeafRegion.Lost));
        var orders = CreateTestProbe();
        Sys.EventStream.Subscribe(orders.Ref, typeof(LiquidationOrderIssued));
        var adl = AdlProbe();
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");

        MoveBtc(58_000m);
        var notices = AdlNoticesUntil(adl, heard => heard.Count == 2);

        AssertNotices(Acc1SoldAt59000(("acc-c", 1m)), notices);
        Assert.Equal(new DeafRegion.Lost(2), lost.FishForMessage<DeafRegion.Lost>(l => l.Count == 2));
        orders.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.DoesNotContain(History(Liquidation).Steps, s => s is LiquidationStalled);
    }

    /// <summary>
    /// acc-b with <paramref name="usdt"/>, short <paramref name="btc"/> BTC at 60,000 and long <paramref name="eth"/>
    /// ETHUSDT at 3,000; acc-c; then acc-1, long.
    /// </summary>
    private void OpenCounterparties(decimal usdt, decimal btc, decimal eth = 20m)
    {
        OpenShort("acc-b", usdt, btc, 60_000m);
        Trade("acc-b", OrderSide.Buy, eth, 3_000m, symbol: TestMarket.EthUsdt);
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");
    }

    /// <summary>
    /// acc-1's deficit went to the empty fund; its round's views are then collected, on the stopped clock, until the
    /// window's timer fires. Waits until the system is idle: the pricing view and the collector's broadcast are done.
    /// </summary>
    private void AwaitRoundUnderWay()
    {
        AwaitAssert(() => Assert.IsType<LiquidationCoverReceived>(History(Liquidation).Steps[^1]), TimeSpan.FromSeconds(10));
        AwaitIdle();
    }
}
