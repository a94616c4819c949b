using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// The bankrupt account's side of an auto-deleverage fill goes once its counterparty has applied its own. The round is
/// priced from a view asked for just before, but the venue can still trade the account in that last round trip (a fill
/// of an order that raced the cancel-all, or the late fill of a liquidation order that expired unreported): the side
/// then states a position the account no longer holds, and the account refuses it. Forced, it closed more than the
/// account held and flipped it; now the counterparty's side is reversed at the same price and the account is priced again.
/// </summary>
public sealed class AdlBankruptSideTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";

    /// <summary>
    /// acc-1: 2,000 USDT, long 2 BTCUSDT at 60,000; acc-b: 10,000 USDT, short 2 at 60,000; the fund is empty. BTC at
    /// 58,000: acc-1's equity 2,000 - 2 x 2,000 = -2,000, bankruptcy price 58,000 + 2,000 / 2 = 59,000 (within the band:
    /// the entry 60,000 is further). Round 1: acc-b buys 2 at 59,000. Just before acc-1's side arrives the venue sells
    /// 1.5 of its long at 58,000: balance 2,000 - 1.5 x 2,000 = -1,000, long 0.5. Its side (sell 2, stating long 2) is
    /// refused. Before, it was sent again without the position it states and applied: acc-1 ended short 1.5 at 59,000.
    /// Now acc-b's buy is reversed (it sells 2 at 59,000: short 2 at 59,000, balance 10,000 + 2 x 1,000 = 12,000) and
    /// acc-1 is priced again from what it holds: equity -1,000 + 0.5 x (58,000 - 60,000) = -2,000, bankruptcy price
    /// 58,000 + 2,000 / 0.5 = 62,000 (the band's edge is 58,000 x 1.1 = 63,800). Round 2: acc-b buys 0.5 at 62,000
    /// (short 1.5 at 59,000, balance 12,000 - 0.5 x 3,000 = 10,500) and acc-1 sells 0.5 there: flat, balance -1,000 +
    /// 0.5 x 2,000 = 0.
    /// </summary>
    [Fact]
    public void A_bankrupt_side_refused_because_the_venue_sold_most_of_the_long_first_never_closes_more_than_the_account_holds()
    {
        var adl = RaceAcc1sFirstSide(sold: 1.5m);
        OpenShort("acc-b", 10_000m, 2m, 60_000m);
        Deposit("acc-1", 2_000m);
        Trade("acc-1", OrderSide.Buy, 2m, 60_000m);

        MoveBtc(58_000m);
        var notices = AdlNoticesUntil(adl, heard => heard.Any(n => n.AccountId == "acc-1"));

        AssertNotices(
        [
            new AutoDeleveraged(Liquidation, "acc-b", Btc, OrderSide.Buy, 2m, 59_000m, $"{Liquidation}:adl-1:acc-b"),
            new AutoDeleveraged(Liquidation, "acc-b", Btc, OrderSide.Sell, 2m, 59_000m, $"{Liquidation}:adl-1:acc-b:reversed"),
            new AutoDeleveraged(Liquidation, "acc-b", Btc, OrderSide.Buy, 0.5m, 62_000m, $"{Liquidation}:adl-2:acc-b"),
            new AutoDeleveraged(Liquidation, "acc-1", Btc, OrderSide.Sell, 0.5m, 62_000m, $"{Liquidation}:adl-2:acc-b:bankrupt"),
        ], notices);
        AwaitAssert(() => Assert.Empty(Account("acc-1").Positions));
        Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
        Assert.Equal([new Position(Btc, -1.5m, 59_000m)], Account("acc-b").Positions);
        Assert.Equal([new CollateralBalance("USDT", 10_500m)], Account("acc-b").Balances);
    }

    /// <summary>
    /// acc-1 (1,000 USDT, long 1 at 60,000) and acc-b (2,000 USDT, short 0.6 at 60,000), BTC at 58,000: acc-1's equity
    /// -1,000, bankruptcy price 59,000; acc-b buys 0.6 there. The venue sells 0.5 of acc-1's long at 58,000 first, leaving
    /// a long of 0.5 under a side that sells 0.6. Until session 26 the side was sent again without the position it states
    /// and applied, crossing zero to a short of 0.1. Now acc-b's side is reversed at the same price (short 0.6 at 59,000,
    /// 2,000 + 0.6 x 1,000 = 2,600 USDT) and acc-1 is priced again: 1,000 - 0.5 x 2,000 = 0 USDT, long 0.5, equity
    /// -1,000 at 58,000, bankruptcy price 58,000 + 1,000 / 0.5 = 60,000. Round 2: acc-b buys 0.5 at 60,000 (short 0.1 at
    /// 59,000, 2,600 - 0.5 x 1,000 = 2,100 USDT) and acc-1 sells it there, flat at 0. Every side is announced and the books net.
    /// </summary>
    [Fact]
    public void A_bankrupt_side_refused_because_a_venue_fill_reached_the_account_first_reverses_the_counterpartys_side_and_prices_again()
    {
        var adl = RaceAcc1sFirstSide(sold: 0.5m);
        OpenShort("acc-b", 2_000m, 0.6m, 60_000m);
        OpenLong("acc-1");

        MoveBtc(58_000m);
        var notices = AdlNoticesUntil(adl, heard => heard.Any(n => n.AccountId == "acc-1"));

        Assert.Equal(ReversedThenAt60000(), notices);
        AssertBothEndAsIfNeverRaced();
        Assert.Equal(2, Account("acc-1").HighestOf(LiquidationCoordinator.AdlSource));
    }

    /// <summary>
    /// As above, but the reversal of acc-b's side is lost on its way. The order timeout sends it again, it applies, and
    /// the liquidation goes on as above; the refusal is journaled once, with the reversal's sequence (acc-b's second).
    /// </summary>
    [Fact]
    public void A_reversal_of_the_counterpartys_side_lost_on_its_way_is_sent_again_on_the_timeout()
    {
        var (adl, notices) = LoseTheReversal();

        // The order timeout (ten minutes here) sends the reversal again.
        Clock.Advance(TimeSpan.FromMinutes(10));
        notices.AddRange(AdlNoticesUntil(adl, heard => heard.Any(n => n.AccountId == "acc-1")));

        Assert.Equal(ReversedThenAt60000(), notices);
        AssertBothEndAsIfNeverRaced();
        var refused = Assert.Single(History(Liquidation).Steps.OfType<AutoDeleverageBankruptSideRefused>());
        Assert.Equal(("acc-b", RejectionCode.PositionChanged, (long?)2), (refused.CounterpartyId, refused.Code, refused.ReversalSequence));
    }

    /// <summary>
    /// As above, the reversal lost, and the coordinator restarts before the order timeout. The restarted coordinator sends
    /// the reversal again from the journaled refusal (and the void of acc-1's side, not the side), and both end as in a
    /// run never restarted, round 2 at 60,000.
    /// </summary>
    [Fact]
    public void A_reversal_lost_before_a_restart_is_sent_again_by_the_restarted_coordinator()
    {
        LoseTheReversal();
        RestartCoordinator();
        AdvanceUntil(() => Account("acc-1").Positions.Count == 0, TimeSpan.FromMilliseconds(100));

        AssertBothEndAsIfNeverRaced();
        var round2 = Assert.Single(History(Liquidation).Steps.OfType<AutoDeleverageExecuted>(), e => e.Round == 2);
        Assert.Equal([("acc-b", 0.5m, 60_000m)], round2.Fills.Select(f => (f.AccountId, f.Quantity, f.Price)));
    }

    /// <summary>
    /// Restarts the coordinator behind a region where the venue sells <paramref name="sold"/> of acc-1's long at 58,000
    /// just before acc-1's side of round 1 arrives (and, with <paramref name="loseTheReversal"/>, the first reversal of
    /// acc-b's side is lost on its way); returns a probe of the ADL notices.
    /// </summary>
    private TestProbe RaceAcc1sFirstSide(decimal sold, bool loseTheReversal = false)
    {
        var racing = new ApplyExecution("race-1", "racing-venue", 1, "race-x", "race-o", Btc, OrderSide.Sell, sold, 58_000m, 0m, Liquidity.Taker,
            TestMarket.ValuationTime);
        var race = Sys.ActorOf(Props.Create(() => new RacingRegion(Region, $"{Liquidation}:adl-1:acc-b:bankrupt", racing)));
        RestartCoordinator(loseTheReversal
            ? Sys.ActorOf(Props.Create(() => new DroppingRegion(race, c => c is ApplyExecution { MessageId: $"{Liquidation}:adl-1:acc-b:reversed" })))
            : race);
        var adl = CreateTestProbe("adl");
        Sys.EventStream.Subscribe(adl.Ref, typeof(AutoDeleveraged));
        return adl;
    }

    /// <summary>
    /// Runs the raced round with the reversal of acc-b's side lost, until acc-1's refusal is journaled (acc-b flat, its
    /// buy the one notice heard); returns the probe and that notice.
    /// </summary>
    private (TestProbe Adl, List<AutoDeleveraged> Notices) LoseTheReversal()
    {
        var adl = RaceAcc1sFirstSide(sold: 0.5m, loseTheReversal: true);
        OpenShort("acc-b", 2_000m, 0.6m, 60_000m);
        OpenLong("acc-1");

        MoveBtc(58_000m);
        var notices = AdlNoticesUntil(adl, heard => heard.Count == 1);
        AwaitAssert(() => Assert.Contains(History(Liquidation).Steps, e => e is AutoDeleverageBankruptSideRefused));
        Assert.Empty(Account("acc-b").Positions);
        return (adl, notices);
    }

    /// <summary>acc-1 flat at 0 USDT, acc-b short 0.1 at 59,000 with 2,100 USDT (the summary above).</summary>
    private void AssertBothEndAsIfNeverRaced()
    {
        AwaitAssert(() => Assert.Empty(Account("acc-1").Positions));
        Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
        Assert.Equal([new Position(Btc, -0.1m, 59_000m)], Account("acc-b").Positions);
        Assert.Equal([new CollateralBalance("USDT", 2_100m)], Account("acc-b").Balances);
    }

    /// <summary>acc-b's buy of 0.6 at 59,000, its reversal, then round 2's fill of 0.5 at 60,000: acc-b's buy, acc-1's sell.</summary>
    private static List<AutoDeleveraged> ReversedThenAt60000() =>
    [
        new(Liquidation, "acc-b", Btc, OrderSide.Buy, 0.6m, 59_000m, $"{Liquidation}:adl-1:acc-b"),
        new(Liquidation, "acc-b", Btc, OrderSide.Sell, 0.6m, 59_000m, $"{Liquidation}:adl-1:acc-b:reversed"),
        new(Liquidation, "acc-b", Btc, OrderSide.Buy, 0.5m, 60_000m, $"{Liquidation}:adl-2:acc-b"),
        new(Liquidation, "acc-1", Btc, OrderSide.Sell, 0.5m, 60_000m, $"{Liquidation}:adl-2:acc-b:bankrupt"),
    ];
}
