using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// An auto-deleverage counterparty is never left below its maintenance margin, so a round never starts another
/// liquidation. Hand figures (Binance brackets: MM 0.4% below 50,000 of notional, 0.5% - 50 from it), BTC at 58,000, no
/// fund account, a fund of 500: acc-1 (1,000 USDT, long 1 at 60,000) is bankrupt by 1,000; the fund covers 500 and the
/// bankruptcy price is 58,000 + 500 = 58,500. Every short is at a loss, so the round reaches them (the last resort): a
/// short buying back at 58,500 loses 500 a contract against the mark.
/// acc-2, short 2 at 57,950 on 700 USDT: equity 600, MM 116,000 x 0.5% - 50 = 530; ranked first (-100 / 115,900 / 193.3x).
/// Giving q leaves equity 600 - 500 q against MM (2 - q) x 290 - 50: 0.3 leaves 450 against 443, 0.4 leaves 400 against
/// 414. acc-3, short 1 at 57,000 on 3,000 USDT (equity 2,000), gives the other 0.7.
/// </summary>
public sealed class AdlCascadeTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";

    /// <summary>
    /// Before, acc-2's equity (600) bore the whole 1 (a loss of 500): it was left short 1 with equity 100 against an MM of
    /// 240, and its own liquidation started.
    /// </summary>
    [Fact]
    public void A_round_at_a_loss_takes_from_a_counterparty_no_more_than_keeps_it_above_its_maintenance_margin()
    {
        SeedFund(500m);
        MoveBtc(58_000m);
        OpenShort("acc-2", 700m, 2m, 57_950m);
        OpenShort("acc-3", 3_000m, 1m, 57_000m);

        OpenLong("acc-1");

        AdvanceUntil(() => History(Liquidation).Status == LiquidationStatus.Completed, TimeSpan.FromMilliseconds(100));
        var executed = Assert.Single(History(Liquidation).Steps.OfType<AutoDeleverageExecuted>());
        Assert.Equal([("acc-2", 0.3m, 58_500m), ("acc-3", 0.7m, 58_500m)], executed.Fills.Select(f => (f.AccountId, f.Quantity, f.Price)).ToArray());
        AwaitAssert(() =>
        {
            Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
            Assert.Empty(Account("acc-1").Positions);
            var acc2 = Account("acc-2");
            Assert.Equal([new CollateralBalance("USDT", 535m)], acc2.Balances);
            Assert.Equal([new Position(Btc, -1.7m, 57_950m)], acc2.Positions);
            Assert.Equal((450m, 443m), (acc2.Margin!.EquityUsd, acc2.Margin.MaintenanceMarginUsd));
            Assert.Equal([new CollateralBalance("USDT", 1_950m)], Account("acc-3").Balances);
            Assert.Equal([new Position(Btc, -0.3m, 57_000m)], Account("acc-3").Positions);
        });
        AwaitIdle();
        Assert.Equal([Liquidation], Liquidations());
    }

    private string[] Liquidations()
    {
        var probe = CreateTestProbe();
        Coordinator.Tell(GetLiquidations.Instance, probe.Ref);
        return probe.ExpectMsg<LiquidationList>().Liquidations.Select(l => l.LiquidationId).ToArray();
    }
}
