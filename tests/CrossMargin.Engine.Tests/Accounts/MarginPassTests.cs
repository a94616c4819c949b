using CrossMargin.Actors;
using CrossMargin.Actors.TestKit;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Prices;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>The per-partition re-margin pass, with a probe standing in for the account.</summary>
public sealed class MarginPassTests(ITestOutputHelper output) : Actors.TestKit.TestKit(output)
{
    private static readonly HashSet<string> Btc = ["BTC"];

    [Fact]
    public void New_figures_go_to_the_slot_and_new_limits_into_a_batch_only_when_they_change_and_the_account_hears_nothing_while_its_status_holds()
    {
        var (pass, account, slot, entry, version) = Start([new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)], TestMarket.Build(60_000m, 3_000m));
        var batches = Batches();

        // A new snapshot with the same prices: the same figures, nothing written, published or told.
        pass.Tell(new MarketChanged(TestMarket.Build(60_000m, 3_000m), 3, Btc));
        batches.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Null(slot.Figures);

        // BTC down 1,000: new figures in the slot, the new limits published, the account (still healthy) not told.
        var lower = TestMarket.Build(59_000m, 3_000m);
        pass.Tell(new MarketChanged(lower, 4, Btc));
        var batch = batches.ExpectMsg<AccountLimitsBatch>();
        Assert.Equal(MarginStatus.Healthy, Summary(lower).Item4);
        Assert.Equal(Summary(lower), Numbers(slot.Figures!.Value));
        Assert.Equal(version, slot.Figures!.Value.For);
        Assert.Equal(lower.ValuationTime, slot.Figures.Value.ValuationTime);
        AssertLimitsAsDivided("acc-1", slot.Figures.Value.AvailableUsd, lower, Assert.Single(batch.Changes()));
        account.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void An_account_is_told_when_its_status_changes()
    {
        // 1,000 USDT against 1 BTC bought at 60,000: healthy at 60,000, bankrupt at 58,000.
        var (pass, account, slot, entry, version) = Start([new CollateralBalance("USDT", 1_000m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)], TestMarket.Build(60_000m, 3_000m));
        Assert.Equal(MarginStatus.Healthy, entry.Held!.Value.Status);

        pass.Tell(new MarketChanged(TestMarket.Build(58_000m, 3_000m), 2, Btc));

        var told = account.ExpectMsg<Remargined>();
        Assert.Equal(Numbers(slot.Figures!.Value), Numbers(told.Figures));
        Assert.Equal(version, slot.Figures!.Value.For);
        Assert.Equal(version, told.Figures.For);
        Assert.Equal(MarginStatus.Bankrupt, told.Figures.Status);
    }

    [Fact]
    public void An_account_holding_nothing_that_moved_is_not_computed()
    {
        var (pass, account, slot, _, _) = Start([new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)]);

        pass.Tell(new MarketChanged(TestMarket.Build(60_000m, 2_000m), 2, new HashSet<string> { "ETH" }));

        account.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Null(slot.Figures);
    }

    [Fact]
    public void A_breached_account_is_told_on_every_move_even_with_the_same_figures()
    {
        // 100 USDT against 1 BTC bought at 60,000 and marked at 59,000: equity -900, bankrupt.
        var (pass, account, _, _, _) = Start([new CollateralBalance("USDT", 100m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)]);

        pass.Tell(new MarketChanged(TestMarket.Build(59_000m, 3_000m), 2, Btc));
        Assert.Equal(MarginStatus.Bankrupt, account.ExpectMsg<Remargined>().Figures.Status);
        pass.Tell(new MarketChanged(TestMarket.Build(59_000m, 3_000m), 3, Btc));
        Assert.Equal(MarginStatus.Bankrupt, account.ExpectMsg<Remargined>().Figures.Status);
    }

    [Fact]
    public void An_account_the_kernel_cannot_margin_at_this_market_is_sent_the_change_itself()
    {
        var (pass, account, _, _, _) = Start([new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)]);
        // A market without the account's instrument: the account must re-margin (and report the failure) itself.
        var without = TestMarket.Build(60_000m, 3_000m, TestMarket.Instruments.Where(i => i.Symbol != TestMarket.BtcUsdt));

        var changed = new MarketChanged(without, 2, Btc);
        pass.Tell(changed);

        Assert.Same(changed, account.ExpectMsg<MarketChanged>());
    }

    [Fact]
    public void A_changed_entry_is_compared_with_the_figures_the_account_holds_not_with_those_written_before()
    {
        var (pass, _, slot, entry, _) = Start([new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)], TestMarket.Build(60_000m, 3_000m));
        var batches = Batches();
        pass.Tell(new MarketChanged(TestMarket.Build(59_000m, 3_000m), 2, Btc));
        batches.ExpectMsg<AccountLimitsBatch>();
        var written = slot.Figures!.Value;

        // The account traded since (new holdings) and margined itself at a market where it holds the figures written for the old ones.
        var newer = slot.Write(entry with { Holdings = entry.Kernel.Compile([new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcUsdt, 2m, 60_000m)], [])!, Held = written });
        pass.Tell(new MarketChanged(TestMarket.Build(59_000m, 3_000m), 3, Btc));

        Assert.Equal("acc-1", batches.ExpectMsg<AccountLimitsBatch>().AccountIdAt(0));
        Assert.Equal(newer, slot.Figures!.Value.For);
    }

    [Fact]
    public void An_account_whose_entry_changed_while_its_limits_were_published_is_asked_to_publish_its_own_again()
    {
        var (pass, account, slot, entry, version) = Start([new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)], TestMarket.Build(60_000m, 3_000m));
        // A subscriber runs on the publishing thread: the account's new entry lands between the batch and the pass's check.
        Sys.EventStream.Subscribe(new CallbackRef(_ => slot.Write(entry with { Held = null })), typeof(AccountLimitsBatch));

        pass.Tell(new MarketChanged(TestMarket.Build(59_000m, 3_000m), 2, Btc));

        account.ExpectMsg<PublishLimits>();
    }

    [Fact]
    public void A_partition_publishes_every_changed_account_once_in_batches_of_at_most_the_batch_size()
    {
        var partition = new MarginBookPartition();
        var kernel = MarginBook.KernelFor(AccountFixture.Models.StandardCross)!;
        var opening = TestMarket.Build(60_000m, 3_000m);
        const int Accounts = AccountLimitsBatch.MaxCount + 300;
        for (var i = 0; i < Accounts; i++)
        {
            var slot = partition.Join(ActorRefs.Nobody);
            CollateralBalance[] balances = [new CollateralBalance("USDT", 10_000m + i)];
            Position[] positions = [new Position(TestMarket.BtcUsdt, 1m, 60_000m)];
            slot.Write(new MarginBookEntry($"acc-{i}", kernel, kernel.Compile(balances, positions, [])!, HeldAt(balances, positions, opening)));
        }

        var batches = Batches();
        var lower = TestMarket.Build(59_000m, 3_000m);
        Sys.ActorOf(MarginPass.Props(partition)).Tell(new MarketChanged(lower, 2, Btc));

        var first = batches.ExpectMsg<AccountLimitsBatch>();
        var second = batches.ExpectMsg<AccountLimitsBatch>();
        Assert.Equal((AccountLimitsBatch.MaxCount, 300), (first.Count, second.Count));
        var all = first.Changes().Concat(second.Changes()).ToArray();
        Assert.Equal(Enumerable.Range(0, Accounts).Select(i => $"acc-{i}"), all.Select(l => l.AccountId));
        var expected = AccountFixture.Models.StandardCross.Figures([new CollateralBalance("USDT", 11_234m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)], [], lower);
        AssertLimitsAsDivided("acc-1234", expected.AvailableMarginUsd, lower, all[1_234]);
    }

    [Fact]
    public void A_move_allocates_little_more_per_changed_account_than_its_id_and_usd_figure_in_the_batch()
    {
        var partition = new MarginBookPartition();
        var kernel = MarginBook.KernelFor(AccountFixture.Models.StandardCross)!;
        var opening = TestMarket.Build(60_000m, 3_000m);
        const int Accounts = 3 * AccountLimitsBatch.MaxCount;
        for (var i = 0; i < Accounts; i++)
        {
            var slot = partition.Join(ActorRefs.Nobody);
            CollateralBalance[] balances = [new CollateralBalance("USDT", 10_000m + i)];
            Position[] positions = [new Position(TestMarket.BtcUsdt, 1m, 60_000m)];
            slot.Write(new MarginBookEntry($"acc-{i}", kernel, kernel.Compile(balances, positions, [])!, HeldAt(balances, positions, opening)));
        }

        // A subscriber runs on the pass's thread: between two batches that thread ran only the pass, over one batch's accounts.
        var allocated = new List<long>();
        var done = new ManualResetEventSlim();
        Sys.EventStream.Subscribe(new CallbackRef(_ =>
        {
            allocated.Add(GC.GetAllocatedBytesForCurrentThread());
            if (allocated.Count == 3)
            {
                done.Set();
            }
        }), typeof(AccountLimitsBatch));
        var pass = Sys.ActorOf(MarginPass.Props(partition));
        // The first move writes each account's cell (one object per account, once); the second allocates only per move.
        pass.Tell(new MarketChanged(TestMarket.Build(59_000m, 3_000m), 2, Btc));
        Assert.True(done.Wait(TimeSpan.FromSeconds(20)));
        done = new ManualResetEventSlim();
        allocated.Clear();
        pass.Tell(new MarketChanged(TestMarket.Build(58_500m, 3_000m), 3, Btc));
        Assert.True(done.Wait(TimeSpan.FromSeconds(20)));

        // The id (8 bytes) and USD figure (16) of each account; before, its amounts in each asset as well (72 in all).
        var perAccount = (allocated[2] - allocated[1]) / (double)AccountLimitsBatch.MaxCount;
        Assert.True(perAccount < 32, $"{perAccount:0.0} bytes allocated per changed account");
    }

    [Fact]
    public void A_partition_forgets_accounts_that_left_and_keeps_the_others()
    {
        var partition = new MarginBookPartition();
        var slots = Enumerable.Range(0, 200).Select(_ => partition.Join(CreateTestProbe().Ref)).ToArray();
        var before = partition.Rows;

        foreach (var slot in slots.Where((_, i) => i % 3 != 0))
        {
            partition.Leave(slot);
        }

        var after = partition.Rows;
        var live = Enumerable.Range(0, after.Count).Select(after.SlotAt).Where(s => !s.HasLeft).ToArray();
        Assert.Equal(slots.Where((_, i) => i % 3 == 0), live);
        Assert.True(after.Count < 200, "compacted");
        // A pass that started before still sees every slot it had.
        Assert.Equal(slots, Enumerable.Range(0, before.Count).Select(before.SlotAt));
    }

    private (IActorRef Pass, TestProbe Account, MarginBookSlot Slot, MarginBookEntry Entry, int Version) Start(CollateralBalance[] balances, Position[] positions,
        MarketSnapshot? heldAt = null)
    {
        var account = CreateTestProbe("account");
        var partition = new MarginBookPartition();
        var slot = partition.Join(account.Ref);
        var kernel = MarginBook.KernelFor(AccountFixture.Models.StandardCross)!;
        var compiled = kernel.Compile(balances, positions, [])!;
        var entry = new MarginBookEntry("acc-1", kernel, compiled, heldAt is null ? null : HeldAt(balances, positions, heldAt));
        var version = slot.Write(entry);
        return (Sys.ActorOf(MarginPass.Props(partition)), account, slot, entry, version);
    }

    private TestProbe Batches()
    {
        var probe = CreateTestProbe("batches");
        Sys.EventStream.Subscribe(probe.Ref, typeof(AccountLimitsBatch));
        return probe;
    }

    private static MarginBookFigures HeldAt(CollateralBalance[] balances, Position[] positions, MarketSnapshot market) =>
        MarginBookFigures.Of(AccountFixture.Models.StandardCross.Figures(balances, positions, [], market), SettlementPrices.For(market));

    private static (decimal, decimal, decimal, MarginStatus) Summary(MarketSnapshot market)
    {
        var figures = AccountFixture.Models.StandardCross.Figures([new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)], [], market);
        return (figures.EquityUsd, figures.InitialMarginUsd, figures.MaintenanceMarginUsd, figures.Status);
    }

    private static (decimal, decimal, decimal, MarginStatus) Numbers(MarginBookFigures figures) =>
        (figures.EquityUsd, figures.InitialMarginUsd, figures.MaintenanceMarginUsd, figures.Status);

    // What limits were before batches: the account's own computation, one decimal division per asset.
    private static void AssertLimitsAsDivided(string accountId, decimal available, MarketSnapshot market, AccountLimitsChanged limits)
    {
        Assert.Equal((accountId, available), (limits.AccountId, limits.AvailableUsd));
        var assets = market.Instruments.Select(i => i.SettlementAsset).Distinct().Where(market.HasPrice).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(assets, limits.AvailableBySettlementAsset.Keys);
        foreach (var asset in assets)
        {
            Assert.Equal(LimitAmounts.ByDivision(available, market.PriceOf(asset)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                limits.AvailableBySettlementAsset[asset].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
