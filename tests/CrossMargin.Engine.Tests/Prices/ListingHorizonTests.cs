using CrossMargin.Engine.Prices;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Instruments;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// A node knew the contracts of its listing schedules for <see cref="MarketDefinition.ListingHorizon"/> (three years)
/// from its start and listed nothing after that until restarted. On a whole engine that opens on 2026-01-01 (the manual
/// clock's start) with quarterly BTC futures listed one quarter ahead, the clock moved to 2029-07-02: BTC-28SEP29 is
/// listed on 2029-06-29 08:00 (the June expiry), past the three years, and must be listed and marked by the feed.
/// </summary>
public sealed class ListingHorizonTests(ITestOutputHelper output) : ManualClockEngineTestKit(output)
{
    private const string Beyond = "BTC-28SEP29";

    /// <inheritdoc />
    protected override IReadOnlyList<ListingSchedule> Listing() =>
        [new ListingSchedule("BTC", "USDT", SettlementKind.Linear, 0.001m, 0.1m, ListingCycle.Quarterly, 1, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), null)];

    [Fact]
    public void A_node_running_past_its_listing_horizon_goes_on_listing_and_its_feed_marks_what_it_lists()
    {
        var start = Time!.GetUtcNow();
        var listedAt = new DateTimeOffset(2029, 6, 29, 8, 0, 0, TimeSpan.Zero);
        Assert.True(listedAt > start + MarketDefinition.ListingHorizon);

        // A day at a time, so the timers fire as the days pass (the feed's work at half the horizon among them).
        while (Time.GetUtcNow() < new DateTimeOffset(2029, 7, 2, 0, 0, 0, TimeSpan.Zero))
        {
            Time.Advance(TimeSpan.FromDays(1));
        }

        AwaitAssert(() => Assert.NotNull(Engine.Market.Current.FindInstrument(Beyond)), Wait);
        Assert.NotNull(Engine.Market.Current.FindExpired("BTC-29JUN29"));

        var probe = CreateTestProbe();
        var now = Time.GetUtcNow();
        Engine.Prices.Tell(new UpdateMark(Beyond, 61_234.5m, null, now), probe.Ref);
        Assert.IsType<PriceAccepted>(probe.ExpectMsg<object>());
        AwaitAssert(() => Assert.Equal(61_234.5m, Engine.Market.Current.MarkOf(Beyond).MarkPrice), Wait);
    }
}
