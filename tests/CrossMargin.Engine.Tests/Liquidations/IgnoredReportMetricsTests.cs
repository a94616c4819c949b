using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Tests.Accounts;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Portfolios;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// The venue's liquidation reports the coordinator cannot take are counted by reason, not only logged: the HTTP answer
/// (202) and the broker's ack come before the coordinator reads them. Runs alone (<see cref="EngineMetricsRunAlone"/>):
/// the counter is process-wide. acc-1 (120 USDT, long 0.1 BTCUSDT at 60,000) at BTC 59,000 gets one sell of 0.1 at
/// limit 58,300.00 (see <see cref="LiquidationLastPositionTests"/>).
/// </summary>
[Collection(EngineMetricsRunAlone.Name)]
public sealed class IgnoredReportMetricsTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string FirstOrder = "liq-acc-1-1-s1-1";

    [Fact]
    public void Reports_of_an_order_not_outstanding_of_a_fill_no_IOC_can_have_or_off_the_lot_are_counted_by_reason()
    {
        var ignored = new List<string>();
        using var listener = EngineMeasurements.Listen<long>("crossmargin.liquidation.reports_ignored", (_, _, tags, _) =>
        {
            lock (ignored)
            {
                ignored.Add(tags.ToArray().Single(t => t.Key == "reason").Value as string ?? "");
            }
        });
        var venue = VenueProbe();
        SeedFund(50m);
        Deposit("acc-1", 120m);
        Trade("acc-1", OrderSide.Buy, 0.1m, 60_000m);
        MoveBtc(59_000m);
        Assert.Equal(FirstOrder, venue.ExpectMsg<LiquidationOrderIssued>().OrderId);

        Coordinator.Tell(new LiquidationOrderReport("liq-nobody-1-s1-1", 0.1m, 59_000m), TestActor);
        Coordinator.Tell(new LiquidationOrderReport(FirstOrder, 0.2m, 59_000m), TestActor);
        Coordinator.Tell(new LiquidationOrderReport(FirstOrder, 0.1m, 50_000m), TestActor);
        Coordinator.Tell(new LiquidationOrderReport(FirstOrder, 0.0999999999m, 59_000m), TestActor);
        Trade("acc-1", OrderSide.Sell, 0.1m, 59_000m, liquidation: true, orderId: FirstOrder);
        Coordinator.Tell(new LiquidationOrderReport(FirstOrder, 0.1m, 59_000m), TestActor);
        AwaitCompleted("liq-acc-1-1");

        lock (ignored)
        {
            Assert.Equal(["notOutstanding", "impossible", "impossible", "quantityOffLot"], ignored);
        }
    }
}
