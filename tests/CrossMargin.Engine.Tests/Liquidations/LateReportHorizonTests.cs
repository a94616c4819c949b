using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// Orders the venue never reports: acc-1 (1,000 USDT, long 1 BTCUSDT at 60,000) breaches at 59,230 and every step's
/// order (0.2) expires unreported after the order timeout (10 minutes here), so the liquidation plans the next one. The
/// coordinator remembers expired orders for a late report for 30 minutes (the horizon), then forgets them.
/// </summary>
public sealed class LateReportHorizonTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";

    protected override TimeSpan LateReportHorizon => TimeSpan.FromMinutes(30);

    /// <summary>
    /// Five steps expire unreported, 10 minutes apart (at 10, 20, 30, 40 and 50 minutes). When the fifth does, the first two
    /// expired 40 and 30 minutes before, at or past the horizon: forgotten, 3 remembered. Before, all 5 were, and one more
    /// with every step for as long as the coordinator ran. A report of the first order, forgotten, is ignored; after a
    /// restart the coordinator remembers the same 3 (the expiries it replays are as old as they were).
    /// </summary>
    [Fact]
    public void Orders_expired_unreported_are_forgotten_once_the_late_report_horizon_has_passed()
    {
        var venue = VenueProbe();
        OpenLong("acc-1");
        MoveBtc(59_230m);
        Assert.Equal($"{Liquidation}-s1-1", venue.ExpectMsg<LiquidationOrderIssued>().OrderId);

        AdvanceUntil(() => History(Liquidation).Steps.OfType<LiquidationOrdersExpired>().Count() == 5, TimeSpan.FromMinutes(1));

        Assert.Equal(new UnreportedOrders(1, 3), Unreported());
        Coordinator.Tell(new LiquidationOrderReport($"{Liquidation}-s1-1", 0.2m, 59_230m), TestActor);
        Assert.Equal(new UnreportedOrders(1, 3), Unreported());
        Assert.DoesNotContain(History(Liquidation).Steps, s => s is LiquidationOrderReported);

        RestartCoordinator();
        Assert.Equal(3, Unreported().Expired);
    }

    /// <summary>
    /// A report within the horizon still pays its fill's fee (session 24's rule): the first order, expired at 10 minutes,
    /// reported filled 0.2 at 59,230 at 30 minutes, is charged 0.2 x 59,230 x 0.1% = 11.846, 11.84 to the cent as the plan
    /// capped it, and is no longer awaited.
    /// </summary>
    [Fact]
    public void A_report_within_the_horizon_still_pays_its_fills_fee_and_is_no_longer_awaited()
    {
        var venue = VenueProbe();
        OpenLong("acc-1");
        MoveBtc(59_230m);
        venue.ExpectMsg<LiquidationOrderIssued>();
        AdvanceUntil(() => History(Liquidation).Steps.OfType<LiquidationOrdersExpired>().Count() == 2, TimeSpan.FromMinutes(1));
        Assert.Equal(new UnreportedOrders(1, 2), Unreported());

        Trade("acc-1", OrderSide.Sell, 0.2m, 59_230m, liquidation: true, orderId: $"{Liquidation}-s1-1");
        Coordinator.Tell(new LiquidationOrderReport($"{Liquidation}-s1-1", 0.2m, 59_230m), TestActor);

        AwaitAssert(() => Assert.Equal(11.84m, Assert.Single(History(Liquidation).Steps.OfType<LiquidationOrderReported>()).FeeAmount));
        AwaitAssert(() => Assert.Equal(11.84m, FundView().Balances["USDT"]));
        Assert.Equal(1, Unreported().Expired);
    }

    private UnreportedOrders Unreported()
    {
        var probe = CreateTestProbe();
        Coordinator.Tell(GetUnreportedOrders.Instance, probe.Ref);
        return probe.ExpectMsg<UnreportedOrders>();
    }
}
