using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// How far from the mark an auto-deleverage round may price its fills: its bankruptcy price, held at the position's entry
/// price or the ADL band's edge around the mark (10% by default), whichever is further; what that leaves is the bankrupt
/// account's, covered by the fund if it can and otherwise recorded as uncovered. acc-c is short 2 BTCUSDT at 60,000 on
/// 100,000 USDT; acc-1 holds 1,000 USDT and is long 1 at 60,000; the fund is empty.
/// </summary>
public sealed class AdlPriceBandTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";

    /// <summary>
    /// BTC at 58,000: acc-1 is at -1,000 and its round starts. While the views are collected the venue sells 0.9 of its
    /// long at 50,000, far below the mark (a thin book in a crash): 1,000 - 0.9 x 10,000 = -8,000 USDT, long 0.1, equity
    /// -8,000 - 0.1 x 2,000 = -8,200, so its bankruptcy price is 58,000 + 8,200 / 0.1 = 140,000, 2.4 times the mark. The
    /// round is priced at the further of the entry (60,000) and the band's edge (58,000 x 1.1 = 63,800): acc-c buys 0.1 at
    /// 63,800 (100,000 - 0.1 x 3,800 = 99,620 USDT, short 1.9 left) and acc-1 sells it there, flat with -8,000 + 380 =
    /// -7,620 USDT. The fund, asked for the 7,620, has nothing: the liquidation completes with 7,620 USD recorded as
    /// uncovered. Before, acc-c bought at 140,000: 8,200 taken in one fill of 0.1 contract for a loss the book made.
    /// </summary>
    [Fact]
    public void A_deficit_deepened_past_the_entry_is_passed_on_no_further_than_the_band_and_the_rest_recorded_as_uncovered()
    {
        var adl = OpenAccCAndAcc1();
        MoveBtc(58_000m);
        AwaitAssert(() => Assert.IsType<LiquidationCoverReceived>(History(Liquidation).Steps[^1]), TimeSpan.FromSeconds(10));

        Trade("acc-1", OrderSide.Sell, 0.9m, 50_000m);
        var notices = AdlNoticesUntil(adl, heard => heard.Count == 2);

        AssertNotices(
        [
            new AutoDeleveraged(Liquidation, "acc-c", Btc, OrderSide.Buy, 0.1m, 63_800m, $"{Liquidation}:adl-1:acc-c"),
            new AutoDeleveraged(Liquidation, "acc-1", Btc, OrderSide.Sell, 0.1m, 63_800m, $"{Liquidation}:adl-1:acc-c:bankrupt"),
        ], notices);
        AdvanceUntil(() => History(Liquidation).Status == LiquidationStatus.Completed, TimeSpan.FromMilliseconds(100));
        Assert.Equal(7_620m, History(Liquidation).Steps.OfType<LiquidationCoverReceived>().Last().UncoveredUsd);
        Assert.Equal([new CollateralBalance("USDT", -7_620m)], Account("acc-1").Balances);
        Assert.Empty(Account("acc-1").Positions);
        Assert.Equal([new CollateralBalance("USDT", 99_620m)], Account("acc-c").Balances);
        Assert.Equal([new Position(Btc, -1.9m, 60_000m)], Account("acc-c").Positions);
    }

    /// <summary>
    /// BTC gaps to 50,000: acc-1 is at 1,000 - 10,000 = -9,000, its bankruptcy price 50,000 + 9,000 / 1 = 59,000, 18% above
    /// the mark but below its entry: the crash's own gap, passed on whole. acc-c buys 1 at 59,000 (100,000 + 1,000 =
    /// 101,000 USDT) and acc-1 ends flat at 1,000 - 1,000 = 0, nothing uncovered.
    /// </summary>
    [Fact]
    public void A_crashs_own_gap_past_the_band_but_within_the_entry_is_passed_on_whole()
    {
        var adl = OpenAccCAndAcc1();

        MoveBtc(50_000m);
        var notices = AdlNoticesUntil(adl, heard => heard.Count == 2);

        Assert.All(notices, n => Assert.Equal((1m, 59_000m), (n.Quantity, n.Price)));
        AdvanceUntil(() => History(Liquidation).Status == LiquidationStatus.Completed, TimeSpan.FromMilliseconds(100));
        Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
        Assert.Equal([new CollateralBalance("USDT", 101_000m)], Account("acc-c").Balances);
    }

    /// <summary>Opens acc-c and acc-1 as the type's summary says; a probe of the auto-deleverage notices.</summary>
    private Actors.TestKit.TestProbe OpenAccCAndAcc1()
    {
        var adl = CreateTestProbe("adl");
        Sys.EventStream.Subscribe(adl.Ref, typeof(AutoDeleveraged));
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");
        return adl;
    }
}
