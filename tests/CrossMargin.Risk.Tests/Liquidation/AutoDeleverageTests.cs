using CrossMargin.Risk.Liquidation;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using FsCheck.Fluent;

namespace CrossMargin.Risk.Tests.Liquidation;

/// <summary>
/// ADL against a bankrupt long of BTCUSDT at 57,000 (bankruptcy price 56,600). Scores, profit % x leverage:
/// acc-a short 1 at 60,000: P&amp;L 3,000 / 60,000 = 5%, notional 57,000 / equity 5,700 = 10x: 0.5.
/// acc-f the same: 0.5, after acc-a on the tie.
/// acc-b short 3 at 58,000: 3,000 / 174,000 = 1.7241%, 171,000 / 17,100 = 10x: 0.172413...
/// acc-c short 0.5 at 66,000: 4,500 / 33,000 = 13.636%, 28,500 / 57,000 = 0.5x: 0.0681818...
/// Excluded: acc-d short at a loss, acc-e long (same side), acc-g with zero equity, the bankrupt account's own.
/// </summary>
public class AutoDeleverageTests
{
    private static readonly Position Bankrupt = new(TestMarket.BtcUsdt, 2m, 60_000m);

    private static readonly AdlCandidate[] Candidates =
    [
        new("acc-f", new Position(TestMarket.BtcUsdt, -1m, 60_000m), 5_700m),
        new("acc-c", new Position(TestMarket.BtcUsdt, -0.5m, 66_000m), 57_000m),
        new("acc-b", new Position(TestMarket.BtcUsdt, -3m, 58_000m), 17_100m),
        new("acc-a", new Position(TestMarket.BtcUsdt, -1m, 60_000m), 5_700m),
        new("acc-d", new Position(TestMarket.BtcUsdt, -1m, 56_000m), 5_700m),
        new("acc-e", new Position(TestMarket.BtcUsdt, 1m, 50_000m), 5_700m),
        new("acc-g", new Position(TestMarket.BtcUsdt, -1m, 60_000m), 0m),
        new("bankrupt", new Position(TestMarket.BtcUsdt, -1m, 60_000m), 5_700m),
        new("acc-h", new Position(TestMarket.EthUsdt, -1m, 6_000m), 5_700m),
    ];

    [Fact]
    public void Candidates_are_ranked_by_profit_times_leverage_with_ties_by_account()
    {
        var ranked = AutoDeleverage.Rank("bankrupt", Bankrupt, Candidates, TestMarket.Build(btc: 57_000m));

        Assert.Equal(["acc-a", "acc-f", "acc-b", "acc-c"], ranked.Select(r => r.Candidate.AccountId));
        Assert.Equal(0.5m, ranked[0].Score);
        Assert.Equal(0.172413793m, Math.Round(ranked[2].Score, 9));
        Assert.Equal(0.068181818m, Math.Round(ranked[3].Score, 9));
    }

    [Fact]
    public void The_quantity_is_allocated_in_rank_order_at_the_bankruptcy_price()
    {
        var fills = AutoDeleverage.Allocate("bankrupt", Bankrupt, 2.5m, 56_600m, Candidates, TestMarket.Build(btc: 57_000m));

        // acc-a 1, acc-f 1, acc-b 0.5 of its 3: 2.5. Each short buys back at 56,600.
        Assert.Equal(
            [("acc-a", OrderSide.Buy, 1m), ("acc-f", OrderSide.Buy, 1m), ("acc-b", OrderSide.Buy, 0.5m)],
            fills.Select(f => (f.AccountId, f.Side, f.Quantity)).ToArray());
        Assert.All(fills, f => Assert.Equal((TestMarket.BtcUsdt, 56_600m), (f.Symbol, f.Price)));
    }

    /// <summary>
    /// BTCUSDT's lot 0.001: acc-a (first) is short 1.0005, off it (booked before the lot). Its side of the 2 is cut to its
    /// whole lots, 1.000, and acc-f gives the other 1. Given 1.0005, acc-a's buy would be refused by its account
    /// (<c>quantityOffLot</c>) and the bankrupt side's sell of 1.0005 too.
    /// </summary>
    [Fact]
    public void A_counterparty_whose_position_is_off_the_lot_gives_its_whole_lots_only()
    {
        var market = TestMarket.Build(57_000m, 3_000m, TestMarket.Instruments.Select(i => i.Symbol == TestMarket.BtcUsdt ? i with { LotSize = 0.001m } : i));
        AdlCandidate[] candidates =
        [
            new("acc-a", new Position(TestMarket.BtcUsdt, -1.0005m, 60_000m), 5_700m),
            new("acc-f", new Position(TestMarket.BtcUsdt, -1m, 60_000m), 5_700m),
        ];

        var fills = AutoDeleverage.Allocate("bankrupt", Bankrupt, 2m, 56_600m, candidates, market, 0.1m);

        Assert.Equal([("acc-a", 1.000m), ("acc-f", 1m)], fills.Select(f => (f.AccountId, f.Quantity)).ToArray());
    }

    [Fact]
    public void A_counterparty_gives_no_more_than_its_equity_bears_at_a_bankruptcy_price_past_the_mark()
    {
        // A bankrupt long with a deficit of 800 on 2 BTC: bankruptcy price 57,000 + 800 / 2 = 57,400, so a short buying
        // back there loses 400 a contract against the mark. acc-x (short 1 at 60,000, 150 of equity: score 5% x 380 = 19,
        // first) bears 150 / 400 = 0.375 contract, down to the 0.1 increment: 0.3; then acc-a 1 and acc-f (tied) 0.7.
        AdlCandidate[] candidates = [new("acc-x", new Position(TestMarket.BtcUsdt, -1m, 60_000m), 150m), .. Candidates];
        var market = TestMarket.Build(btc: 57_000m);

        var fills = AutoDeleverage.Allocate("bankrupt", Bankrupt, 2m, 57_400m, candidates, market, 0.1m);

        Assert.Equal([("acc-x", 0.3m), ("acc-a", 1m), ("acc-f", 0.7m)], fills.Select(f => (f.AccountId, f.Quantity)).ToArray());

        // Without an increment it gives none, rather than a part off the increment.
        var whole = AutoDeleverage.Allocate("bankrupt", Bankrupt, 2m, 57_400m, candidates, market, quantityIncrement: null);
        Assert.Equal([("acc-a", 1m), ("acc-f", 1m)], whole.Select(f => (f.AccountId, f.Quantity)).ToArray());
    }

    /// <summary>
    /// The last resort ranks the positions not in profit after every one in profit, by profit % / leverage (BTC at 57,000):
    /// acc-i short 2 at 57,000 (114,000 / 11,400 = 10x): 0 / 10 = 0.
    /// acc-d short 1 at 56,000 (10x): -1,000 / 56,000 / 10 = -0.0017857142...
    /// acc-m short 1 at 50,000, equity 1,900 (30x): -7,000 / 50,000 / 30 = -0.14 / 30 = -0.0046666...
    /// acc-k short 1 at 50,000, equity 5,700 (10x): -0.014.
    /// acc-j short 1 at 50,000, equity 57,000 (1x): -0.14.
    /// The same loss ranks the more leveraged first; the same side, zero equity, another instrument and the bankrupt
    /// account's own stay out.
    /// </summary>
    [Fact]
    public void The_last_resort_ranks_every_position_in_profit_before_any_at_a_loss_and_those_by_profit_over_leverage()
    {
        AdlCandidate[] candidates =
        [
            Short("acc-j", 1m, 50_000m, 57_000m),
            Short("acc-k", 1m, 50_000m, 5_700m),
            Short("acc-m", 1m, 50_000m, 1_900m),
            Short("acc-i", 2m, 57_000m, 11_400m),
            .. Candidates,
        ];

        var ranked = AutoDeleverage.Rank("bankrupt", Bankrupt, candidates, TestMarket.Build(btc: 57_000m), AdlReach.All);

        Assert.Equal(["acc-a", "acc-f", "acc-b", "acc-c", "acc-i", "acc-d", "acc-m", "acc-k", "acc-j"], ranked.Select(r => r.Candidate.AccountId));
        Assert.Equal([0m, -0.001785714m, -0.004666667m, -0.014m, -0.14m], ranked.Skip(4).Select(r => Math.Round(r.Score, 9)));

        // The ordinary round leaves them out.
        Assert.Equal(["acc-a", "acc-f", "acc-b", "acc-c"],
            AutoDeleverage.Rank("bankrupt", Bankrupt, candidates, TestMarket.Build(btc: 57_000m)).Select(r => r.Candidate.AccountId));
    }

    [Fact]
    public void A_counterparty_at_a_loss_gives_no_more_than_its_equity_bears_at_the_bankruptcy_price()
    {
        // Bankruptcy price 57,400: a short buying back there loses 400 a contract against the mark of 57,000. acc-a (in
        // profit) gives its 1 first. acc-y (short 1 at 56,000, 150 of equity: -1,000 / 56,000 / 380x = -0.000047) ranks
        // before acc-d (-0.0017857) and bears 150 / 400 = 0.375, down to the 0.1 increment: 0.3 (it keeps 150 - 120 =
        // 30); acc-d gives the other 0.7 (280 of its 5,700).
        AdlCandidate[] candidates =
        [
            Short("acc-d", 1m, 56_000m, 5_700m),
            Short("acc-y", 1m, 56_000m, 150m),
            Short("acc-a", 1m, 60_000m, 5_700m),
        ];

        var fills = AutoDeleverage.Allocate("bankrupt", Bankrupt, 2m, 57_400m, candidates, TestMarket.Build(btc: 57_000m), 0.1m, AdlReach.All);

        Assert.Equal([("acc-a", 1m), ("acc-y", 0.3m), ("acc-d", 0.7m)], fills.Select(f => (f.AccountId, f.Quantity)).ToArray());
        Assert.All(fills, f => Assert.Equal((OrderSide.Buy, 57_400m), (f.Side, f.Price)));
    }

    [Fact]
    public void A_counterparty_gives_no_more_than_keeps_it_at_its_maintenance_margin_when_the_caller_can_tell()
    {
        // As above with acc-y on 300 of equity, and a maintenance margin of 0.4% of what is left at the mark of 57,000.
        // Its equity alone bears 300 / 400 = 0.75, down to 0.7, which would leave it 20 against an MM of 68.40: liquidated
        // in turn. Giving q leaves 300 - 400 q against 228 (1 - q): 0.4 leaves 140 against 136.80, 0.5 leaves 100 against
        // 114. So acc-y gives 0.4 and acc-d the other 0.6; acc-a, closed whole, keeps no MM.
        AdlCandidate[] candidates =
        [
            Short("acc-d", 1m, 56_000m, 5_700m),
            Short("acc-y", 1m, 56_000m, 300m),
            Short("acc-a", 1m, 60_000m, 5_700m),
        ];
        var checkedQuantities = new List<(string, decimal)>();
        bool KeepsMaintenance(AdlCandidate c, decimal quantity)
        {
            checkedQuantities.Add((c.AccountId, quantity));
            return c.AccountEquityUsd - (quantity * 400m) >= (-c.Position.Quantity - quantity) * 57_000m * 0.004m;
        }

        var fills = AutoDeleverage.Allocate("bankrupt", Bankrupt, 2m, 57_400m, candidates, TestMarket.Build(btc: 57_000m), 0.1m, AdlReach.All, KeepsMaintenance);

        Assert.Equal([("acc-a", 1m), ("acc-y", 0.4m), ("acc-d", 0.6m)], fills.Select(f => (f.AccountId, f.Quantity)).ToArray());
        Assert.Contains(("acc-y", 0.4m), checkedQuantities);
        Assert.Contains(("acc-y", 0.5m), checkedQuantities);
    }

    [Fact]
    public void More_than_is_available_takes_everything_available()
    {
        // 1 + 1 + 3 + 0.5 = 5.5 available of 10 asked.
        var fills = AutoDeleverage.Allocate("bankrupt", Bankrupt, 10m, 56_600m, Candidates, TestMarket.Build(btc: 57_000m));

        Assert.Equal(5.5m, fills.Sum(f => f.Quantity));
    }

    [Theory]
    [InlineData(AdlReach.InProfit)]
    [InlineData(AdlReach.All)]
    public void Allocation_sums_exactly_to_the_quantity_asked_or_to_all_available(AdlReach reach)
    {
        var market = TestMarket.Build(btc: 57_000m);
        var gen = from count in Gen.Choose(0, 8)
                  from sizes in Gen.ArrayOf(Gen.Choose(1, 500), 8)
                  from entries in Gen.ArrayOf(Gen.Choose(50_000, 64_000), 8)
                  from equities in Gen.ArrayOf(Gen.Choose(-1_000, 100_000), 8)
                  from asked in Gen.Choose(0, 3_000)
                  select (count, sizes, entries, equities, asked);
        PropertyCheck.ForAll(gen, c =>
        {
            var candidates = Enumerable.Range(0, c.count)
                .Select(k => new AdlCandidate($"acc-{k}", new Position(TestMarket.BtcUsdt, -c.sizes[k] / 100m, c.entries[k]), c.equities[k]))
                .ToArray();
            var available = candidates.Where(x => x.AccountEquityUsd > 0 && (reach == AdlReach.All || x.Position.EntryPrice > 57_000m))
                .Sum(x => -x.Position.Quantity);
            var asked = c.asked / 100m;

            var fills = AutoDeleverage.Allocate("bankrupt", Bankrupt, asked, 56_600m, candidates, market, null, reach);

            Assert.Equal(Math.Min(asked, available), fills.Sum(f => f.Quantity));
            Assert.All(fills, f => Assert.True(f.Quantity > 0 && f.Quantity <= -candidates.Single(x => x.AccountId == f.AccountId).Position.Quantity));
            Assert.Equal(fills.Count, fills.Select(f => f.AccountId).Distinct().Count());
        });
    }

    /// <summary>A short of <paramref name="quantity"/> BTCUSDT at <paramref name="entry"/> on <paramref name="equityUsd"/> of equity.</summary>
    private static AdlCandidate Short(string account, decimal quantity, decimal entry, decimal equityUsd) =>
        new(account, new Position(TestMarket.BtcUsdt, -quantity, entry), equityUsd);
}
