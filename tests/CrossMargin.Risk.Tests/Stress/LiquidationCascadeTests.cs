using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Stress;

namespace CrossMargin.Risk.Tests.Stress;

public class LiquidationCascadeTests
{
    private static readonly MarketSnapshot Market = CascadeBook.Market;
    private static readonly MarginCalculator Calculator = CascadeBook.Calculator;
    private static readonly Portfolio[] Book = CascadeBook.Accounts;

    [Fact]
    public void Impact_of_forced_selling_liquidates_the_next_account_and_the_fund_pays_the_deficits()
    {
        var parameters = new CascadeParameters(new Dictionary<string, double> { ["BTC"] = 0.1 }, 0, InsuranceFundUsd: 1_000_000m);

        var result = LiquidationCascade.Run(Calculator, Book, Market, MarketShock.Uniform(-0.10), parameters);

        Assert.True(result.Stable);
        Assert.Equal(["thin"], result.Rounds[0].Liquidated);
        Assert.Equal(["second"], result.Rounds[1].Liquidated);
        Assert.Empty(result.Rounds[^1].Liquidated);
        // Round 1 sells 10 BTC at 54,000 = 540,000 USD: BTC moves to 0.9 x (1 - 0.054) of its price.
        Assert.Equal(540_000m, result.Rounds[0].ForcedVolumeUsd["BTC"]);
        Assert.Equal((0.9 * (1 - 0.054)) - 1, result.Rounds[1].SpotMoves["BTC"], 9);
        // "thin" ends at 50,000 - 60,000 = -10,000; "second" at 85,000 - 600,000 x (1 - 0.8514) = -4,160.
        Assert.Equal(10_000m + 4_160m, result.InsuranceFundUsedUsd, 2);
        Assert.Equal(1_000_000m - result.InsuranceFundUsedUsd, result.InsuranceFundLeftUsd);
        Assert.Equal(0m, result.UncoveredUsd);
    }

    [Fact]
    public void Without_impact_the_cascade_stops_after_the_first_liquidations_and_an_empty_fund_leaves_the_deficit_uncovered()
    {
        var parameters = new CascadeParameters(new Dictionary<string, double>(), 0, InsuranceFundUsd: 4_000m);

        var result = LiquidationCascade.Run(Calculator, Book, Market, MarketShock.Uniform(-0.10), parameters);

        Assert.Equal(2, result.Rounds.Count);
        Assert.Equal(4_000m, result.InsuranceFundUsedUsd);
        Assert.Equal(6_000m, result.UncoveredUsd, 6);
        Assert.Equal(540_000m, result.ForcedVolumeUsd);
    }

    [Fact]
    public void A_cascade_that_keeps_going_stops_at_the_round_limit()
    {
        var parameters = new CascadeParameters(new Dictionary<string, double> { ["BTC"] = 0.1 }, 0, 1_000_000m, MaxRounds: 1);

        var result = LiquidationCascade.Run(Calculator, Book, Market, MarketShock.Uniform(-0.10), parameters);

        Assert.False(result.Stable);
        Assert.Single(result.Rounds);
    }
}
