using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Auto-deleveraging against counterparties that still hold a contract which expired and awaits the venue's settlement:
/// the round values such a view as the account margins itself, with the expired holding settled at its index.
/// acc-1 holds 1,000 USDT and is long 1 BTCUSDT at 60,000; the fund is empty. The market is valued a day after the
/// March expiry, the March contracts expired, BTC at 50,000: acc-1 is at 1,000 - 10,000 = -9,000, its bankruptcy price
/// 50,000 + 9,000 = 59,000 (below its entry: passed on whole).
/// </summary>
public sealed class AdlExpiredHoldingTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";

    /// <summary>
    /// acc-c: 20,000 USDT, short 1 BTCUSDT at 60,000 and long 1 March future at 60,300, unsettled. At 50,000 its short
    /// gains 10,000 and its future is worth 50,000 - 60,300 = -10,300 at the index: equity 19,700. Score (profit % x
    /// leverage) 10,000 / 60,000 x 50,000 / 19,700 = 0.42. acc-d: 100,000 USDT, short 1 at 60,000: equity 110,000, score
    /// 10,000 / 60,000 x 50,000 / 110,000 = 0.08. acc-c ranks first and buys the whole 1 at 59,000 (loss 9,000 against the
    /// mark, 10,700 left, no maintenance margin once flat in BTCUSDT): 20,000 + 1,000 = 21,000 USDT, its future kept for
    /// its settlement; acc-d keeps its short. Before, acc-c's view could not be valued (the calculators refuse an expired
    /// instrument), was counted with equity 0 and skipped: acc-d was deleveraged in its place.
    /// </summary>
    [Fact]
    public void A_counterparty_holding_an_unsettled_expired_future_is_valued_at_its_index_and_ranked_first_when_it_scores_highest()
    {
        var adl = CreateTestProbe("adl");
        Sys.EventStream.Subscribe(adl.Ref, typeof(AutoDeleveraged));
        OpenShort("acc-c", 20_000m, 1m, 60_000m);
        Trade("acc-c", OrderSide.Buy, 1m, 60_300m, symbol: TestMarket.BtcMarchFuture);
        OpenShort("acc-d", 100_000m, 1m, 60_000m);
        OpenLong("acc-1");

        PublishMarket(ExpiredMarch(50_000m), "BTC");
        var notices = AdlNoticesUntil(adl, heard => heard.Count == 2);

        AssertNotices(
        [
            new AutoDeleveraged(Liquidation, "acc-c", Btc, OrderSide.Buy, 1m, 59_000m, $"{Liquidation}:adl-1:acc-c"),
            new AutoDeleveraged(Liquidation, "acc-1", Btc, OrderSide.Sell, 1m, 59_000m, $"{Liquidation}:adl-1:acc-c:bankrupt"),
        ], notices);
        var executed = History(Liquidation).Steps.OfType<AutoDeleverageExecuted>().Single();
        Assert.Equal(10_000m / 60_000m * (50_000m / 19_700m), Assert.Single(executed.Fills).Score);
        AwaitAssert(() => Assert.Equal([new CollateralBalance("USDT", 21_000m)], Account("acc-c").Balances));
        Assert.Equal([new Position(TestMarket.BtcMarchFuture, 1m, 60_300m)], Account("acc-c").Positions);
        Assert.Equal([new Position(Btc, -1m, 60_000m)], Account("acc-d").Positions);
    }

    /// <summary>
    /// With <c>TakeOverAfterUnfilledSteps</c> 3, acc-1 also holds a long 0.1 March future at 60,300, unsettled. At 59,230
    /// its equity is 1,000 - 770 - 0.1 x 1,070 = 123 at the index, below the stop: liquidated, not bankrupt, and the book
    /// fills none of three steps. A take-over would pass the perpetual on at a bankruptcy price (59,230 - 123 = 59,107)
    /// that rests on the index's estimate of the future's settlement, which is what the plan refuses a bankrupt account
    /// awaiting its settlement; so the book is asked again (a fourth step) and nobody is deleveraged. Before, the round
    /// started and valued every position, the expired future too, which threw: the coordinator failed at each attempt.
    /// </summary>
    [Fact]
    public void A_solvent_account_awaiting_an_expiry_settlement_is_not_taken_over_after_unfilled_steps()
    {
        RestartCoordinator(takeOverAfterUnfilledSteps: 3);
        var venue = VenueProbe();
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");
        Trade("acc-1", OrderSide.Buy, 0.1m, 60_300m, symbol: TestMarket.BtcMarchFuture);

        PublishMarket(ExpiredMarch(59_230m), "BTC");
        for (var step = 1; step <= 3; step++)
        {
            var order = venue.ExpectMsg<LiquidationOrderIssued>();
            Assert.Equal((Btc, $"liq-acc-1-1-s{step}-1"), (order.Symbol, order.OrderId));
            Coordinator.Tell(new LiquidationOrderReport(order.OrderId, 0m, 0m), TestActor);
        }

        Assert.Equal("liq-acc-1-1-s4-1", venue.ExpectMsg<LiquidationOrderIssued>().OrderId);
        Assert.Empty(History(Liquidation).Steps.OfType<AutoDeleverageExecuted>());
        Assert.Equal([new Position(Btc, -2m, 60_000m)], Account("acc-c").Positions);
    }
}
