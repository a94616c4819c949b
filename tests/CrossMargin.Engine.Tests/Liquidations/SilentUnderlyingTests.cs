using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Portfolios;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// A feed that goes silent leaves its last index in force: the coordinator must not send orders into the book, ask the
/// fund or deleverage other accounts at a price nobody refreshes. It pauses them as an operator's halt would, and carries
/// on as soon as an index is accepted again. The BTC index's acceptance is recorded on the node's market, as the price
/// actor does, and the snapshot announced on the event stream, as the publisher does.
/// </summary>
public sealed class SilentUnderlyingTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string Liquidation = "liq-acc-1-1";

    /// <inheritdoc />
    protected override TimeSpan? SilentAfter => TimeSpan.FromSeconds(30);

    [Fact]
    public void A_breach_on_a_silent_underlying_gets_no_liquidation_order_until_its_index_is_accepted_again()
    {
        var venue = VenueProbe();
        OpenLong("acc-1");
        BtcHeardThenQuietFor(TimeSpan.FromSeconds(31));

        MoveBtc(59_230m);

        AwaitAssert(() => Assert.Contains(History(Liquidation).Steps, s => s is LiquidationStepPlanned { Outcome: LiquidationPlanOutcome.Throttled }));
        venue.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        HearBtc();

        // As after an operator's resume: the second step (the first was the paused one) sells 25% of the 1 BTC long, 0.25
        // rounded down to the 0.1 increment = 0.2, limited at 59,230 x (1 - 0.02) = 58,045.40.
        Assert.Equal(new LiquidationOrderIssued(Liquidation, "acc-1", "liq-acc-1-1-s2-1", Btc, OrderSide.Sell, 0.2m, 58_045.40m),
            venue.ExpectMsg<LiquidationOrderIssued>());
    }

    [Fact]
    public void A_breach_on_an_underlying_heard_within_the_bound_is_liquidated_at_once()
    {
        // 30 s is not past a 30 s bound: the same first step as above, as step 1.
        var venue = VenueProbe();
        OpenLong("acc-1");
        BtcHeardThenQuietFor(TimeSpan.FromSeconds(30));

        MoveBtc(59_230m);

        Assert.Equal(new LiquidationOrderIssued(Liquidation, "acc-1", "liq-acc-1-1-s1-1", Btc, OrderSide.Sell, 0.2m, 58_045.40m),
            venue.ExpectMsg<LiquidationOrderIssued>());
    }

    /// <summary>
    /// BTC at 58,500: acc-1's equity is 1,000 - 1,500 = -500. With BTC silent, neither the fund (2,000 USDT) nor
    /// auto-deleveraging against acc-b's short touches that deficit, however many intervals pass; once BTC is heard
    /// again the IOC (filling nothing) goes first, then the fund pays the 500 and keeps 1,500.
    /// </summary>
    [Fact]
    public void A_bankrupt_accounts_deficit_on_a_silent_underlying_waits_for_its_next_index_before_the_fund_or_ADL_touch_it()
    {
        var venue = VenueProbe();
        SeedFund(2_000m);
        OpenShort("acc-b", 2_000m, 0.6m, 60_000m);
        OpenLong("acc-1");
        BtcHeardThenQuietFor(TimeSpan.FromSeconds(31));

        MoveBtc(58_500m);
        AssertDeficitUntouchedForFiveIntervals(venue, Liquidation, 2_000m);

        HearBtc();
        AssertFundPaysAfterAnUnfilledOrder(venue, 1_500m);

        // A plan each interval found BTC silent, each checking it more than once, but the silence is logged once, and its end once.
        Assert.Single(Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("No BTC index accepted since", StringComparison.Ordinal));
        Assert.Single(Logs.Entries, e => e.Message.StartsWith("BTC index accepted again at", StringComparison.Ordinal));
    }

    /// <summary>A BTC index accepted now, then nothing for <paramref name="quiet"/>.</summary>
    private void BtcHeardThenQuietFor(TimeSpan quiet)
    {
        Market.RecordIndexTime("BTC", Clock.GetUtcNow());
        Clock.Advance(quiet);
    }

    /// <summary>What the price side does when a BTC index is accepted now: records its time, then announces the snapshot.</summary>
    private void HearBtc()
    {
        Market.RecordIndexTime("BTC", Clock.GetUtcNow());
        Sys.EventStream.Publish(new MarketChanged(Market.Current, Market.Version, new HashSet<string>(["BTC"], StringComparer.Ordinal)));
    }
}
