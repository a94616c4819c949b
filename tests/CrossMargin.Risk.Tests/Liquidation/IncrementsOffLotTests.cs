using CrossMargin.Risk.Instruments;
using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Liquidation;

/// <summary>
/// A liquidation order is cut to its increment; on a venue with a lot, an increment that is not a whole number of lots
/// gives orders the matching engine refuses (and fills the accounts would): the engine refuses to start with one.
/// </summary>
public class IncrementsOffLotTests
{
    private static readonly Instrument BtcUsdt = TestMarket.Instruments.Single(i => i.Symbol == TestMarket.BtcUsdt);

    private static readonly Instrument Inverse = TestMarket.Instruments.Single(i => i.Symbol == TestMarket.BtcInversePerp);

    private static LiquidationParameters Parameters(decimal defaultIncrement, Dictionary<string, decimal>? increments = null) =>
        new(0.05m, 0.25m, 0.005m, 0.02m, 100m, defaultQuantityIncrement: defaultIncrement, quantityIncrements: increments);

    [Fact]
    public void Increments_that_are_whole_numbers_of_each_lot_and_instruments_without_a_lot_are_compatible()
    {
        // 0.1 is 100 lots of 0.001 and 10,000,000 of the default 1e-8; 1 is 1 lot of 1.
        var parameters = Parameters(0.1m, new() { [TestMarket.BtcInversePerp] = 1m });

        Assert.Empty(parameters.IncrementsOffLot([BtcUsdt with { LotSize = 0.001m }, Inverse with { LotSize = 1m }, .. TestMarket.Instruments], []));
    }

    [Fact]
    public void An_increment_off_its_instruments_lot_is_named_with_both()
    {
        // 0.1 is a third of a lot of 0.3; the override 2.5 on a lot of 1 is two and a half.
        var parameters = Parameters(0.1m, new() { [TestMarket.BtcInversePerp] = 2.5m });

        var errors = parameters.IncrementsOffLot([BtcUsdt with { LotSize = 0.3m }, Inverse with { LotSize = 1m }], []);

        Assert.Equal(
        [
            "BTCUSDT: the liquidation quantity increment 0.1 is not a whole number of its lot 0.3.",
            "BTC-PERPETUAL: the liquidation quantity increment 2.5 is not a whole number of its lot 1.",
        ], errors);
    }

    [Fact]
    public void The_default_increment_off_a_schedules_lot_is_named_for_the_contracts_it_lists_later()
    {
        var schedule = new ListingSchedule("BTC", "USDT", SettlementKind.Linear, 1m, 0.5m, ListingCycle.Quarterly, 2, TestMarket.ValuationTime, null) { LotSize = 10m };

        var errors = Parameters(1m).IncrementsOffLot([], [schedule]);

        Assert.Equal(["The BTC Linear future schedule: the default liquidation quantity increment 1 is not a whole number of its lot 10."], errors);
        Assert.Empty(Parameters(20m).IncrementsOffLot([], [schedule]));
    }
}
