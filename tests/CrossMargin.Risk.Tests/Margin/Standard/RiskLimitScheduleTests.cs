using CrossMargin.Risk.Margin.Standard;
using CrossMargin.Risk.Tests.Fixtures;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Margin.Standard;

public class RiskLimitScheduleTests
{
    private static readonly RiskLimitSchedule Binance = TestParameters.BinanceSchedule();

    [Fact]
    public void Binance_2021_btcusdt_maintenance_amounts_are_the_continuous_ones()
    {
        // Built without the published amounts: the schedule derives them from floor x (rate - previous rate).
        var derived = new RiskLimitSchedule(TestParameters.BinanceBtcUsdt2021.Select(b => b with { PublishedAmount = null }));

        decimal[] expected = [0m, 50m, 1_300m, 16_300m, 266_300m, 1_266_300m, 2_516_300m, 5_016_300m, 25_016_300m, 100_016_300m];
        Assert.Equal(expected, derived.Brackets.Select(b => b.MaintenanceAmountUsd));
    }

    [Fact]
    public void Binance_2021_btcusdt_table_with_its_published_amounts_loads()
    {
        Assert.Equal(10, Binance.Brackets.Count);
        Assert.Null(Binance.Brackets[^1].NotionalCapUsd);
    }

    [Fact]
    public void Mistyped_published_maintenance_amount_is_rejected_naming_the_right_one()
    {
        var table = TestParameters.BinanceBtcUsdt2021.ToArray();
        table[3] = table[3] with { PublishedAmount = 16_000m };

        var error = Assert.Throws<ArgumentException>(() => new RiskLimitSchedule(table));
        Assert.Contains("Bracket 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("16300", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gap_between_brackets_is_rejected()
    {
        var table = TestParameters.BinanceBtcUsdt2021.ToArray();
        table[2] = table[2] with { Floor = 260_000m };

        Assert.Throws<ArgumentException>(() => new RiskLimitSchedule(table));
    }

    [Fact]
    public void A_maintenance_rate_of_100_percent_is_rejected()
    {
        // With r = 1 a long's equity less maintenance margin no longer moves with the price in that bracket, and the
        // liquidation price's solution divides by Q (1 - r) = 0: a long of 1 at 150,000 with 80,000 equity (no root below
        // notional 100,000) made LiquidationPrice.ForLinear throw DivideByZeroException, and with it the isolated assessment.
        var error = Assert.Throws<ArgumentException>(() => new RiskLimitSchedule([(0m, 100_000m, 0.5m, 0.5m, null), (100_000m, null, 1m, 1m, null)]));

        Assert.Contains("maintenance rate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bracket_floor_is_inclusive_and_cap_exclusive()
    {
        Assert.Equal(0, Binance.IndexOf(49_999.99m));
        Assert.Equal(1, Binance.IndexOf(50_000m));
        Assert.Equal(9, Binance.IndexOf(300_000_000m));
        Assert.Equal(9, Binance.IndexOf(5_000_000_000m));
    }

    [Fact]
    public void Initial_and_maintenance_margin_are_continuous_at_every_bracket_edge()
    {
        for (var i = 1; i < Binance.Brackets.Count; i++)
        {
            var below = Binance.Brackets[i - 1];
            var above = Binance.Brackets[i];
            var edge = above.NotionalFloorUsd;

            Assert.Equal(below.InitialMargin(edge), above.InitialMargin(edge));
            Assert.Equal(below.MaintenanceMargin(edge), above.MaintenanceMargin(edge));
            // And through the lookup: one cent below the edge is one cent of notional times the lower rate away.
            var justBelow = edge - 0.01m;
            Assert.Equal(above.InitialMargin(edge) - (0.01m * below.InitialRate), Binance.BracketFor(justBelow).InitialMargin(justBelow));
            Assert.Equal(above.MaintenanceMargin(edge) - (0.01m * below.MaintenanceRate), Binance.BracketFor(justBelow).MaintenanceMargin(justBelow));
        }
    }

    [Fact]
    public void Margin_is_non_decreasing_in_notional()
    {
        // Notionals drawn across all ten brackets, half of them within $1,000 of an edge.
        var edges = Binance.Brackets.Skip(1).Select(b => b.NotionalFloorUsd).ToArray();
        var anywhere = Gen.Choose(0, 400_000).Select(k => k * 1_000m);
        var nearEdge = Gen.Zip(Gen.Elements(edges), Gen.Choose(-100_000, 100_000)).Select(t => t.Item1 + (t.Item2 / 100m));
        var notional = Gen.OneOf(anywhere, nearEdge);

        PropertyCheck.ForAll(Gen.Zip(notional, notional), pair =>
        {
            var (low, high) = pair.Item1 <= pair.Item2 ? pair : (pair.Item2, pair.Item1);
            Assert.True(Im(low) <= Im(high), $"IM({low}) = {Im(low)} > IM({high}) = {Im(high)}");
            Assert.True(Mm(low) <= Mm(high), $"MM({low}) = {Mm(low)} > MM({high}) = {Mm(high)}");
            Assert.True(Mm(low) <= Im(low));
        }, cases: 200);
    }

    private static decimal Im(decimal notional) => Binance.BracketFor(notional).InitialMargin(notional);

    private static decimal Mm(decimal notional) => Binance.BracketFor(notional).MaintenanceMargin(notional);
}
