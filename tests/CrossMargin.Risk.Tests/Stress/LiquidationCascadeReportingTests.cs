using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Stress;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Risk.Tests.Stress;

/// <summary>What a cascade reports beyond its totals: the trades per instrument, and progress while it runs.</summary>
public class LiquidationCascadeReportingTests
{
    private static readonly MarketSnapshot Market = CascadeBook.Market;
    private static readonly MarginCalculator Calculator = CascadeBook.Calculator;
    private static readonly Portfolio[] Book = CascadeBook.Accounts;

    private static readonly CascadeParameters Impact = new(new Dictionary<string, double> { ["BTC"] = 0.1 }, 0, InsuranceFundUsd: 1_000_000m);

    [Fact]
    public void Each_round_lists_the_contracts_and_notional_it_forced_per_instrument()
    {
        var result = LiquidationCascade.Run(Calculator, Book, Market, MarketShock.Uniform(-0.10), Impact);

        // Round 1 sells thin's 10 BTC at 54,000; round 2 sells second's 10 at the moved price 0.9 x 0.946 x 60,000.
        var first = Assert.Single(result.Rounds[0].ForcedTrades);
        Assert.Equal(new ForcedTrade(TestMarket.BtcUsdt, "BTC", -10, 540_000m), first);
        var second = Assert.Single(result.Rounds[1].ForcedTrades);
        Assert.Equal(-10m, second.Contracts);
        Assert.Equal(result.Rounds[1].ForcedVolumeUsd["BTC"], second.NotionalUsd);
        Assert.Empty(result.Rounds[^1].ForcedTrades);
    }

    [Fact]
    public void Progress_is_heard_every_n_accounts_and_at_the_end_of_each_round()
    {
        var heard = new List<CascadeProgress>();

        var result = LiquidationCascade.Run(Calculator, Book, Market, MarketShock.Uniform(-0.10), Impact, heard.Add, progressEvery: 2);

        Assert.Equal(
        [
            new CascadeProgress(1, 2, 3, 1, false), new CascadeProgress(1, 3, 3, 1, true),
            new CascadeProgress(2, 2, 2, 1, true),
            new CascadeProgress(3, 1, 1, 0, true),
        ], heard);
        Assert.Equal(3, result.Rounds.Count);
    }
}
