using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Persistence.Serialization;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.EndToEnd;

/// <summary>
/// The engine does not start with a liquidation increment off an instrument's lot: each of its liquidation orders would
/// be refused by the venue, and a fill of one by the account (<c>quantityOffLot</c>).
/// </summary>
public sealed class LiquidationIncrementLotTests(ITestOutputHelper output) : AccountHostTestKit(output)
{
    private RiskEngineSettings Settings(decimal lot, LiquidationOptions liquidation) =>
        new(TestMarket.Build(60_000m, 3_000m, TestMarket.Instruments.Where(i => i.Symbol == TestMarket.BtcUsdt).Select(i => i with { LotSize = lot })),
            ["BTC", "USDT"], AccountFixture.Models, Host.Services with { Registry = RiskEngine.RegisterEvents(new EventTypeRegistry()) }, 4, new PriceOptions(),
            liquidation, TimeSpan.FromSeconds(10));

    [Fact]
    public void An_engine_whose_liquidation_increment_is_off_an_instruments_lot_refuses_to_start_naming_both()
    {
        // The default increment 1 is a third of BTCUSDT's lot of 3; the override 0.25 a quarter of its lot of 1.
        var byDefault = Assert.Throws<ArgumentException>(() => RiskEngine.Start(Sys, Settings(3m, new LiquidationOptions())));
        var byOverride = Assert.Throws<ArgumentException>(() => RiskEngine.Start(Sys, Settings(1m,
            new LiquidationOptions { QuantityIncrements = new(StringComparer.Ordinal) { [TestMarket.BtcUsdt] = 0.25m } })));

        Assert.Contains("BTCUSDT: the liquidation quantity increment 1 is not a whole number of its lot 3.", byDefault.Message, StringComparison.Ordinal);
        Assert.Contains("BTCUSDT: the liquidation quantity increment 0.25 is not a whole number of its lot 1.", byOverride.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_engine_whose_liquidation_increment_is_a_whole_number_of_lots_starts()
    {
        // 1 is 1,000 lots of 0.001.
        var engine = RiskEngine.Start(Sys, Settings(0.001m, new LiquidationOptions()));

        Assert.Equal(0.001m, engine.Market.Current.GetInstrument(TestMarket.BtcUsdt).LotSize);
    }
}
