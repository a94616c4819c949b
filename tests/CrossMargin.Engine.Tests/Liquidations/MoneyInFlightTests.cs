using CrossMargin.Actors;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Money a liquidation moves between an account and the insurance fund travels as two messages that nothing journals
/// together: the coordinator's event is written first, then the fee is sent to both sides, or the fund's cover to the
/// account. A crash loses what is still in a mailbox, and only the active liquidations' commands are sent again after a
/// restart, so a liquidation must not end before both sides have answered. Each test loses one message on its way, as
/// a crash would, checks the liquidation has not ended, then restarts the coordinator and checks the books.
/// </summary>
public sealed class MoneyInFlightTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";

    /// <summary>
    /// The standard account of <see cref="LiquidationCoordinatorTests"/> (1,000 USDT, long 1 at 60,000, BTC at 59,230): one
    /// step of 0.2 filled at 59,230 pays a fee of 11.84 and ends the liquidation (equity 218.16 above the stop). The fund's
    /// copy of the fee is lost: the account has paid 11.84 and the fund has nothing. Before, the liquidation ended at once
    /// and a restart sent nothing again: 11.84 USDT gone from the books.
    /// </summary>
    [Fact]
    public void A_liquidation_does_not_end_before_the_fund_has_its_fee_so_a_fee_lost_in_a_crash_is_sent_again()
    {
        var orderId = StandardStepFilledWithTheFundsFeeToBeLost();
        Coordinator.Tell(new LiquidationOrderReport(orderId, 0.2m, 59_230m), TestActor);

        AssertFeePaidByTheAccountOnly();
        Assert.Equal(LiquidationStatus.Active, History(Liquidation).Status);

        RestartCoordinator();

        AwaitCompleted(Liquidation);
        AssertFeePaidOnce();
    }

    /// <summary>
    /// The same step, its fill reaching the account but its report coming only after the order timeout expired it and the
    /// liquidation completed (equity 230 with 0.8 left: done). The late report charges the fee of 11.84, and the fund's
    /// copy is lost: nothing holds a completed liquidation's end for it, so a restart sends the late fees of completed
    /// liquidations again until answered. The fund gets 11.84 once, the account pays it once.
    /// </summary>
    [Fact]
    public void A_late_fee_of_a_completed_liquidation_lost_in_a_crash_is_sent_again_after_a_restart()
    {
        var orderId = StandardStepFilledWithTheFundsFeeToBeLost();
        AdvanceUntil(() => History(Liquidation).Status == LiquidationStatus.Completed, TimeSpan.FromMinutes(1));
        Coordinator.Tell(new LiquidationOrderReport(orderId, 0.2m, 59_230m), TestActor);
        AssertFeePaidByTheAccountOnly();

        RestartCoordinator();

        AwaitAssert(() => Assert.Equal(11.84m, FundView().Balances.GetValueOrDefault("USDT")));
        AssertFeePaidOnce();
    }

    /// <summary>
    /// acc-1 (120 USDT) buys 0.1 at 60,000 and sells it at 50,000: flat at -880, bankrupt. The fund (30 USDT) pays what it
    /// has and 850 is left uncovered with no position to pass on: the liquidation ends with the loss stated. The 30 on
    /// its way to the account is lost. Before, the liquidation ended at once and a restart sent nothing again: the fund
    /// had paid 30 that the account never got.
    /// </summary>
    [Fact]
    public void A_liquidation_does_not_end_before_the_account_has_the_funds_cover_so_a_cover_lost_in_a_crash_is_sent_again()
    {
        SeedFund(30m);
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new DroppingRegion(Region, c => c is CoverDeficit))));
        Deposit("acc-1", 120m);
        Trade("acc-1", OrderSide.Buy, 0.1m, 60_000m);

        Trade("acc-1", OrderSide.Sell, 0.1m, 50_000m);

        AwaitAssert(() => Assert.Contains(History(Liquidation).Steps, s => s is LiquidationCoverReceived { CoveredUsd: 30m, UncoveredUsd: 850m }));
        AwaitIdle();
        Assert.Equal(LiquidationStatus.Active, History(Liquidation).Status);
        Assert.Equal([new CollateralBalance("USDT", -880m)], Account("acc-1").Balances);

        // The restarted coordinator sends the cover again and plans from a fresh view: still 850 short and flat, it asks
        // the (empty) fund again once the back-off allows, then ends with the loss stated.
        RestartCoordinator();

        AdvanceUntil(() => History(Liquidation).Status == LiquidationStatus.Completed, TimeSpan.FromMilliseconds(500));
        Assert.Contains("850.00 USD uncovered", Assert.IsType<LiquidationCompleted>(History(Liquidation).Steps[^1]).Reason, StringComparison.Ordinal);
        Assert.Equal([new CollateralBalance("USDT", -850m)], Account("acc-1").Balances);
        Assert.Equal(0m, FundView().Balances["USDT"]);
    }

    /// <summary>
    /// acc-1 (120 USDT, long 0.1 at 60,000) is bankrupt at 50,000 (-880) and the fund (10,000 USDT) is asked for 880; the
    /// request is lost. BTC goes back to 60,000 (equity 120, MM 24): nothing is owed. Before, the restarted coordinator
    /// sent the request as recorded and the fund paid 880 USDT the account no longer lacked (its balance 1,000). Now it
    /// measures the deficit from a fresh view first and asks for that: nothing is paid and the liquidation ends.
    /// </summary>
    [Fact]
    public void A_cover_request_lost_before_a_restart_pays_only_the_deficit_measured_after_it_so_a_recovered_account_gets_nothing()
    {
        BankruptWithItsCoverRequestLost();

        MoveBtc(60_000m);
        RestartCoordinator();

        AwaitCompleted(Liquidation);
        var cover = Assert.Single(History(Liquidation).Steps.OfType<LiquidationCoverReceived>());
        Assert.Equal((0m, 0m), (cover.CoveredUsd, cover.UncoveredUsd));
        Assert.Equal(10_000m, FundView().Balances["USDT"]);
        Assert.Equal([new CollateralBalance("USDT", 120m)], Account("acc-1").Balances);
    }

    /// <summary>
    /// The same bankruptcy, the request lost, the market unchanged and no restart. Before, the liquidation waited for
    /// the fund's answer for ever. Now the request is sent again once the order timeout (10 minutes here) has passed, for the deficit
    /// measured again (880), and the fund pays it once.
    /// </summary>
    [Fact]
    public void A_cover_request_the_fund_does_not_answer_in_time_is_measured_and_sent_again()
    {
        BankruptWithItsCoverRequestLost();

        AdvanceUntil(() => History(Liquidation).Steps.Any(s => s is LiquidationCoverReceived), TimeSpan.FromMinutes(1));

        var cover = Assert.Single(History(Liquidation).Steps.OfType<LiquidationCoverReceived>());
        Assert.Equal((880m, 0m), (cover.CoveredUsd, cover.UncoveredUsd));
        AwaitAssert(() => Assert.Equal([new CollateralBalance("USDT", 1_000m)], Account("acc-1").Balances));
        Assert.Equal(9_120m, FundView().Balances["USDT"]);
    }

    /// <summary>
    /// The standard account (1,000 USDT, long 1 at 60,000, BTC at 59,230): the first step fills 0.1 at 59,000 and pays the
    /// fee planned at the mark, 5.92, answered by both sides; equity 1,000 - 100 - 693 - 5.92 = 201.08 is still below the stop, so a second
    /// step goes out and waits. The account then applies 1,030 more messages (deposits of 0.01). Before, a restart sent
    /// the fee again, and the account, finding its id in none of its last 1,024, refused it as out of order: a refusal
    /// logged as "the books no longer net" for a fee both sides had. Now the answers are journaled and neither the fee
    /// nor the cancel-all is sent again (before session 23 the cancel-all was, and refused the same way, with a warning).
    /// </summary>
    [Fact]
    public void A_fee_both_sides_answered_is_not_sent_again_after_a_restart_so_an_account_far_past_it_cannot_refuse_it()
    {
        FeePaidThenFarPastIt();

        var answered = AnswersAfterARestart();

        Assert.DoesNotContain(answered, a => a is CommandRejected r && r.MessageId.StartsWith($"{Liquidation}:fee:", StringComparison.Ordinal));
        Assert.DoesNotContain(answered, a => AnswersTo(a, $"{Liquidation}:cancel"));
        Assert.Equal(LiquidationStatus.Active, History(Liquidation).Status);
    }

    /// <summary>
    /// As above, but the account's answer to the cancel-all is lost (it applied it), as in a journal from before these
    /// answers were journaled: the restarted coordinator sends it again and the account, far past it, answers it as out
    /// of order. Before, that was logged as a warning that the account refused a liquidation message, and sent (and
    /// refused, and warned of) again at every restart. Now the account being past it is taken as its answer, journaled:
    /// nothing is warned of, and a second restart does not send it.
    /// </summary>
    [Fact]
    public void A_cancel_all_sent_again_to_an_account_far_past_it_is_taken_as_applied_without_a_warning_and_not_sent_again()
    {
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new DroppingRegion(Region, c => c is CancelAllOrders, true))));
        FeePaidThenFarPastIt();

        var first = AnswersAfterARestart();
        var second = AnswersAfterARestart();

        Assert.Contains(first, a => a is CommandRejected { MessageId: $"{Liquidation}:cancel", Rejection.Code: RejectionCode.OutOfOrder });
        Assert.DoesNotContain(Logs.Entries, e => e.Level >= LogLevel.Warning && e.Message.Contains(":cancel", StringComparison.Ordinal));
        Assert.DoesNotContain(second, a => AnswersTo(a, $"{Liquidation}:cancel"));
        Assert.Equal(LiquidationStatus.Active, History(Liquidation).Status);
    }

    /// <summary>The standard account liquidated by one step with a fee both sides answered, then 1,030 deposits of 0.01.</summary>
    private void FeePaidThenFarPastIt()
    {
        var venue = VenueProbe();
        OpenLong("acc-1");
        MoveBtc(59_230m);
        var order = venue.ExpectMsg<LiquidationOrderIssued>();
        Trade("acc-1", OrderSide.Sell, 0.1m, 59_000m, liquidation: true, orderId: order.OrderId);
        Coordinator.Tell(new LiquidationOrderReport(order.OrderId, 0.1m, 59_000m), TestActor);
        Assert.NotEqual(order.OrderId, venue.ExpectMsg<LiquidationOrderIssued>().OrderId);
        AwaitAssert(() => Assert.Equal(5.92m, FundView().Balances["USDT"]));
        for (var i = 0; i < 1_030; i++)
        {
            Deposit("acc-1", 0.01m);
        }
    }

    private static bool AnswersTo(object answer, string messageId) =>
        (answer is CommandAccepted a && a.MessageId == messageId) || (answer is CommandDuplicate d && d.MessageId == messageId)
        || (answer is CommandRejected r && r.MessageId == messageId);

    /// <summary>Restarts the coordinator and returns the accounts' answers to what it sends before the system is idle again.</summary>
    private List<object> AnswersAfterARestart()
    {
        var answers = CreateTestProbe();
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new ReplyWatchingRegion(Region, answers.Ref))));
        AwaitIdle();
        var answered = new List<object>();
        while (answers.QueuedCount > 0)
        {
            answered.Add(answers.ExpectMsg<object>());
        }

        return answered;
    }

    /// <summary>
    /// acc-1 (120 USDT, long 0.1 BTC-PERP at 60,000) bankrupt at 50,000 with a deficit of 880 USD, a fund of 10,000 USDT
    /// that drops every cover request, and the request made.
    /// </summary>
    private void BankruptWithItsCoverRequestLost()
    {
        SeedFund(10_000m);
        RestartCoordinator(fund: Sys.ActorOf(Props.Create(() => new DroppingFund(Fund, m => m is CoverLiquidationDeficit))));
        Deposit("acc-1", 120m);
        Trade("acc-1", OrderSide.Buy, 0.1m, 60_000m);
        MoveBtc(50_000m);
        AwaitAssert(() => Assert.Contains(History(Liquidation).Steps, s => s is LiquidationCoverRequested { DeficitUsd: 880m }));
    }

    /// <summary>
    /// The standard account liquidated behind a fund stand-in that loses the first fee it is sent: its one step of 0.2
    /// issued and filled at 59,230 (the fill applied to the account, not yet reported); the order's id.
    /// </summary>
    private string StandardStepFilledWithTheFundsFeeToBeLost()
    {
        var venue = VenueProbe();
        RestartCoordinator(fund: Sys.ActorOf(Props.Create(() => new DroppingFund(Fund, m => m is CollectLiquidationFee))));
        OpenLong("acc-1");
        MoveBtc(59_230m);
        var order = venue.ExpectMsg<LiquidationOrderIssued>();
        Trade("acc-1", OrderSide.Sell, 0.2m, 59_230m, liquidation: true, orderId: order.OrderId);
        return order.OrderId;
    }

    /// <summary>The account has paid the fee of 11.84 (834.16 USDT left); the fund, whose copy was lost, has nothing.</summary>
    private void AssertFeePaidByTheAccountOnly()
    {
        AwaitAssert(() => Assert.Equal([new CollateralBalance("USDT", 834.16m)], Account("acc-1").Balances));
        AwaitIdle();
        Assert.False(FundView().Balances.ContainsKey("USDT"));
    }

    /// <summary>The fund has the fee of 11.84 once, the account has paid it once.</summary>
    private void AssertFeePaidOnce()
    {
        var fund = FundView();
        Assert.Equal(11.84m, fund.Balances["USDT"]);
        Assert.Equal(InsuranceFundMovementKind.FeeCollected, Assert.Single(fund.History).Kind);
        Assert.Equal([new CollateralBalance("USDT", 834.16m)], Account("acc-1").Balances);
    }
}
