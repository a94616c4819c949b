using System.Diagnostics.Metrics;
using CrossMargin.Actors;
using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Tests.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// The counterparty refuses the reversal of its auto-deleverage side for the reason the bankrupt account refused the
/// side (the contract expired and the venue settled both accounts between the two): its side stands with nothing
/// against it, and over the pair the fill moves quantity and cash one way. The fill is journaled unbalanced, counted,
/// listed for the operator, and booked by the operator's rebooking of the reversal, here in its settled form. Runs alone
/// (<see cref="EngineMetricsRunAlone"/>): it counts a process-wide metric.
/// </summary>
[Collection(EngineMetricsRunAlone.Name)]
public sealed class AdlUnbalancedTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";
    private const string March = TestMarket.BtcMarchFuture;

    /// <summary>
    /// acc-1 (1,000 USDT) long 1 March future at 60,300, acc-b (10,000 USDT) short 2 at 60,300. BTC at 58,000, the future
    /// marked at 58,290: acc-1's equity -1,010, bankruptcy price 59,300. Round 1: acc-b buys 1 at 59,300 (short 1 at 60,300,
    /// 11,000 USDT). The contract expires at 58,000: the venue settles acc-1 (1,000 - 2,300 = -1,300 USDT) just before its
    /// side, refused instrumentExpired, then acc-b (short 1: 11,000 + 2,300 = 13,300 USDT) just before its reversal, refused
    /// instrumentExpired too. Had nobody been deleveraged, the venue would have paid acc-b 2 x 2,300: 14,600 USDT; acc-1
    /// ends at -1,300 either way. Over the pair the fill took 59,300 - 58,000 = 1,300 USDT from acc-b and gave it to nobody.
    /// Before: only an error in the log (no event, no metric, nothing the operator could list), and a restart sent the
    /// reversal again to be refused again. Now it is journaled, counted, listed (round 1, acc-b's buy of 1 at 59,300 with
    /// the reason), survives a restart, and the operator's rebooking in its settled form at 58,000 books acc-b's sell of 1
    /// at 59,300 settled at 58,000: 13,300 + 1,300 = 14,600 USDT, flat. The pair: -1,300 + 14,600 = 13,300 = 11,000 USDT
    /// deposited + acc-1's -2,300 + acc-b's 2 x 2,300 at the settlement: the fill nets to zero quantity and zero cash.
    /// </summary>
    [Fact]
    public void A_reversal_refused_because_the_counterparty_was_settled_too_is_listed_unbalanced_until_rebooked_in_its_settled_form()
    {
        var counted = CountUnbalanced(out var listener);
        using (listener)
        {
            var notices = ExpireBetweenTheSidesAndTheReversal();

            Assert.Equal([new AutoDeleveraged(Liquidation, "acc-b", March, OrderSide.Buy, 1m, 59_300m, $"{Liquidation}:adl-1:acc-b")], notices);
            Assert.Empty(Account("acc-b").Positions);
            Assert.Equal([new CollateralBalance("USDT", 13_300m)], Account("acc-b").Balances);
            var refused = Assert.Single(History(Liquidation).Steps.OfType<AutoDeleverageReversalRefused>());
            Assert.Equal((1, "acc-b", RejectionCode.InstrumentExpired, 0), (refused.Round, refused.CounterpartyId, refused.Code, refused.Attempt));
            AssertUnbalanced(UnbalancedAdlStatus.Unbalanced, attempts: 0, RejectionCode.InstrumentExpired);
            Assert.Equal(1, LiquidationCoordinator.UnbalancedOpen);
            Assert.Equal(1, Volatile.Read(ref counted[0]));

            RestartCoordinator();
            AssertUnbalanced(UnbalancedAdlStatus.Unbalanced, attempts: 0, RejectionCode.InstrumentExpired);
            Assert.Single(History(Liquidation).Steps.OfType<AutoDeleverageReversalRefused>());

            Coordinator.Tell(new RebookAdlReversal(Liquidation, 1, "acc-b", 58_000m), TestActor);
            Assert.Equal(UnbalancedAdlStatus.Rebooking, Assert.Single(ExpectMsg<UnbalancedAdlFills>().Fills).Status);
            AwaitAssert(() => Assert.Equal([new CollateralBalance("USDT", 14_600m)], Account("acc-b").Balances));
            Assert.Empty(Account("acc-b").Positions);
            Assert.Equal([new CollateralBalance("USDT", -1_300m)], Account("acc-1").Balances);
            AwaitAssert(() => AssertUnbalanced(UnbalancedAdlStatus.Booked, attempts: 1, RejectionCode.InstrumentExpired, open: 0));
            Assert.Equal(0, LiquidationCoordinator.UnbalancedOpen);
            Assert.Equal(1, Volatile.Read(ref counted[0]));
        }
    }

    /// <summary>
    /// As above, but the operator first states a settlement price of 72,000, not the venue's 58,000: acc-b refuses the
    /// rebooking (invalidPrice), which is journaled as attempt 1 (the fill is counted unbalanced once, not again), and the fill stays unbalanced
    /// at 13,300 USDT. A second rebooking while one awaits its answer, or of a fill that is not unbalanced, or at a price
    /// not positive, is refused by the coordinator. Rebooked at 58,000 (attempt 2): 14,600 USDT; booked. A restart then
    /// sends the refused attempt's void and the booked one again: acc-b answers them as duplicates, nothing moves.
    /// </summary>
    [Fact]
    public void A_rebooking_the_counterparty_refuses_is_journaled_and_the_fill_stays_unbalanced_until_one_is_booked()
    {
        var counted = CountUnbalanced(out var listener);
        using (listener)
        {
            ExpireBetweenTheSidesAndTheReversal();

            Coordinator.Tell(new RebookAdlReversal(Liquidation, 1, "acc-b", 0m), TestActor);
            Assert.Contains("positive", ExpectMsg<AdlRebookRefused>().Reason, StringComparison.Ordinal);
            Coordinator.Tell(new RebookAdlReversal(Liquidation, 2, "acc-b", 58_000m), TestActor);
            Assert.Contains("No unbalanced", ExpectMsg<AdlRebookRefused>().Reason, StringComparison.Ordinal);

            Coordinator.Tell(new RebookAdlReversal(Liquidation, 1, "acc-b", 72_000m), TestActor);
            ExpectMsg<UnbalancedAdlFills>();
            AwaitAssert(() => AssertUnbalanced(UnbalancedAdlStatus.Unbalanced, attempts: 1, RejectionCode.InvalidPrice));
            Assert.Equal([new CollateralBalance("USDT", 13_300m)], Account("acc-b").Balances);
            Assert.Equal(1, Volatile.Read(ref counted[0]));

            Coordinator.Tell(new RebookAdlReversal(Liquidation, 1, "acc-b", 58_000m), TestActor);
            ExpectMsg<UnbalancedAdlFills>();
            AwaitAssert(() => AssertUnbalanced(UnbalancedAdlStatus.Booked, attempts: 2, RejectionCode.InvalidPrice, open: 0));
            Coordinator.Tell(new RebookAdlReversal(Liquidation, 1, "acc-b", 58_000m), TestActor);
            Assert.Contains("booked already", ExpectMsg<AdlRebookRefused>().Reason, StringComparison.Ordinal);
            Assert.Equal([new CollateralBalance("USDT", 14_600m)], Account("acc-b").Balances);

            RestartCoordinator();
            AwaitAssert(() => AssertUnbalanced(UnbalancedAdlStatus.Booked, attempts: 2, RejectionCode.InvalidPrice, open: 0));
            Assert.Equal([new CollateralBalance("USDT", 14_600m)], Account("acc-b").Balances);
            Assert.Equal([1], History(Liquidation).Steps.OfType<AutoDeleverageReversalRefused>().Where(r => r.Attempt > 0).Select(r => r.Attempt));
        }
    }

    /// <summary>
    /// The settled form books at the venue's settlement price only. acc-b's refusal of the reversal names the price the
    /// venue settled it at (58,000). The operator types 58,500 (0.9 % from the index 58,000): refused invalidPrice naming
    /// 58,000, journaled as rebooking 1, acc-b still 13,300 USDT. Before, it was booked: 59,300 - 58,500 = 800 where the
    /// settlement took 1,300, 14,100 USDT, and over the pair the fill still moved 500 USDT to nobody. With BTC at 73,000
    /// (58,000 is 20.5 % from it) the rebooking at 58,000 is booked: 14,600 USDT, the pair -1,300 + 14,600 = 13,300 as
    /// without the fill; before, it was refused as more than 20 % from the index, and no price could book it.
    /// </summary>
    [Fact]
    public void A_rebooking_in_its_settled_form_is_booked_only_at_the_price_the_venue_settled_the_counterparty_at()
    {
        ExpireBetweenTheSidesAndTheReversal();
        var refusedReversal = ListedFill().Reason;

        Coordinator.Tell(new RebookAdlReversal(Liquidation, 1, "acc-b", 58_500m), TestActor);
        ExpectMsg<UnbalancedAdlFills>();
        AwaitAssert(() => Assert.Equal(UnbalancedAdlStatus.Unbalanced, ListedFill().Status));
        Assert.Equal([new CollateralBalance("USDT", 13_300m)], Account("acc-b").Balances);
        AssertUnbalanced(UnbalancedAdlStatus.Unbalanced, attempts: 1, RejectionCode.InvalidPrice);
        Assert.Contains($"the venue settled this account for {March} at 58000; a fill in its settled form is settled at that price, not at 58500.",
            ListedFill().Reason, StringComparison.Ordinal);
        Assert.Contains("settled for it already at 58000;", refusedReversal, StringComparison.Ordinal);

        PublishMarket(ExpiredMarch(73_000m), "BTC");
        Coordinator.Tell(new RebookAdlReversal(Liquidation, 1, "acc-b", 58_000m), TestActor);
        ExpectMsg<UnbalancedAdlFills>();
        AwaitAssert(() => AssertUnbalanced(UnbalancedAdlStatus.Booked, attempts: 2, RejectionCode.InvalidPrice, open: 0));
        Assert.Equal([new CollateralBalance("USDT", 14_600m)], Account("acc-b").Balances);
        Assert.Empty(Account("acc-b").Positions);
        Assert.Equal([new CollateralBalance("USDT", -1_300m)], Account("acc-1").Balances);
    }

    /// <summary>
    /// The rebooking's success is journaled: rebooked in its settled form at 58,000 and booked by acc-b (14,600 USDT, flat),
    /// the coordinator restarts before an account answers anything (its region a probe): the fill is listed booked at once,
    /// with the settlement price and when, and the rebooking is not sent again. Before, only the request was journaled:
    /// the restarted coordinator listed it <c>rebooking</c> (open 1) and sent it again, and it read booked only once acc-b
    /// answered that as a duplicate. The history holds what was booked: acc-b's sell of 1 March future at 59,300 settled at
    /// 58,000 under <c>{side}:reversed:rebooked-1</c>; counted once (<c>crossmargin.adl.rebooked</c>), not again on the restart.
    /// </summary>
    [Fact]
    public void A_booked_rebooking_is_journaled_and_listed_booked_after_a_restart_without_being_sent_again()
    {
        var rebooked = Count("crossmargin.adl.rebooked", out var listener);
        using (listener)
        {
            ExpireBetweenTheSidesAndTheReversal();
            Coordinator.Tell(new RebookAdlReversal(Liquidation, 1, "acc-b", 58_000m), TestActor);
            ExpectMsg<UnbalancedAdlFills>();
            AwaitAssert(() => AssertUnbalanced(UnbalancedAdlStatus.Booked, attempts: 1, RejectionCode.InstrumentExpired, open: 0));
            Assert.Equal([new CollateralBalance("USDT", 14_600m)], Account("acc-b").Balances);

            var accounts = CreateTestProbe();
            RestartCoordinator(accounts.Ref);

            AssertUnbalanced(UnbalancedAdlStatus.Booked, attempts: 1, RejectionCode.InstrumentExpired, open: 0);
            Assert.Equal(0, LiquidationCoordinator.UnbalancedOpen);
            accounts.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
            var booked = Assert.Single(History(Liquidation).Steps.OfType<AutoDeleverageRebookingBooked>());
            Assert.Equal((1, "acc-b", 1, $"{Liquidation}:adl-1:acc-b:reversed:rebooked-1", March, OrderSide.Sell, 1m, 59_300m, (decimal?)58_000m),
                (booked.Round, booked.CounterpartyId, booked.Attempt, booked.MessageId, booked.Symbol, booked.Side, booked.Quantity, booked.Price, booked.SettlementPrice));
            Coordinator.Tell(GetUnbalancedAdl.Instance, TestActor);
            var listed = Assert.Single(ExpectMsg<UnbalancedAdlFills>().Fills);
            Assert.Equal(((decimal?)58_000m, (DateTimeOffset?)booked.Time), (listed.SettlementPrice, listed.BookedAt));

            RestartCoordinator();
            AssertUnbalanced(UnbalancedAdlStatus.Booked, attempts: 1, RejectionCode.InstrumentExpired, open: 0);
            Assert.Equal([new CollateralBalance("USDT", 14_600m)], Account("acc-b").Balances);
            Assert.Equal(1, Volatile.Read(ref rebooked[0]));
        }
    }

    /// <summary>
    /// <c>crossmargin.adl.unbalanced</c> counts a fill once, when it is found unbalanced, however many of its rebookings
    /// are refused: acc-b's reversal refused, 1; its rebookings at 72,000 and at 60,000 refused invalidPrice (the venue
    /// settled it at 58,000), attempts 1 and 2: still 1. Before, each refused rebooking counted the fill again: 3, for the
    /// one fill of 1 March future that moved 1,300 USDT to nobody. Booked at 58,000 (14,600 USDT): still 1.
    /// </summary>
    [Fact]
    public void A_fill_is_counted_unbalanced_once_however_many_of_its_rebookings_are_refused()
    {
        var counted = CountUnbalanced(out var listener);
        using (listener)
        {
            ExpireBetweenTheSidesAndTheReversal();
            var found = Volatile.Read(ref counted[0]);

            foreach (var (price, attempt) in new[] { (72_000m, 1), (60_000m, 2) })
            {
                Coordinator.Tell(new RebookAdlReversal(Liquidation, 1, "acc-b", price), TestActor);
                ExpectMsg<UnbalancedAdlFills>();
                AwaitAssert(() => AssertUnbalanced(UnbalancedAdlStatus.Unbalanced, attempt, RejectionCode.InvalidPrice));
            }

            var afterRefusals = Volatile.Read(ref counted[0]);
            Coordinator.Tell(new RebookAdlReversal(Liquidation, 1, "acc-b", 58_000m), TestActor);
            ExpectMsg<UnbalancedAdlFills>();
            AwaitAssert(() => AssertUnbalanced(UnbalancedAdlStatus.Booked, attempts: 3, RejectionCode.InvalidPrice, open: 0));

            Assert.Equal((1L, 1L, 1L), (found, afterRefusals, Volatile.Read(ref counted[0])));
            Assert.Equal([new CollateralBalance("USDT", 14_600m)], Account("acc-b").Balances);
        }
    }

    /// <summary>
    /// The operator's confirmation of a settlement price the counterparty cannot check (settled before prices were kept,
    /// see <c>SettledFormFallbackTests</c>) goes to the account on the settled form, and is journaled with the rebooking: a
    /// restart before the answer sends it again, still confirmed. acc-b's buy of 1 March future at 59,300 stands (its
    /// reversal refused instrumentExpired), the liquidation completed; rebooked at 58,000 confirmed, acc-b is sent a sell
    /// of 1 at 59,300 settled at 58,000 with the confirmation, before and after the restart. Before, no confirmation could
    /// be given: the account took any price within 20 % of the index.
    /// </summary>
    [Fact]
    public void A_confirmed_settlement_price_goes_to_the_counterparty_with_its_settled_form_and_again_after_a_restart()
    {
        var time = Clock.GetUtcNow();
        var accounts = CreateTestProbe();
        RestartOnJournal(
            accounts.Ref,
            new LiquidationStarted(Liquidation, "acc-1", MarginStatus.Bankrupt, -1_010m, 240m, 1, time),
            new AutoDeleverageExecuted(Liquidation, 1, "acc-1", March, 59_300m, [new AdlExecution("acc-b", OrderSide.Buy, 1m, 59_300m, 1m, 1, 1, -2m, 1m)], time),
            new AutoDeleverageBankruptSideRefused(Liquidation, 1, "acc-b", RejectionCode.InstrumentExpired, "settled", time, ReversalSequence: 2),
            new AutoDeleverageReversalRefused(Liquidation, 1, "acc-b", RejectionCode.InstrumentExpired, "settled", time),
            new LiquidationCompleted(Liquidation, "closed", time));

        Coordinator.Tell(new RebookAdlReversal(Liquidation, 1, "acc-b", 58_000m, ConfirmUnverified: true), TestActor);
        ExpectMsg<UnbalancedAdlFills>();
        var sent = Assert.IsType<ApplyExecution>(accounts.ExpectMsg<ShardEnvelope>().Message);
        RestartCoordinator(accounts.Ref);
        var again = Assert.IsType<ApplyExecution>(accounts.ExpectMsg<ShardEnvelope>().Message);

        var id = $"{Liquidation}:adl-1:acc-b:reversed:rebooked-1";
        Assert.Equal((id, March, OrderSide.Sell, 1m, 59_300m, (decimal?)58_000m, true),
            (sent.MessageId, sent.Symbol, sent.Side, sent.Quantity, sent.Price, sent.SettlementPrice, sent.SettlementPriceConfirmed));
        Assert.Equal(sent, again);
        Assert.True(Assert.Single(History(Liquidation).Steps.OfType<AutoDeleverageReversalRebooked>()).ConfirmUnverified);
    }

    /// <summary>
    /// Plays the race of the summary above (the venue settles each account just before its auto-deleverage message that
    /// the settlement makes it refuse) through to acc-1's liquidation completing; returns the notices heard.
    /// </summary>
    private List<AutoDeleveraged> ExpireBetweenTheSidesAndTheReversal()
    {
        var settleAcc1 = new SettleExpiry("settle-acc-1", Venue, 3, March, 58_000m);
        var settleAccB = new SettleExpiry("settle-acc-b", Venue, 3, March, 58_000m);
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new RacingRegion(
            Sys.ActorOf(Props.Create(() => new RacingRegion(Region, $"{Liquidation}:adl-1:acc-b:reversed", settleAccB, null, false))),
            $"{Liquidation}:adl-1:acc-b:bankrupt", settleAcc1, () => Market.Publish(ExpiredMarch(58_000m)), true))));
        var adl = AdlProbe();
        Deposit("acc-b", 10_000m);
        Trade("acc-b", OrderSide.Sell, 2m, 60_300m, symbol: March);
        Deposit("acc-1", 1_000m);
        Trade("acc-1", OrderSide.Buy, 1m, 60_300m, symbol: March);

        MoveBtc(58_000m);
        var notices = AdlNoticesUntil(adl, heard => heard.Count >= 1);
        AwaitCompleted(Liquidation);
        Assert.Empty(Account("acc-1").Positions);
        Assert.Equal([new CollateralBalance("USDT", -1_300m)], Account("acc-1").Balances);
        return notices;
    }

    /// <summary>The one unbalanced fill, acc-b's buy of 1 March future at 59,300 in round 1, as listed.</summary>
    private void AssertUnbalanced(UnbalancedAdlStatus status, int attempts, RejectionCode code, int open = 1)
    {
        Coordinator.Tell(GetUnbalancedAdl.Instance, TestActor);
        var listed = ExpectMsg<UnbalancedAdlFills>();
        Assert.Equal(open, listed.Open);
        var fill = Assert.Single(listed.Fills);
        Assert.Equal((Liquidation, 1, "acc-1", "acc-b", March, OrderSide.Buy, 1m, 59_300m, code, attempts, status),
            (fill.LiquidationId, fill.Round, fill.BankruptAccountId, fill.CounterpartyId, fill.Symbol, fill.Side, fill.Quantity, fill.Price, fill.Code, fill.Attempts,
                fill.Status));
    }

    /// <summary>The one unbalanced fill as listed.</summary>
    private UnbalancedAdlFill ListedFill()
    {
        Coordinator.Tell(GetUnbalancedAdl.Instance, TestActor);
        return Assert.Single(ExpectMsg<UnbalancedAdlFills>().Fills);
    }

    /// <summary>Counts <c>crossmargin.adl.unbalanced</c> into the returned cell while <paramref name="listener"/> lives.</summary>
    private static long[] CountUnbalanced(out MeterListener listener) => Count("crossmargin.adl.unbalanced", out listener);

    /// <summary>Counts <paramref name="name"/> of the engine's meter into the returned cell while <paramref name="listener"/> lives.</summary>
    private static long[] Count(string name, out MeterListener listener)
    {
        var counted = new long[1];
        listener = EngineMeasurements.Listen<long>(name, (_, value, _, _) => Interlocked.Add(ref counted[0], value));
        return counted;
    }
}
