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
/// Views carry no request id; the account's highest sequence from the coordinator tells them apart.
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
