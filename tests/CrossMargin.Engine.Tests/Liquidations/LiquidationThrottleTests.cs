using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Portfolios;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// The per-instrument budget is shared by every liquidation: BTCUSDT may trade 0.3 contract per 1 s interval. Two
/// accounts as in <see cref="LiquidationCoordinatorTests"/> (1,000 USDT, long 1 at 60,000, BTC at 59,230) each want 0.2:
/// the first served gets 0.2, the second the 0.1 left (its fraction is capped at budget / size = 0.1), then both are
/// throttled until the next interval, when each is planned again.
/// </summary>
public sealed class LiquidationThrottleTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    protected override LiquidationParameters Parameters { get; } =
        new(0.05m, 0.25m, 0.001m, 0.02m, 10m, new Dictionary<string, decimal> { [Btc] = 0.3m });

    [Fact]
    public void Liquidations_share_an_instrument_budget_per_interval_and_are_throttled_until_the_next()
    {
        var venue = VenueProbe();
        foreach (var account in new[] { "acc-1", "acc-2" })
        {
            Deposit(account, 1_000m);
            Trade(account, OrderSide.Buy, 1m, 60_000m);
        }

        MoveBtc(59_230m);

        var first = venue.ExpectMsg<LiquidationOrderIssued>();
        var second = venue.ExpectMsg<LiquidationOrderIssued>();
        Assert.Equal([0.2m, 0.1m], new[] { first.Quantity, second.Quantity });
        Assert.NotEqual(first.AccountId, second.AccountId);
        Coordinator.Tell(new LiquidationOrderReport(first.OrderId, 0m, 0m), TestActor);
        Coordinator.Tell(new LiquidationOrderReport(second.OrderId, 0m, 0m), TestActor);

        AwaitAssert(() =>
        {
            foreach (var account in new[] { "acc-1", "acc-2" })
            {
                Assert.IsType<LiquidationStepPlanned>(History($"liq-{account}-1").Steps[^1]);
                Assert.Equal(LiquidationPlanOutcome.Throttled, ((LiquidationStepPlanned)History($"liq-{account}-1").Steps[^1]).Outcome);
            }
        });
        venue.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        Clock.Advance(TimeSpan.FromSeconds(1));
        var again = new[] { venue.ExpectMsg<LiquidationOrderIssued>(), venue.ExpectMsg<LiquidationOrderIssued>() };
        Assert.Equal(0.3m, again.Sum(o => o.Quantity));
        Assert.Equal(["acc-1", "acc-2"], again.Select(o => o.AccountId).Order());
    }
}
