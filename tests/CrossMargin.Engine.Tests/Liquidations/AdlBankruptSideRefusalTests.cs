using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Persistence.Journal;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// The bankrupt account refuses its side of an auto-deleverage fill for a reason other than a position the venue traded
/// in the round trip: its instrument expired and the account was settled for it, or it is no longer listed, or its tick or
/// lot changed on the account's node, or the side's sequence was refused. The counterparty applied its own side first, so
/// left standing the books no longer net. Its side is reversed, whatever the reason, and since such a refusal would recur
/// the liquidation does not price another round in that instrument (each would move and reverse another counterparty)
/// until an operator resumes the instrument.
/// </summary>
public sealed class AdlBankruptSideRefusalTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";

    /// <summary>
    /// acc-1: 1,000 USDT, long 1 BTCUSDT at 60,000; acc-b: 10,000 USDT, short 2 at 60,000; the fund is empty. The two hold
    /// 1 - 2 = -1 BTCUSDT between them. BTC at 58,000: acc-1's equity 1,000 - 2,000 = -1,000, bankruptcy price 58,000 +
    /// 1,000 / 1 = 59,000. Round 1: acc-b buys 1 at 59,000 (short 1 at 60,000, 10,000 + 1,000 = 11,000 USDT); acc-1's
    /// side, sell 1, is refused with <paramref name="code"/>, and every later one would be too. Before, acc-b's side stood
    /// and round 2 bought acc-b's last 1 as well: acc-b flat, acc-1 still long 1, 1 + 0 = +1 between them, 2 BTCUSDT out of
    /// nowhere. Now acc-b's buy is reversed (it sells 1 at 59,000: short 2 at (60,000 + 59,000) / 2 = 59,500, still 11,000
    /// USDT; its equity at 58,000, 11,000 + 2 x 1,500 = 14,000, is what it was, 10,000 + 2 x 2,000), the two hold -1
    /// again, and the liquidation stalls with the reason instead of pricing round 2, however long it waits.
    /// </summary>
    [Theory]
    [InlineData(RejectionCode.InstrumentExpired)]
    [InlineData(RejectionCode.UnknownInstrument)]
    [InlineData(RejectionCode.PriceOffTick)]
    [InlineData(RejectionCode.QuantityOffLot)]
    [InlineData(RejectionCode.OutOfOrder)]
    [InlineData(RejectionCode.SequenceJump)]
    [InlineData(RejectionCode.InvalidMessage)]
    [InlineData(RejectionCode.Overflow)]
    public void A_bankrupt_side_refused_for_any_reason_reverses_the_counterpartys_side_and_never_loops(RejectionCode code)
    {
        var adl = StartRefusing(code);
        Assert.Equal(-1m, HeldBetweenThem());

        MoveBtc(58_000m);
        var notices = AdlNoticesUntil(adl, heard => heard.Count >= 2);
        Assert.Equal(
        [
            new AutoDeleveraged(Liquidation, "acc-b", Btc, OrderSide.Buy, 1m, 59_000m, $"{Liquidation}:adl-1:acc-b"),
            new AutoDeleveraged(Liquidation, "acc-b", Btc, OrderSide.Sell, 1m, 59_000m, $"{Liquidation}:adl-1:acc-b:reversed"),
        ], notices);

        // Half an hour: the book is tried meanwhile (its orders expire unreported after the ten-minute order timeout) and
        // the stalled backstop again and again, pricing no round.
        AdvanceFor(TimeSpan.FromMinutes(30));
        Assert.Equal(0, adl.QueuedCount);
        Assert.Equal(-1m, HeldBetweenThem());
        AssertBothAsBeforeTheRound();
        var steps = History(Liquidation).Steps;
        Assert.Single(steps.OfType<AutoDeleverageExecuted>());
        var refused = Assert.Single(steps.OfType<AutoDeleverageBankruptSideRefused>());
        Assert.Equal(("acc-b", code, (long?)2), (refused.CounterpartyId, refused.Code, refused.ReversalSequence));
        var stalls = steps.OfType<LiquidationStalled>().ToList();
        Assert.NotEmpty(stalls);
        Assert.All(stalls, s => Assert.Contains(code.ToString(), s.Reason, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// As above, but refused <see cref="RejectionCode.IdReused"/>: the account applied something under the side's id
    /// already, so the side may be in its books and a reversal could undo the one side that nets. acc-b's side stands
    /// (short 1 at 60,000, 11,000 USDT), no reversal is sent, and no second round is priced in BTCUSDT: an operator
    /// compares the two accounts' journals.
    /// </summary>
    [Fact]
    public void A_bankrupt_side_refused_as_an_id_already_applied_leaves_the_counterpartys_side_and_never_loops()
    {
        var adl = StartRefusing(RejectionCode.IdReused);

        MoveBtc(58_000m);
        var notices = AdlNoticesUntil(adl, heard => heard.Count >= 1);
        AdvanceFor(TimeSpan.FromMinutes(30));

        Assert.Equal([new AutoDeleveraged(Liquidation, "acc-b", Btc, OrderSide.Buy, 1m, 59_000m, $"{Liquidation}:adl-1:acc-b")], notices);
        Assert.Equal(0, adl.QueuedCount);
        Assert.Equal([new Position(Btc, -1m, 60_000m)], Account("acc-b").Positions);
        Assert.Equal([new CollateralBalance("USDT", 11_000m)], Account("acc-b").Balances);
        var steps = History(Liquidation).Steps;
        Assert.Single(steps.OfType<AutoDeleverageExecuted>());
        Assert.Null(Assert.Single(steps.OfType<AutoDeleverageBankruptSideRefused>()).ReversalSequence);
        Assert.Contains(steps.OfType<LiquidationStalled>(), s => s.Reason.Contains(nameof(RejectionCode.IdReused), StringComparison.Ordinal));
    }

    /// <summary>
    /// As above, refused <see cref="RejectionCode.InstrumentExpired"/> once. The hold outlives a restart of the coordinator
    /// (it is read from the journaled refusal: no round 2 after it either). The operator resumes BTCUSDT and round 2 is
    /// priced as round 1 was: acc-b buys 1 at 59,000 (short 1 at 59,500, 11,000 + 500 = 11,500 USDT) and acc-1 sells 1
    /// there: flat, 1,000 - 1,000 = 0 USDT. The two hold 0 - 1 = -1, as before.
    /// </summary>
    [Fact]
    public void An_operators_resume_of_the_instrument_lets_a_held_liquidation_deleverage_again()
    {
        var adl = StartRefusing(RejectionCode.InstrumentExpired, times: 1);
        MoveBtc(58_000m);
        var notices = AdlNoticesUntil(adl, heard => heard.Count >= 2);
        AdvanceFor(TimeSpan.FromMinutes(1));

        RestartCoordinator(Sys.ActorOf(Props.Create(() => new BankruptSideRefusingRegion(Region, RejectionCode.InstrumentExpired, 0))));
        AdvanceFor(TimeSpan.FromMinutes(30));
        Assert.Equal(0, adl.QueuedCount);
        Assert.Single(History(Liquidation).Steps.OfType<AutoDeleverageExecuted>());
        AssertBothAsBeforeTheRound();

        Coordinator.Tell(new ResumeLiquidation(Btc), TestActor);
        ExpectMsg<HaltedInstruments>();
        // At once, or once the book's orders out at the resume are reported or expire (ten minutes).
        AdvanceUntil(() => adl.QueuedCount >= 2, TimeSpan.FromSeconds(5), steps: 2_000);
        notices.AddRange(AdlNoticesUntil(adl, heard => heard.Any(n => n.AccountId == "acc-1")));

        Assert.Equal(
        [
            new AutoDeleveraged(Liquidation, "acc-b", Btc, OrderSide.Buy, 1m, 59_000m, $"{Liquidation}:adl-1:acc-b"),
            new AutoDeleveraged(Liquidation, "acc-b", Btc, OrderSide.Sell, 1m, 59_000m, $"{Liquidation}:adl-1:acc-b:reversed"),
            new AutoDeleveraged(Liquidation, "acc-b", Btc, OrderSide.Buy, 1m, 59_000m, $"{Liquidation}:adl-2:acc-b"),
            new AutoDeleveraged(Liquidation, "acc-1", Btc, OrderSide.Sell, 1m, 59_000m, $"{Liquidation}:adl-2:acc-b:bankrupt"),
        ], notices);
        AwaitAssert(() => Assert.Empty(Account("acc-1").Positions));
        Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
        Assert.Equal([new Position(Btc, -1m, 59_500m)], Account("acc-b").Positions);
        Assert.Equal([new CollateralBalance("USDT", 11_500m)], Account("acc-b").Balances);
        Assert.Equal(-1m, HeldBetweenThem());
    }

    /// <summary>
    /// The refusal as an account makes it, for a reason that would recur: acc-1 (1,000 USDT) is long 1 March future at
    /// 60,300 and acc-b (10,000 USDT) short 2 at 60,300. BTC at 58,000, the future marked at its forward 58,000 x 1.005
    /// = 58,290: acc-1's equity 1,000 + 58,290 - 60,300 = -1,010, bankruptcy price 58,290 + 1,010 = 59,300. Round 1:
    /// acc-b buys 1 at 59,300 (short 1 at 60,300, 10,000 + 1,000 = 11,000 USDT). Just before acc-1's side arrives the
    /// contract expires and the venue settles acc-1 at 58,000 (long 1 closed: 1,000 - 2,300 = -1,300 USDT); its side,
    /// executed before the expiry, is refused instrumentExpired, as a fill arriving after the account's settlement would be.
    /// Before, acc-b's side stood: acc-b short 1, having bought 1 that acc-1 never sold it (the venue settled acc-1's long
    /// in full). Now acc-b's buy is reversed: it sells 1 at 59,300, short 2 at (60,300 + 59,300) / 2 = 59,800 with 11,000
    /// USDT (equity at 58,000, 11,000 + 2 x 1,800 = 14,600, what it was: 10,000 + 2 x 2,300), awaiting its own settlement
    /// like any holder. Nothing
    /// else is deleveraged: acc-1, holding nothing, ends bankrupt with 1,300 USD uncovered (the fund is empty).
    /// </summary>
    [Fact]
    public void A_bankrupt_side_refused_because_the_account_was_settled_for_the_expired_contract_first_reverses_the_counterpartys_side()
    {
        var settle = new SettleExpiry("settle-acc-1", Venue, 3, TestMarket.BtcMarchFuture, 58_000m);
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new RacingRegion(Region, $"{Liquidation}:adl-1:acc-b:bankrupt", settle,
            () => Market.Publish(ExpiredMarch(58_000m))))));
        var adl = AdlProbe();
        Deposit("acc-b", 10_000m);
        Trade("acc-b", OrderSide.Sell, 2m, 60_300m, symbol: TestMarket.BtcMarchFuture);
        Deposit("acc-1", 1_000m);
        Trade("acc-1", OrderSide.Buy, 1m, 60_300m, symbol: TestMarket.BtcMarchFuture);

        MoveBtc(58_000m);
        var notices = AdlNoticesUntil(adl, heard => heard.Count >= 2);
        AwaitCompleted(Liquidation);

        Assert.Equal(
        [
            new AutoDeleveraged(Liquidation, "acc-b", TestMarket.BtcMarchFuture, OrderSide.Buy, 1m, 59_300m, $"{Liquidation}:adl-1:acc-b"),
            new AutoDeleveraged(Liquidation, "acc-b", TestMarket.BtcMarchFuture, OrderSide.Sell, 1m, 59_300m, $"{Liquidation}:adl-1:acc-b:reversed"),
        ], notices);
        Assert.Equal(0, adl.QueuedCount);
        Assert.Empty(Account("acc-1").Positions);
        Assert.Equal([new CollateralBalance("USDT", -1_300m)], Account("acc-1").Balances);
        Assert.Equal([new Position(TestMarket.BtcMarchFuture, -2m, 59_800m)], Account("acc-b").Positions);
        Assert.Equal([new CollateralBalance("USDT", 11_000m)], Account("acc-b").Balances);
        var refused = Assert.Single(History(Liquidation).Steps.OfType<AutoDeleverageBankruptSideRefused>());
        Assert.Equal(RejectionCode.InstrumentExpired, refused.Code);
        Assert.Single(History(Liquidation).Steps.OfType<AutoDeleverageExecuted>());
    }

    /// <summary>
    /// Two liquidations hold BTCUSDT: acc-1 and acc-2 (each 1,000 USDT, long 1 at 60,000; BTC at 58,000: equity -1,000,
    /// bankruptcy price 59,000) each see their side of round 1 refused (acc-b, short 3 at 60,000 with 20,000 USDT, buys 1
    /// at 59,000 and sells it back, twice). The operator releases acc-1's liquidation alone: its round 2 goes through
    /// (acc-b buys 1 at 59,000, acc-1 sells it: flat, 1,000 - 1,000 = 0 USDT), while acc-2's, whose refusal nobody has put
    /// right, stays held for half an hour (one round, acc-2 still long 1 at 60,000 with 1,000 USDT; acc-b short 2). The
    /// three hold 0 + 1 - 2 = -1 BTCUSDT, as at the start (1 + 1 - 3). A release of a liquidation that does not hold the
    /// instrument is refused. Before, the only release was the instrument's, which let acc-2's liquidation price round 2 too.
    /// </summary>
    [Fact]
    public void An_operator_releases_one_liquidations_hold_of_an_instrument_and_the_others_stay_held()
    {
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new BankruptSideRefusingRegion(Region, RejectionCode.InstrumentExpired, 2))));
        var adl = AdlProbe();
        OpenShort("acc-b", 20_000m, 3m, 60_000m);
        OpenLong("acc-1");
        OpenLong("acc-2");
        MoveBtc(58_000m);
        AdlNoticesUntil(adl, heard => heard.Count >= 4);
        AdvanceFor(TimeSpan.FromMinutes(1));
        Assert.Single(History(Liquidation).Steps.OfType<AutoDeleverageExecuted>());
        Assert.Single(History("liq-acc-2-1").Steps.OfType<AutoDeleverageExecuted>());

        Coordinator.Tell(new ResumeLiquidation(Btc, Liquidation), TestActor);
        Assert.Empty(ExpectMsg<HaltedInstruments>().Symbols);
        AdvanceUntil(() => adl.QueuedCount >= 2, TimeSpan.FromSeconds(5), steps: 2_000);
        var notices = AdlNoticesUntil(adl, heard => heard.Any(n => n.AccountId == "acc-1"));
        Assert.Equal(
        [
            new AutoDeleveraged(Liquidation, "acc-b", Btc, OrderSide.Buy, 1m, 59_000m, $"{Liquidation}:adl-2:acc-b"),
            new AutoDeleveraged(Liquidation, "acc-1", Btc, OrderSide.Sell, 1m, 59_000m, $"{Liquidation}:adl-2:acc-b:bankrupt"),
        ], notices);
        AdvanceFor(TimeSpan.FromMinutes(30));

        AwaitAssert(() => Assert.Empty(Account("acc-1").Positions));
        Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
        Assert.Equal([new Position(Btc, 1m, 60_000m)], Account("acc-2").Positions);
        Assert.Equal([new CollateralBalance("USDT", 1_000m)], Account("acc-2").Balances);
        Assert.Equal(-2m, Assert.Single(Account("acc-b").Positions).Quantity);
        Assert.Single(History("liq-acc-2-1").Steps.OfType<AutoDeleverageExecuted>());
        Assert.Equal(0, adl.QueuedCount);

        Coordinator.Tell(new ResumeLiquidation(Btc, Liquidation), TestActor);
        Assert.Contains("holds BTCUSDT", ExpectMsg<Status.Failure>().Cause.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A journal written before session 29 (no reversals): acc-1 (1,000 USDT, long 1 at 60,000; BTC at 58,000, the fund
    /// empty) sold 0.5 to acc-c (100,000 USDT, short 2 at 60,000) at 59,000 in round 1, its side refused invalidMessage
    /// and acc-c's left standing; round 2, the same, went through. Replayed, the refusal held BTCUSDT for the liquidation
    /// though round 2 shows it did not recur: the liquidation stalled, acc-1 long 0.5 with 500 USDT (equity -500) for
    /// good. Now a later round in the instrument lifts the hold: round 3 sells acc-1's last 0.5 to acc-c at 58,000 + 500 /
    /// 0.5 = 59,000 (acc-1 flat at 0 USDT; acc-c short 0.5, 100,000 + 3 x 500 = 101,500 USDT). Round 1's standing side is
    /// listed unbalanced (acc-1 and acc-c hold -0.5 between them where they held -1), and the operator's rebooking of its
    /// reversal as a trade books acc-c's sell of 0.5 at 59,000: short 1 at 59,500, 101,500 USDT; equity at 58,000 103,000,
    /// as without round 1 (101,000 + 1 x 2,000).
    /// </summary>
    [Fact]
    public void A_refusal_in_a_journal_from_before_reversals_holds_the_instrument_only_until_a_later_round_went_through_and_lists_its_side_unbalanced()
    {
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");
        var time = Clock.GetUtcNow();
        ILiquidationEvent[] journal =
        [
            new LiquidationStarted(Liquidation, "acc-1", MarginStatus.Bankrupt, -1_000m, 240m, 1, time),
            new AutoDeleverageExecuted(Liquidation, 1, "acc-1", Btc, 59_000m, [new AdlExecution("acc-c", OrderSide.Buy, 0.5m, 59_000m, 1m, 1, 1, -2m, 1m)], time),
            new AutoDeleverageBankruptSideRefused(Liquidation, 1, "acc-c", RejectionCode.InvalidMessage, "refused by an older node", time),
            new AutoDeleverageExecuted(Liquidation, 2, "acc-1", Btc, 59_000m, [new AdlExecution("acc-c", OrderSide.Buy, 0.5m, 59_000m, 1m, 2, 2, -1.5m, 1m)], time),
        ];
        RestartCoordinator(whileStopped: () =>
        {
            MoveBtc(58_000m);
            Services.Journal.WriteMessagesAsync(
            [
                new AtomicWrite(LiquidationCoordinator.Id, 1, "old-node", journal.Select(e => new EventData(Registry.Serialize(e))).ToArray()),
            ]).GetAwaiter().GetResult();
        });

        AdvanceUntil(() => History(Liquidation).Steps.OfType<AutoDeleverageExecuted>().Count() >= 3 || History(Liquidation).Status == LiquidationStatus.Completed,
            TimeSpan.FromSeconds(5), steps: 2_000);
        AwaitAssert(() => Assert.Empty(Account("acc-1").Positions));
        Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
        Assert.Equal([new Position(Btc, -0.5m, 60_000m)], Account("acc-c").Positions);
        Assert.Equal([new CollateralBalance("USDT", 101_500m)], Account("acc-c").Balances);
        Coordinator.Tell(GetUnbalancedAdl.Instance, TestActor);
        var unbalanced = Assert.Single(ExpectMsg<UnbalancedAdlFills>().Fills);
        Assert.Equal((1, "acc-c", OrderSide.Buy, 0.5m, 59_000m, RejectionCode.InvalidMessage, UnbalancedAdlStatus.Unbalanced),
            (unbalanced.Round, unbalanced.CounterpartyId, unbalanced.Side, unbalanced.Quantity, unbalanced.Price, unbalanced.Code, unbalanced.Status));

        // Rebooked once the liquidation has completed (a running one refuses it).
        AwaitCompleted(Liquidation);
        Coordinator.Tell(new RebookAdlReversal(Liquidation, 1, "acc-c"), TestActor);
        ExpectMsg<UnbalancedAdlFills>();
        AwaitAssert(() => Assert.Equal([new Position(Btc, -1m, 59_500m)], Account("acc-c").Positions));
        Assert.Equal([new CollateralBalance("USDT", 101_500m)], Account("acc-c").Balances);
    }

    /// <summary>
    /// acc-c's side of round 1 stands unbalanced (its bankrupt side and its reversal refused) while acc-1's liquidation is
    /// still running: here it waits for views the accounts never give. A rebooking now is refused, saying to rebook once the
    /// liquidation has completed: a running liquidation re-sends what it awaits as its own sides (a rebooking awaited then
    /// went out as the counterparty's original side, its answer never matched, and that account's later auto-deleverage
    /// messages held behind it), and a restart re-sends only what a completed one journaled after its end. Before, the
    /// rebooking was taken (listed <c>rebooking</c>).
    /// </summary>
    [Fact]
    public void A_rebooking_while_its_liquidation_is_still_running_is_refused_until_it_has_completed()
    {
        var time = Clock.GetUtcNow();
        ILiquidationEvent[] journal =
        [
            new LiquidationStarted(Liquidation, "acc-1", MarginStatus.Bankrupt, -1_000m, 240m, 1, time),
            new AutoDeleverageExecuted(Liquidation, 1, "acc-1", Btc, 59_000m, [new AdlExecution("acc-c", OrderSide.Buy, 0.5m, 59_000m, 1m, 1, 1, -2m, 1m)], time),
            new AutoDeleverageBankruptSideRefused(Liquidation, 1, "acc-c", RejectionCode.InvalidMessage, "refused", time, ReversalSequence: 2),
            new AutoDeleverageReversalRefused(Liquidation, 1, "acc-c", RejectionCode.InvalidMessage, "refused", time),
        ];
        RestartOnJournal(CreateTestProbe().Ref, journal);

        Coordinator.Tell(new RebookAdlReversal(Liquidation, 1, "acc-c"), TestActor);

        var refused = ExpectMsg<AdlRebookRefused>();
        Assert.Equal($"Liquidation {Liquidation} is still running; rebook its unbalanced fills once it has completed.", refused.Reason);
        Coordinator.Tell(GetUnbalancedAdl.Instance, TestActor);
        Assert.Equal(UnbalancedAdlStatus.Unbalanced, Assert.Single(ExpectMsg<UnbalancedAdlFills>().Fills).Status);
    }

    /// <summary>
    /// acc-1's first liquidation held BTCUSDT (acc-1 refused its side of round 1, instrumentExpired) and completed with
    /// the hold still recorded; acc-1 is now in a second liquidation that holds BTCUSDT for the same reason. A release
    /// named for the first is refused, and nothing is journaled: it holds nothing any more. Before, the release checked
    /// only that acc-1 had some active liquidation, so it was taken and journaled as a release of the first (which no
    /// active liquidation is), releasing nothing while the history read as if one had been let trade. The release named
    /// for the second, which does hold it, is taken, once.
    /// </summary>
    [Fact]
    public void A_release_of_a_completed_liquidations_hold_is_refused_though_its_account_is_in_a_newer_liquidation_that_holds_the_instrument()
    {
        const string second = "liq-acc-1-2";
        var time = Clock.GetUtcNow();
        ILiquidationEvent[] journal =
        [
            new LiquidationStarted(Liquidation, "acc-1", MarginStatus.Bankrupt, -1_000m, 240m, 1, time),
            new AutoDeleverageExecuted(Liquidation, 1, "acc-1", Btc, 59_000m, [new AdlExecution("acc-c", OrderSide.Buy, 0.5m, 59_000m, 1m, 1, 1, -2m, 1m)], time),
            new AutoDeleverageBankruptSideRefused(Liquidation, 1, "acc-c", RejectionCode.InstrumentExpired, "refused", time),
            new LiquidationCompleted(Liquidation, "account back to Healthy", time),
            new LiquidationStarted(second, "acc-1", MarginStatus.Bankrupt, -500m, 120m, 2, time),
            new AutoDeleverageExecuted(second, 1, "acc-1", Btc, 59_000m, [new AdlExecution("acc-c", OrderSide.Buy, 0.5m, 59_000m, 1m, 2, 2, -1.5m, 0.5m)], time),
            new AutoDeleverageBankruptSideRefused(second, 1, "acc-c", RejectionCode.InstrumentExpired, "refused", time),
        ];
        RestartCoordinator(CreateTestProbe().Ref, whileStopped: () => Services.Journal.WriteMessagesAsync(
            [
                new AtomicWrite(LiquidationCoordinator.Id, 1, "test", journal.Select(e => new EventData(Registry.Serialize(e))).ToArray()),
            ]).GetAwaiter().GetResult());
        Assert.Equal(LiquidationStatus.Completed, History(Liquidation).Status);
        var journaled = Journaled();

        Coordinator.Tell(new ResumeLiquidation(Btc, Liquidation), TestActor);

        Assert.Equal($"No active liquidation {Liquidation} holds {Btc}.", ExpectMsg<Status.Failure>().Cause.Message);
        Assert.Equal(journaled, Journaled());
        Coordinator.Tell(new ResumeLiquidation(Btc, second), TestActor);
        Assert.Empty(ExpectMsg<HaltedInstruments>().Symbols);
        Coordinator.Tell(new ResumeLiquidation(Btc, second), TestActor);
        Assert.Equal($"No active liquidation {second} holds {Btc}.", ExpectMsg<Status.Failure>().Cause.Message);
    }

    /// <summary>The coordinator's highest journaled sequence number.</summary>
    private long Journaled() => Services.Journal.ReadHighestSequenceNrAsync(LiquidationCoordinator.Id).GetAwaiter().GetResult();

    /// <summary>
    /// acc-c's side of round 1 (a buy of 0.5 BTCUSDT at 59,000) stands because acc-1 refused its own side as an id already
    /// applied (IdReused): acc-1 may hold that side already, and then the pair nets and a reversal of acc-c's side would
    /// unbalance it by 0.5 BTCUSDT and 0.5 x 59,000 = 29,500 USDT. The liquidation has completed. The fill is listed
    /// unverified (after the restart that read it from the journal too). A rebooking without confirmation is refused,
    /// saying why and what to check (acc-1's journal for the side's id), and nothing goes to acc-c; before, it was taken at
    /// once (listed <c>rebooking</c>) and acc-c was sent the sell of 0.5 at 59,000. Confirmed, it is sent as the reversal's
    /// trade under its own id. A standing side of another code (a journal from before reversals) is not unverified: see
    /// the test above, which rebooks one without confirmation.
    /// </summary>
    [Fact]
    public void A_side_standing_because_its_bankrupt_side_was_an_id_already_applied_is_listed_unverified_and_rebooked_only_when_confirmed()
    {
        var time = Clock.GetUtcNow();
        var accounts = CreateTestProbe();
        RestartOnJournal(
            accounts.Ref,
            new LiquidationStarted(Liquidation, "acc-1", MarginStatus.Bankrupt, -1_000m, 240m, 1, time),
            new AutoDeleverageExecuted(Liquidation, 1, "acc-1", Btc, 59_000m, [new AdlExecution("acc-c", OrderSide.Buy, 0.5m, 59_000m, 1m, 1, 1, -2m, 1m)], time),
            new AutoDeleverageBankruptSideRefused(Liquidation, 1, "acc-c", RejectionCode.IdReused, "applied under other content", time),
            new LiquidationCompleted(Liquidation, "closed", time));

        Coordinator.Tell(GetUnbalancedAdl.Instance, TestActor);
        var listed = Assert.Single(ExpectMsg<UnbalancedAdlFills>().Fills);
        Coordinator.Tell(new RebookAdlReversal(Liquidation, 1, "acc-c"), TestActor);
        var refused = ExpectMsg<AdlRebookRefused>();
        accounts.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Coordinator.Tell(GetUnbalancedAdl.Instance, TestActor);
        var afterRefusal = Assert.Single(ExpectMsg<UnbalancedAdlFills>().Fills);
        Coordinator.Tell(new RebookAdlReversal(Liquidation, 1, "acc-c", ConfirmUnverified: true), TestActor);
        var confirmed = Assert.Single(ExpectMsg<UnbalancedAdlFills>().Fills);
        var sent = accounts.ExpectMsg<ShardEnvelope>();

        Assert.Equal((RejectionCode.IdReused, UnbalancedAdlStatus.Unbalanced, true, 0), (listed.Code, listed.Status, listed.Unverified, listed.Attempts));
        Assert.Equal(
            $"The bankrupt side of acc-c's fill in round 1 of {Liquidation} was refused as an id already applied (idReused): acc-1 may hold it already "
            + $"(message {Liquidation}:adl-1:acc-c:bankrupt), and then the pair nets and a rebooking would unbalance it. Check acc-1's journal for that id; "
            + $"rebook with confirmUnverified (cm liquidations rebook {Liquidation} 1 acc-c --confirm-unverified) only if it is not booked; the same confirmation vouches for a settlement price given with it.",
            refused.Reason);
        Assert.Equal((UnbalancedAdlStatus.Unbalanced, 0), (afterRefusal.Status, afterRefusal.Attempts));
        Assert.Equal((UnbalancedAdlStatus.Rebooking, 1, true), (confirmed.Status, confirmed.Attempts, confirmed.Unverified));
        var id = $"{Liquidation}:adl-1:acc-c:reversed:rebooked-1";
        Assert.Equal("acc-c", sent.EntityId);
        var rebooking = Assert.IsType<ApplyExecution>(sent.Message);
        Assert.Equal((id, LiquidationCoordinator.AdlSource, Btc, OrderSide.Sell, 0.5m, 59_000m, (decimal?)null),
            (rebooking.MessageId, rebooking.Source, rebooking.Symbol, rebooking.Side, rebooking.Quantity, rebooking.Price, rebooking.SettlementPrice));
    }

    /// <summary>Restarts the coordinator behind a region that refuses the bankrupt sides with <paramref name="code"/>, opens both accounts and returns a probe of the ADL notices.</summary>
    private TestProbe StartRefusing(RejectionCode code, int times = int.MaxValue)
    {
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new BankruptSideRefusingRegion(Region, code, times))));
        var adl = AdlProbe();
        OpenShort("acc-b", 10_000m, 2m, 60_000m);
        OpenLong("acc-1");
        return adl;
    }

    /// <summary>Advances the manual clock by <paramref name="span"/>, in steps of at most 5 s, each acted on to the end.</summary>
    private void AdvanceFor(TimeSpan span)
    {
        var end = Clock.GetUtcNow() + span;
        AdvanceUntil(() => Clock.GetUtcNow() >= end, TimeSpan.FromSeconds(5), steps: 5_000);
    }

    /// <summary>acc-1 and acc-b's positions in BTCUSDT summed: what one holds long the other must hold short, whatever auto-deleveraging moves.</summary>
    private decimal HeldBetweenThem() => new[] { "acc-1", "acc-b" }.SelectMany(a => Account(a).Positions).Where(p => p.Symbol == Btc).Sum(p => p.Quantity);

    /// <summary>acc-1 long 1 at 60,000 with 1,000 USDT; acc-b short 2 at 59,500 with 11,000 USDT (the summary above).</summary>
    private void AssertBothAsBeforeTheRound()
    {
        Assert.Equal([new Position(Btc, 1m, 60_000m)], Account("acc-1").Positions);
        Assert.Equal([new CollateralBalance("USDT", 1_000m)], Account("acc-1").Balances);
        Assert.Equal([new Position(Btc, -2m, 59_500m)], Account("acc-b").Positions);
        Assert.Equal([new CollateralBalance("USDT", 11_000m)], Account("acc-b").Balances);
    }
}
