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

        var probe = CreateTestProbe();
        var refused = Refused(probe);
        Assert.Contains("does not list", refused.Message, StringComparison.Ordinal);

        // Past half the horizon the feed knows the schedules' contracts a horizon ahead: BTC-28SEP29 is known, due later.
        Time.Advance(start + (MarketDefinition.ListingHorizon / 2) - Time.GetUtcNow());
        AwaitAssert(() =>
        {
            Time.Advance(TimeSpan.FromHours(1));
            Assert.Contains("not listed until 2029-06-29T08:00:00", Refused(probe).Message, StringComparison.Ordinal);
        }, Wait);

        // And at its time it is listed, tick or not.
        Time.Advance(new DateTimeOffset(2029, 7, 2, 0, 0, 0, TimeSpan.Zero) - Time.GetUtcNow());
        AwaitAssert(() =>
        {
            Time.Advance(TimeSpan.FromMinutes(1));
            Assert.NotNull(Engine.Market.Current.FindInstrument(Beyond));
        }, Wait);
        Assert.NotNull(Engine.Market.Current.FindExpired("BTC-29JUN29"));

        var now = Time.GetUtcNow();
        Engine.Prices.Tell(new UpdateMark(Beyond, 61_234.5m, null, now), probe.Ref);
        Assert.IsType<PriceAccepted>(probe.ExpectMsg<object>());
        AwaitAssert(() => Assert.Equal(61_234.5m, Engine.Market.Current.MarkOf(Beyond).MarkPrice), Wait);
    }

    private PriceRejected Refused(Actors.TestKit.TestProbe probe)
    {
        Engine.Prices.Tell(new UpdateMark(Beyond, 61_000m, null, Time!.GetUtcNow()), probe.Ref);
        var refused = probe.ExpectMsg<PriceRejected>();
        Assert.Equal((Beyond, PriceRejectionReason.UnknownInstrument), (refused.Symbol, refused.Reason));
        return refused;
    }
}
