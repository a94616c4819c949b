using CrossMargin.Cluster.Sharding;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Liquidations;

/// <summary>
/// A deficit a liquidation leaves uncovered, and the operator's way out of it. Each test starts where
/// <see cref="AdlPriceBandTests"/>' first one ends: acc-1 (1,000 USDT, long 1 BTCUSDT at 60,000) went bankrupt at 58,000,
/// the venue sold 0.9 of it at 50,000, the round passed 0.1 on to acc-c at the band's 63,800 and liq-acc-1-1 completed with
/// acc-1 flat at -7,620 USDT, the empty fund's 7,620 USD uncovered.
/// </summary>
public sealed class UncoveredDeficitTests(ITestOutputHelper output) : LiquidationTestKit(output)
{
    private const string First = "liq-acc-1-1";

    /// <summary>
    /// acc-1 holds a USDT balance, so every USDT index re-margins it, bankrupt, and it reports a breach. Two such indices a
    /// minute apart started liq-acc-1-2 and liq-acc-1-3, each asking the empty fund for the same 7,620 and completing with
    /// it uncovered again: a liquidation per index for as long as the deficit lasts, and the fund's history counting it
    /// three times over (1,000 + 3 x 7,620 "uncovered" for 7,620 of exposure).
    /// </summary>
    [Fact]
    public void A_flat_account_with_a_deficit_recorded_uncovered_is_not_liquidated_again_at_each_re_margin()
    {
        LeaveAcc1WithAnUncoveredDeficit();

        UsdtIndexAt(minutes: 1);
        UsdtIndexAt(minutes: 2);
        Idle();

        Assert.Equal([First], Liquidations().Select(l => l.LiquidationId));
        Assert.Equal([1_000m, 7_620m], FundView().History.Where(m => m.Kind == InsuranceFundMovementKind.AutoDeleverageTriggered).Select(m => m.Amount));
        Assert.Equal(new UncoveredDeficits(7_620m, [new UncoveredDeficit("acc-1", First, 7_620m, History(First).Steps.OfType<LiquidationCompleted>().Single().Time)]),
            Uncovered(), new UncoveredDeficitsComparer());
    }

    /// <summary>
    /// The fund is topped up with 20,000 USDT: nothing pays acc-1 by itself (a USDT index starts no liquidation). The
    /// operator's cover starts liq-acc-1-2, whose view measures 7,620; the fund pays 7,620 USDT (20,000 - 7,620 = 12,380
    /// left) and acc-1 ends at 0. Asked again under the same id, before and after a restart, the answer is the same
    /// liquidation and nothing more is paid; under a new id, nothing is uncovered any more.
    /// </summary>
    [Fact]
    public void After_a_top_up_the_operator_has_the_fund_cover_an_uncovered_deficit_exactly_once()
    {
        LeaveAcc1WithAnUncoveredDeficit();
        SeedFund(20_000m);
        UsdtIndexAt(minutes: 1);
        Idle();
        Assert.Equal(20_000m, FundView().Balances["USDT"]);

        var started = Ask<UncoveredDeficitCoverStarted>(new CoverUncoveredDeficit("op-1", "acc-1"));

        Assert.Equal(new UncoveredDeficitCoverStarted("op-1", "acc-1", "liq-acc-1-2", 7_620m), started);
        AwaitCompleted("liq-acc-1-2");
        Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
        Assert.Equal(12_380m, FundView().Balances["USDT"]);
        var steps = History("liq-acc-1-2").Steps;
        Assert.Equal("op-1", Assert.IsType<LiquidationStarted>(steps[0]).CoverRequestId);
        Assert.Equal(7_620m, steps.OfType<LiquidationCoverRequested>().Single().DeficitUsd);
        Assert.Equal((7_620m, 0m), steps.OfType<LiquidationCoverReceived>().Select(c => (c.CoveredUsd, c.UncoveredUsd)).Single());
        var paid = Assert.Single(FundView().History, m => m.Kind == InsuranceFundMovementKind.DeficitCovered);
        Assert.Equal(("USDT", 7_620m, "acc-1", "liq-acc-1-2"), (paid.Asset, paid.Amount, paid.AccountId, paid.LiquidationId));
        Assert.Equal(new UncoveredDeficits(0m, []), Uncovered(), new UncoveredDeficitsComparer());

        Assert.Equal(started, Ask<UncoveredDeficitCoverStarted>(new CoverUncoveredDeficit("op-1", "acc-1")));
        RestartCoordinator();
        Assert.Equal(started, Ask<UncoveredDeficitCoverStarted>(new CoverUncoveredDeficit("op-1", "acc-1")));
        Assert.Equal("Nothing is recorded uncovered for acc-1.", Ask<UncoveredDeficitCoverRefused>(new CoverUncoveredDeficit("op-2", "acc-1")).Reason);
        Idle();
        Assert.Equal(12_380m, FundView().Balances["USDT"]);
        Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
    }

    /// <summary>
    /// With the fund empty, then holding 5,000 of the 7,620, the cover is refused saying so, and for acc-c, which owes
    /// nothing, because nothing is uncovered; nothing is written (no liquidation but the first) and the record survives a
    /// restart of the coordinator.
    /// </summary>
    [Fact]
    public void A_cover_is_refused_when_nothing_is_uncovered_or_the_fund_cannot_pay_it()
    {
        LeaveAcc1WithAnUncoveredDeficit();

        Assert.Equal("The fund cannot pay the 7620.00 USD acc-1 has uncovered: it is worth 0 USD, 0 of it set aside for liquidations under way. Deposit into it first.",
            Ask<UncoveredDeficitCoverRefused>(new CoverUncoveredDeficit("op-1", "acc-1")).Reason);
        SeedFund(5_000m);
        Assert.StartsWith("The fund cannot pay the 7620.00 USD acc-1 has uncovered: it is worth 5000",
            Ask<UncoveredDeficitCoverRefused>(new CoverUncoveredDeficit("op-2", "acc-1")).Reason);
        Assert.Equal("Nothing is recorded uncovered for acc-c.", Ask<UncoveredDeficitCoverRefused>(new CoverUncoveredDeficit("op-3", "acc-c")).Reason);

        RestartCoordinator();
        Assert.Equal([First], Liquidations().Select(l => l.LiquidationId));
        Assert.Equal(7_620m, Uncovered().TotalUsd);
        Assert.Equal(5_000m, FundView().Balances["USDT"]);
    }

    /// <summary>
    /// A deposit of 1,000 USDT to acc-1 pays its negative balance first, as an exchange's does: -7,620 + 1,000 = -6,620,
    /// none of it withdrawable, and no liquidation starts. The operator's cover then measures 6,620, not the 7,620
    /// recorded: the fund (20,000) pays 6,620 and keeps 13,380, acc-1 ends at 0.
    /// </summary>
    [Fact]
    public void A_deposit_to_the_bankrupt_account_pays_its_deficit_first_and_the_fund_covers_only_the_rest()
    {
        LeaveAcc1WithAnUncoveredDeficit();

        Deposit("acc-1", 1_000m);
        UsdtIndexAt(minutes: 1);
        Idle();
        Assert.Equal([new CollateralBalance("USDT", -6_620m)], Account("acc-1").Balances);
        Assert.Equal([First], Liquidations().Select(l => l.LiquidationId));

        SeedFund(20_000m);
        Assert.Equal("liq-acc-1-2", Ask<UncoveredDeficitCoverStarted>(new CoverUncoveredDeficit("op-1", "acc-1")).LiquidationId);
        AwaitCompleted("liq-acc-1-2");

        Assert.Equal(6_620m, History("liq-acc-1-2").Steps.OfType<LiquidationCoverReceived>().Single().CoveredUsd);
        Assert.Equal(13_380m, FundView().Balances["USDT"]);
        Assert.Equal([new CollateralBalance("USDT", 0m)], Account("acc-1").Balances);
        Assert.Equal(0m, Uncovered().TotalUsd);
    }

    /// <summary>
    /// What an operator reads in the fund's history sums to the truth. liq-acc-1-1's first cover asked the empty fund for
    /// 1,000 (shortfall 1,000, passed on by the round), its second for 7,620 (shortfall 7,620, left uncovered): the
    /// triggered rows are 1,000 and 7,620, and the settled row 1,000, so 1,000 + 7,620 - 1,000 = 7,620, the deficit
    /// uncovered. Before, nothing settled the first row: the history summed to 8,620. Then 20,000 USDT is deposited and
    /// the operator's cover (liq-acc-1-2) pays 7,620: the history's balance movement is 20,000 - 7,620 = 12,380 USDT, the
    /// fund's balance, and liq-acc-1-1's 7,620 is settled, so what the history shows uncovered is 0, as the coordinator says.
    /// </summary>
    [Fact]
    public void The_fund_history_sums_to_its_balance_and_to_the_deficit_left_uncovered_to_the_cent()
    {
        LeaveAcc1WithAnUncoveredDeficit();

        AwaitAssert(() => Assert.Equal(7_620m, UncoveredInHistory(FundView().History)));
        Assert.Equal(7_620m, Uncovered().TotalUsd);
        Assert.Equal([1_000m, 7_620m], FundView().History.Where(m => m.Kind == InsuranceFundMovementKind.AutoDeleverageTriggered).Select(m => m.Amount));

        SeedFund(20_000m);
        Ask<UncoveredDeficitCoverStarted>(new CoverUncoveredDeficit("op-1", "acc-1"));
        AwaitCompleted("liq-acc-1-2");

        var fund = FundView();
        Assert.Equal(12_380m, fund.Balances["USDT"]);
        Assert.Equal(12_380m, fund.History.Where(m => m.Asset == "USDT").Sum(m => m.Kind == InsuranceFundMovementKind.DeficitCovered ? -m.Amount : m.Amount));
        Assert.Equal(0m, UncoveredInHistory(fund.History));
        Assert.Equal(0m, Uncovered().TotalUsd);
    }

    /// <summary>The history's shortfalls less what of them was settled: what it shows uncovered, in USD.</summary>
    private static decimal UncoveredInHistory(IEnumerable<InsuranceFundMovement> history) =>
        history.Where(m => m.Kind == InsuranceFundMovementKind.AutoDeleverageTriggered).Sum(m => m.Amount)
        - history.Where(m => m.Kind == InsuranceFundMovementKind.ShortfallSettled).Sum(m => m.Amount);

    /// <summary>Runs <see cref="AdlPriceBandTests"/>' first scenario to its end (the type's summary).</summary>
    private void LeaveAcc1WithAnUncoveredDeficit()
    {
        var adl = CreateTestProbe("adl");
        Sys.EventStream.Subscribe(adl.Ref, typeof(AutoDeleveraged));
        OpenShort("acc-c", 100_000m, 2m, 60_000m);
        OpenLong("acc-1");
        MoveBtc(58_000m);
        AwaitAssert(() => Assert.IsType<LiquidationCoverReceived>(History(First).Steps[^1]), TimeSpan.FromSeconds(10));
        Trade("acc-1", OrderSide.Sell, 0.9m, 50_000m);
        AdlNoticesUntil(adl, heard => heard.Count == 2);
        AdvanceUntil(() => History(First).Status == LiquidationStatus.Completed, TimeSpan.FromMilliseconds(100));
        Assert.Equal([new CollateralBalance("USDT", -7_620m)], Account("acc-1").Balances);
    }

    /// <summary>
    /// A USDT index <paramref name="minutes"/> after the test market's valuation time, told to the accounts holding USDT
    /// (as the price feed's publisher does): a newer market, so a breach it makes is not taken as stale.
    /// </summary>
    private void UsdtIndexAt(int minutes)
    {
        var now = TestMarket.Build(58_000m, 3_000m);
        var market = new MarketSnapshot(now.ValuationTime.AddMinutes(minutes), now.Instruments, now.AssetPrices, now.UnderlyingMarkets,
            now.Instruments.Select(i => now.MarkOf(i.Symbol)));
        var version = Market.Publish(market);
        var topics = new HashSet<string>(["USDT"], StringComparer.Ordinal);
        Region.Tell(new ShardBroadcast(new MarketChanged(market, version, topics), topics), TestActor);
    }

    /// <summary>Lets a second of manual time pass, in steps, each acted on to the end before the next.</summary>
    private void Idle()
    {
        for (var i = 0; i < 20; i++)
        {
            AdvanceAndSettle(TimeSpan.FromMilliseconds(100));
        }
    }

    private T Ask<T>(object message)
    {
        var probe = CreateTestProbe();
        Coordinator.Tell(message, probe.Ref);
        return probe.ExpectMsg<T>(timeout: TimeSpan.FromSeconds(10));
    }

    private UncoveredDeficits Uncovered() => Ask<UncoveredDeficits>(GetUncoveredDeficits.Instance);

    private IReadOnlyList<LiquidationSummary> Liquidations() => Ask<LiquidationList>(GetLiquidations.Instance).Liquidations;

    /// <summary>Records with a list compare by reference: compared by their total and items.</summary>
    private sealed class UncoveredDeficitsComparer : IEqualityComparer<UncoveredDeficits>
    {
        public bool Equals(UncoveredDeficits? x, UncoveredDeficits? y) =>
            x is not null && y is not null && x.TotalUsd == y.TotalUsd && x.Accounts.SequenceEqual(y.Accounts);

        public int GetHashCode(UncoveredDeficits obj) => obj.TotalUsd.GetHashCode();
    }
}
