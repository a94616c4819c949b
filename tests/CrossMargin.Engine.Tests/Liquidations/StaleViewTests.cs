using CrossMargin.Actors;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// The coordinator plans from an account's view, asked for after the messages it sent the account (one sender, one
/// order). A view that does not reflect one of them must not be planned from: the answer to an earlier request the
/// coordinator gave up on (the account slower than the order timeout), or any view while a message is lost on its way.
/// Each view is asked for under a request id of its own and only the answer to the request awaited is taken; the
/// account's highest sequence from the coordinator still tells a view that misses a message lost on its way.
/// </summary>
public sealed class StaleViewTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";

    /// <summary>
    /// acc-1 (120 USDT, long 0.1 at 60,000) is bankrupt at 50,000 (-880); the fund has 10,000 USDT. The answer to the
    /// first view is delivered late: the coordinator asks again after the order timeout, plans from that answer, and the
    /// fund covers the 880 in full. The late view (-880, from before the cover) then arrives while the coordinator waits
    /// for the view after the cover. Before, it was planned from: bankrupt again, with the backstop cleared by the full
    /// cover, so the fund was asked for 880 again. Now it is dropped (it reflects the coordinator's messages up to the
    /// cancel-all, not the cover): the fund pays once and the liquidation goes on from equity 0.
    /// </summary>
    [Fact]
    public void A_view_from_before_a_full_cover_arriving_late_is_not_planned_from_so_the_fund_pays_once()
    {
        SeedFund(10_000m);
        var held = CreateTestProbe();
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new LateViewRegion(Region, "acc-1", held.Ref))));
        Deposit("acc-1", 120m);
        Trade("acc-1", OrderSide.Buy, 0.1m, 60_000m);

        MoveBtc(50_000m);
        held.ExpectMsg<HoldingRegion.Held>();

        AssertCoveredOnceThenPlannedFromEquityZero();
    }

    /// <summary>
    /// The same bankruptcy, and the fund's full cover of 880 is lost on its way to the account. Before, the coordinator
    /// planned from the next view (still -880, the backstop cleared by the full cover) and asked the fund for 880 again,
    /// which it paid; the lost cover, sent again when the liquidation ended, then paid the account a second time (1,880
    /// USDT). Now no view without the cover is planned from: when the view asked for has not come in time, the messages
    /// the account has not answered go again before the request, and the next view shows the cover.
    /// </summary>
    [Fact]
    public void A_cover_lost_on_its_way_is_sent_again_before_the_account_is_planned_from_so_the_fund_pays_once()
    {
        SeedFund(10_000m);
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new DroppingRegion(Region, c => c is CoverDeficit))));
        Deposit("acc-1", 120m);
        Trade("acc-1", OrderSide.Buy, 0.1m, 60_000m);

        MoveBtc(50_000m);
        AwaitAssert(() => Assert.Contains(History(Liquidation).Steps, s => s is LiquidationCoverReceived));

        AssertCoveredOnceThenPlannedFromEquityZero();
    }

    /// <summary>
    /// acc-1 (1,000 USDT, long 1 BTCUSDT at 60,000) is at -1,000 with BTC at 58,000; the fund is empty, acc-c is short 2 at
    /// 60,000 on 100,000 USDT. The round's last view of acc-1, asked once acc-c has confirmed (the fourth asked of acc-1:
    /// planning, the round's start, its pricing, its pricing again after the confirmation), is answered at once and
    /// delivered late. Meanwhile the venue sells 0.9 of acc-1's long at 50,000: 1,000 - 0.9 x 10,000 = -8,000 USDT, long
    /// 0.1, equity -8,000 - 0.1 x 2,000 = -8,200, bankruptcy price 58,000 + 8,200 / 0.1 = 140,000, held at the further of
    /// the entry (60,000) and the band's edge (58,000 x 1.1 = 63,800). After the order timeout the coordinator asks again;
    /// the late answer (long 1) arrives first. Nothing went to acc-1 from the coordinator between the two requests, so its
    /// sequences cannot tell the answers apart. Before, it was priced from: acc-c bought 1 at 59,000 (the bankruptcy price
    /// of the long 1 it showed), and acc-1, refusing its side (it holds 0.1), was forced to sell 1, ending short 0.9. Now
    /// only the answer to the request awaited is taken: acc-c buys 0.1 at 63,800 (short 1.9 left) and acc-1 sells it there
    /// and is flat.
    /// </summary>
    [Fact]
    public void A_late_answer_to_an_earlier_view_request_of_the_bankrupt_account_is_not_priced_from_when_no_message_went_to_it_between()
    {
        var held = CreateTestProbe("held");
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new LateViewRegion(Region, "acc-1", held.Ref, afterCover: false, held: 4))));
        var adl = CreateTestProbe("adl");
        Sys.EventStream.Subscribe(adl.Ref, typeof(AutoDeleveraged));
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");

        MoveBtc(58_000m);
        AdvanceUntil(() => held.QueuedCount > 0, TimeSpan.FromMilliseconds(100));
        Trade("acc-1", OrderSide.Sell, 0.9m, 50_000m);
        AdvanceUntil(() => History(Liquidation).Steps.Any(s => s is AutoDeleverageExecuted), TimeSpan.FromMinutes(1), steps: 500);
        var notices = AdlNoticesUntil(adl, heard => heard.Count == 2);

        AssertNotices(
        [
            new AutoDeleveraged(Liquidation, "acc-c", Btc, OrderSide.Buy, 0.1m, 63_800m, $"{Liquidation}:adl-1:acc-c"),
            new AutoDeleveraged(Liquidation, "acc-1", Btc, OrderSide.Sell, 0.1m, 63_800m, $"{Liquidation}:adl-1:acc-c:bankrupt"),
        ], notices);
        AwaitAssert(() => Assert.Empty(Account("acc-1").Positions));
        Assert.Equal([new Position(Btc, -1.9m, 60_000m)], Account("acc-c").Positions);
    }

    /// <summary>
    /// Passes the order timeout (10 minutes) in steps of a minute, as the view asked for may be waited for, until the
    /// liquidation plans a step, ends or asks the fund a second time; then checks the fund paid once.
    /// </summary>
    private void AssertCoveredOnceThenPlannedFromEquityZero()
    {
        AdvanceUntil(() => History(Liquidation).Steps.Any(s => s is LiquidationStepPlanned or LiquidationCompleted
            || s is LiquidationCoverRequested { RequestId: $"{Liquidation}:cover-2" }), TimeSpan.FromMinutes(1), steps: 30);
        var steps = History(Liquidation).Steps;
        var cover = Assert.Single(steps.OfType<LiquidationCoverReceived>());
        Assert.Equal((880m, 0m), (cover.CoveredUsd, cover.UncoveredUsd));
        Assert.Single(steps.OfType<LiquidationCoverRequested>());
        Assert.Equal(0m, Assert.IsType<LiquidationStepPlanned>(steps[^1]).EquityUsd);
        Assert.Equal(9_120m, FundView().Balances["USDT"]);
        Assert.Equal([new CollateralBalance("USDT", 1_000m)], Account("acc-1").Balances);
    }
}
