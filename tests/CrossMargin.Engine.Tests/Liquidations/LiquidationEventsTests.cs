using System.Text;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Serialization;

namespace CrossMargin.Engine.Tests.Liquidations;

public sealed class LiquidationEventsTests
{
    private static readonly EventTypeRegistry Registry = LiquidationEvents.Register(AccountEvents.Register(new EventTypeRegistry()));

    [Fact]
    public void A_completion_journalled_before_market_times_were_recorded_reads_back_without_one()
    {
        // The payload as version 1 of the event wrote it, before it carried the market time.
        var old = new SerializedPayload("liquidation.completed", LiquidationEvents.Version,
            Encoding.UTF8.GetBytes("""{"liquidationId":"liq-acc-1-1","reason":"done","time":"2026-03-02T08:00:05+00:00"}"""));

        var completed = Registry.Deserialize<LiquidationCompleted>(old);

        Assert.Equal(new LiquidationCompleted("liq-acc-1-1", "done", new DateTimeOffset(2026, 3, 2, 8, 0, 5, TimeSpan.Zero)), completed);
        Assert.Null(completed.MarketTime);
    }

    [Fact]
    public void A_completion_keeps_its_market_time_through_the_journal()
    {
        var completed = new LiquidationCompleted("liq-acc-1-1", "done", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero));

        Assert.Equal(completed, Registry.Deserialize<LiquidationCompleted>(Registry.Serialize(completed)));
    }
}
