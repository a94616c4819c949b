using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// How far from the mark an auto-deleverage round may price its fills: within the ADL band (10% by default) of the mark,
/// whatever the deficit; what the band leaves is the bankrupt account's, covered by the fund if it can and otherwise
/// recorded as uncovered. acc-c is short 2 BTCUSDT at 60,000 on 100,000 USDT; acc-1 holds 1,000 USDT and is long 1 at
/// 60,000; the fund is empty.
/// </summary>
public sealed class AdlPriceBandTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";

    /// <summary>
    /// BTC gaps to 50,000: acc-1's equity is 1,000 - 10,000 = -9,000, its bankruptcy price 50,000 + 9,000 / 1 = 59,000,
    /// 18% above the mark. The round is priced at the band's edge, 50,000 x 1.10 = 55,000: acc-c buys 1 there (5,000
    /// against the mark, 100,000 + 5,000 = 105,000 USDT, short 1 left) and acc-1 sells 1 there, flat with 1,000 - 5,000 =
    /// -4,000 USDT. The fund, asked again for the 4,000, has nothing: the liquidation completes with 4,000 USD recorded as
    /// uncovered. Before, acc-c bought at 59,000: a price the market never traded, 9,000 taken from a counterparty for a
    /// deficit it did not make (session 23's cluster runs: one contract at 50,684,207 with BTC at 42,000).
    /// </summary>
    [Fact]
    public void A_deficit_past_the_ADL_band_is_passed_on_at_the_bands_edge_and_the_rest_recorded_as_uncovered()
    {
        var adl = CreateTestProbe("adl");
        Sys.EventStream.Subscribe(adl.Ref, typeof(AutoDeleveraged));
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");

        MoveBtc(50_000m);
        var notices = AdlNoticesUntil(adl, heard => heard.Count == 2);

        AssertNotices(
        [
            new AutoDeleveraged(Liquidation, "acc-c", Btc, OrderSide.Buy, 1m, 55_000m, $"{Liquidation}:adl-1:acc-c"),
            new AutoDeleveraged(Liquidation, "acc-1", Btc, OrderSide.Sell, 1m, 55_000m, $"{Liquidation}:adl-1:acc-c:bankrupt"),
        ], notices);
        AdvanceUntil(() => History(Liquidation).Status == LiquidationStatus.Completed, TimeSpan.FromMilliseconds(100));
        Assert.Equal(4_000m, History(Liquidation).Steps.OfType<LiquidationCoverReceived>().Last().UncoveredUsd);
        Assert.Equal([new CollateralBalance("USDT", -4_000m)], Account("acc-1").Balances);
        Assert.Empty(Account("acc-1").Positions);
        Assert.Equal([new CollateralBalance("USDT", 105_000m)], Account("acc-c").Balances);
        Assert.Equal([new Position(Btc, -1m, 60_000m)], Account("acc-c").Positions);
    }
}
