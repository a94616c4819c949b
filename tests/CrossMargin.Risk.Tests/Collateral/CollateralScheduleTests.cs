using CrossMargin.Risk.Collateral;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Collateral;

public class CollateralScheduleTests
{
    private static readonly CollateralSchedule Schedule = TestParameters.Collateral();
    private static readonly CollateralRule Btc = Schedule.Rules["BTC"];

    [Fact]
    public void Haircut_tiers_apply_marginally_like_tax_brackets()
    {
        // $2M of BTC: 5% on the first $1M, 10% on the next $1M.
        Assert.Equal(50_000m + 100_000m, Btc.HaircutOn(2_000_000m));
        // $6M: 50,000 + 10% x 4M + 20% x 1M.
        Assert.Equal(50_000m + 400_000m + 200_000m, Btc.HaircutOn(6_000_000m));
    }

    [Fact]
    public void Collateral_value_is_continuous_at_tier_edges_and_never_falls_as_the_balance_grows()
    {
        foreach (var edge in new[] { 1_000_000m, 5_000_000m })
        {
            Assert.Equal(Btc.HaircutOn(edge), Btc.HaircutOn(edge - 0.000001m) + (0.000001m * 0.05m * (edge == 1_000_000m ? 1 : 2)), 6);
        }

        var value = Gen.Choose(0, 1_000_000).Select(k => k * 10m);
        PropertyCheck.ForAll(Gen.Zip(value, value), pair =>
        {
            var (low, high) = pair.Item1 <= pair.Item2 ? pair : (pair.Item2, pair.Item1);
            Assert.True(low - Btc.HaircutOn(low) <= high - Btc.HaircutOn(high));
            Assert.True(Btc.HaircutOn(low) <= Btc.HaircutOn(high));
        }, cases: 200);
    }

    [Fact]
    public void Negative_balance_counts_in_full_and_ineligible_asset_counts_nothing_when_positive()
    {
        var market = TestMarket.Build();

        var lines = Schedule.Value(
            [new CollateralBalance("BTC", -2m), new CollateralBalance("USD", 1_000m)], market);

        Assert.Equal(-120_000m, lines[0].CollateralValueUsd);
        Assert.Equal(0m, lines[0].HaircutUsd);
        Assert.True(lines[0].Eligible);
        Assert.Equal(0m, lines[1].CollateralValueUsd);
        Assert.Equal(1_000m, lines[1].HaircutUsd);
        Assert.False(lines[1].Eligible);
    }

    [Fact]
    public void Borrowed_ineligible_asset_counts_in_full()
    {
        var line = Schedule.Value([new CollateralBalance("USD", -500m)], TestMarket.Build()).Single();

        Assert.Equal(-500m, line.CollateralValueUsd);
        Assert.Equal(0m, line.HaircutUsd);
    }

    [Fact]
    public void Rule_without_an_unbounded_last_tier_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new CollateralRule("BTC", [new HaircutTier(1_000m, 0.1m)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CollateralRule("BTC", [new HaircutTier(null, 1.5m)]));
        Assert.Throws<ArgumentException>(() => new CollateralSchedule([new CollateralRule("BTC", [new HaircutTier(null, 0m)]), new CollateralRule("BTC", [new HaircutTier(null, 0m)])]));
    }
}
