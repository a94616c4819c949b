using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// A restarted coordinator resumes every liquidation in flight from its journal, sending each command again (accounts
/// and fund drop duplicates) and awaiting what was not answered. One liquidation that goes through every kind of step,
/// restarted at each point of its journal, must leave the same books as a run without a restart: no order, fee, cover or
/// auto-deleverage fill applied twice or lost.
/// </summary>
public sealed class RecoveryTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";

    /// <summary>
    /// The fund has 300 USDT; acc-c is short 2 at 60,000 on 100,000 USDT. acc-1 (1,000 USDT, long 1 at 60,000) breaches
    /// at 59,230 and the step's order (0.2, limit 58,045.40) is filled at its limit, with a fee of 11.60 to the fund;
    /// before it is reported BTC falls to 58,000, where acc-1 is bankrupt (-1,002.52). The fund covers all it has, 311.60,
    /// and the 690.92 left is passed to acc-c by auto-deleveraging acc-1's 0.8 at its bankruptcy price, 58,863.65: acc-1
    /// ends flat at zero, acc-c gains 909.08. The coordinator is restarted once the journal holds
    /// <paramref name="events"/> of the liquidation's events or more (0: never): while its order is out (1, 2), or after
    /// it is reported (3 on; 4 and 5 land in the auto-deleverage round, whose views wait for the clock). Before, a restart
    /// in the round after a partial cover sent the bankrupt account to the book at the band (a step planned at equity
    /// -690.92; each fill deepens a deficit nobody then bears) instead of resuming the round.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void A_liquidation_restarted_at_any_point_of_its_journal_leaves_the_books_of_one_never_restarted(int events)
    {
        SeedFund(300m);
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        var venue = VenueProbe();
        OpenLong("acc-1");
        MoveBtc(59_230m);
        var order = venue.ExpectMsg<LiquidationOrderIssued>();
        if (events is > 0 and <= 2)
        {
            RestartAfter(events);
        }

        Trade("acc-1", order.Side, order.Quantity, order.LimitPrice, liquidation: true, orderId: order.OrderId);
        MoveBtc(58_000m);
        Coordinator.Tell(new LiquidationOrderReport(order.OrderId, order.Quantity, order.LimitPrice), TestActor);
        if (events > 2)
        {
            RestartAfter(events);
        }

        AdvanceUntil(() => History(Liquidation).Status == LiquidationStatus.Completed, TimeSpan.FromMilliseconds(100));

        var steps = History(Liquidation).Steps;
        var cover = Assert.Single(steps.OfType<LiquidationCoverReceived>());
        Assert.Equal((311.60m, 690.92m), (cover.CoveredUsd, cover.UncoveredUsd));
        var round = Assert.Single(steps.OfType<AutoDeleverageExecuted>());
        Assert.Equal([("acc-c", 0.8m, 58_863.65m)], round.Fills.Select(f => (f.AccountId, f.Quantity, f.Price)).ToArray());
        AwaitAssert(() =>
        {
            Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
            Assert.Empty(Account("acc-1").Positions);
            Assert.Equal([new CollateralBalance("USDT", 100_909.08m)], Account("acc-c").Balances);
            Assert.Equal([new Position(Btc, -1.2m, 60_000m)], Account("acc-c").Positions);
            var fund = FundView();
            Assert.Equal(0m, fund.Balances["USDT"]);
            Assert.Equal(
            [
                (InsuranceFundMovementKind.Deposited, 300m), (InsuranceFundMovementKind.FeeCollected, 11.60m), (InsuranceFundMovementKind.DeficitCovered, 311.60m),
                // The round passed the whole shortfall on: settled once, whatever the restart.
                (InsuranceFundMovementKind.AutoDeleverageTriggered, 690.92m), (InsuranceFundMovementKind.ShortfallSettled, 690.92m),
            ], fund.History.Select(m => (m.Kind, m.Amount)).ToArray());
        });
    }

    /// <summary>Restarts the coordinator once the liquidation's journal holds <paramref name="events"/> events (or it ended).</summary>
    private void RestartAfter(int events)
    {
        AdvanceUntil(() => History(Liquidation) is var history && (history.Steps.Count >= events || history.Status == LiquidationStatus.Completed),
            TimeSpan.FromMilliseconds(20), steps: 500);
        RestartCoordinator();
    }
}
