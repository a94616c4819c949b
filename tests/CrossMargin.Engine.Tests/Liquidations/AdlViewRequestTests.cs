using CrossMargin.Actors;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Risk.Portfolios;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// The views an auto-deleverage round asks its counterparties for are answered under the request's id: an answer to
/// another request (an earlier round's, given up on; another liquidation's) is dropped, not taken as the one awaited.
/// acc-1 holds 1,000 USDT and is long 1 BTCUSDT at 60,000: at 58,000 it is at -1,000, bankrupt at 59,000, and the fund is
/// empty. acc-c is short 2 at 60,000 on 100,000 USDT (score 3.33% x 116,000 / 104,000, about 0.037), acc-d short 0.4 at
/// 60,000 on 100,000 USDT (3.33% x 23,200 / 100,800, about 0.008): acc-c ranks first.
/// </summary>
public sealed class AdlViewRequestTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";

    /// <summary>
    /// Round 1 would take 1 from acc-c and asks for its view; the answer (short 2) is held back, so after the order timeout
    /// the round goes on without acc-c: acc-d gives its 0.4 (acc-1: 600 USDT, long 0.6, -600, bankrupt again at 59,000).
    /// Meanwhile the venue buys 1.9 of acc-c's short: it holds 0.1. Round 2 collects acc-c's 0.1 and asks for its view; the
    /// held answer to round 1's request arrives first and is dropped, and round 2 takes the 0.1 its own answer shows, which
    /// acc-c applies. Before, the late answer was taken as round 2's: acc-c counted short 2, the round took 0.6 from it,
    /// and acc-c refused the fill (PositionChanged, holding 0.1): the confirmation, there to see a venue fill since the
    /// collection, saw the state before it.
    /// </summary>
    [Fact]
    public void A_late_answer_to_an_earlier_rounds_view_request_is_not_taken_for_the_current_rounds()
    {
        var held = CreateTestProbe("held");
        RestartCoordinator(Sys.ActorOf(Props.Create(() => new LateViewRegion(Region, "acc-c", held.Ref, afterCover: false))));
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenShort("acc-d", 100_000m, 0.4m, 60_000m);
        OpenLong("acc-1");

        MoveBtc(58_000m);
        AdvanceUntil(() => held.QueuedCount > 0, TimeSpan.FromMilliseconds(100));
        Trade("acc-c", OrderSide.Buy, 1.9m, 58_000m);
        AdvanceUntil(() => History(Liquidation).Steps.OfType<AutoDeleverageExecuted>().Count() >= 2, TimeSpan.FromMinutes(1), steps: 500);

        var rounds = History(Liquidation).Steps.OfType<AutoDeleverageExecuted>().ToArray();
        Assert.Equal([("acc-d", 0.4m)], rounds[0].Fills.Select(f => (f.AccountId, f.Quantity)));
        Assert.Equal([("acc-c", 0.1m)], rounds[1].Fills.Select(f => (f.AccountId, f.Quantity)));
        AwaitAssert(() => Assert.Empty(Account("acc-c").Positions));
        Assert.DoesNotContain(History(Liquidation).Steps, s => s is AutoDeleverageFillRefused);
    }
}
