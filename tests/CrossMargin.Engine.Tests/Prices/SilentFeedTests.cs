using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Prices;

/// <summary>
/// A feed that stops leaves its last price in force; the engine must at least say how old each asset's price is, so an
/// operator (or a monitor on <c>/api/v1/prices/stats</c>) sees the silence.
/// </summary>
public sealed class SilentFeedTests(ITestOutputHelper output) : ManualClockEngineTestKit(output)
{
    [Fact]
    public async Task Price_stats_show_when_each_asset_last_had_an_index_accepted_so_a_silent_feed_shows_its_age()
    {
        var ticked = Time!.GetUtcNow();
        MoveBtc(61_000m, TestMarket.BtcUsdt);

        Time.Advance(TimeSpan.FromHours(1));
        var stats = await Engine.GetPriceStatsAsync().WaitAsync(Answer);

        // BTC ticked an hour ago and not since; ETH never ticked on this engine.
        Assert.Equal(ticked, stats.IndexTimes["BTC"]);
        Assert.False(stats.IndexTimes.ContainsKey("ETH"));
        Assert.Equal(["BTC"], stats.SilentFor(Time.GetUtcNow(), TimeSpan.FromMinutes(59)));
    }
}
