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
    public void An_account_is_told_its_figures_only_when_they_or_its_limits_change()
    {
        var (pass, account, _, entry) = Start([new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)]);

        // Held figures unknown: told.
        var first = TestMarket.Build(60_000m, 3_000m);
        pass.Tell(new MarketChanged(first, 2, Btc));
        var told = account.ExpectMsg<Remargined>();
        Assert.Same(entry, told.For);
        Assert.Equal(Summary(first), Numbers(told.Margin));
        Assert.Equal(told.Margin.AvailableMarginUsd, told.Limits.AvailableUsd);

        // A new snapshot with the same prices: the same figures, nothing to tell.
        pass.Tell(new MarketChanged(TestMarket.Build(60_000m, 3_000m), 3, Btc));
        account.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // BTC down 1,000: new figures.
        var lower = TestMarket.Build(59_000m, 3_000m);
        pass.Tell(new MarketChanged(lower, 4, Btc));
        Assert.Equal(Summary(lower), Numbers(account.ExpectMsg<Remargined>().Margin));
    }

    [Fact]
    public void An_account_holding_nothing_that_moved_is_not_computed()
    {
        var (pass, account, _, _) = Start([new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)]);

        pass.Tell(new MarketChanged(TestMarket.Build(60_000m, 2_000m), 2, new HashSet<string> { "ETH" }));

        account.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_breached_account_is_told_on_every_move_even_with_the_same_figures()
    {
        // 100 USDT against 1 BTC bought at 60,000 and marked at 59,000: equity -900, bankrupt.
        var (pass, account, _, _) = Start([new CollateralBalance("USDT", 100m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)]);

        pass.Tell(new MarketChanged(TestMarket.Build(59_000m, 3_000m), 2, Btc));
        Assert.Equal(MarginStatus.Bankrupt, account.ExpectMsg<Remargined>().Margin.Status);
        pass.Tell(new MarketChanged(TestMarket.Build(59_000m, 3_000m), 3, Btc));
        Assert.Equal(MarginStatus.Bankrupt, account.ExpectMsg<Remargined>().Margin.Status);
    }

    [Fact]
    public void An_account_the_kernel_cannot_margin_at_this_market_is_sent_the_change_itself()
    {
        var (pass, account, _, _) = Start([new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)]);
        // A market without the account's instrument: the account must re-margin (and report the failure) itself.
        var without = TestMarket.Build(60_000m, 3_000m, TestMarket.Instruments.Where(i => i.Symbol != TestMarket.BtcUsdt));

        var changed = new MarketChanged(without, 2, Btc);
        pass.Tell(changed);

        Assert.Same(changed, account.ExpectMsg<MarketChanged>());
    }

    [Fact]
    public void A_changed_entry_is_compared_with_the_figures_the_account_holds_not_with_those_sent_before()
    {
        var (pass, account, slot, entry) = Start([new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)]);
        var market = TestMarket.Build(59_000m, 3_000m);
        pass.Tell(new MarketChanged(market, 2, Btc));
        var told = account.ExpectMsg<Remargined>();

        // The account traded since (new holdings) and margined itself at a market where it holds other figures.
        var newer = entry with { Holdings = entry.Kernel.Compile([new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcUsdt, 2m, 60_000m)], [])!, Margin = told.Margin, Limits = told.Limits };
        slot.Entry = newer;
        pass.Tell(new MarketChanged(TestMarket.Build(59_000m, 3_000m), 3, Btc));

        Assert.Same(newer, account.ExpectMsg<Remargined>().For);
    }

    [Fact]
    public void A_partition_forgets_accounts_that_left_and_keeps_the_others()
    {
        var partition = new MarginBookPartition();
        var slots = Enumerable.Range(0, 200).Select(_ => partition.Join(CreateTestProbe().Ref)).ToArray();
        var before = partition.Slots;

        foreach (var slot in slots.Where((_, i) => i % 3 != 0))
        {
            partition.Leave(slot);
        }

        var after = partition.Slots;
        var live = after.Items.Take(after.Count).Where(s => !s.HasLeft).ToArray();
        Assert.Equal(slots.Where((_, i) => i % 3 == 0), live);
        Assert.True(after.Count < 200, "compacted");
        // A pass that started before still sees every slot it had.
        Assert.Equal(slots, before.Items.Take(before.Count));
    }

    private (IActorRef Pass, TestProbe Account, MarginBookSlot Slot, MarginBookEntry Entry) Start(CollateralBalance[] balances, Position[] positions)
    {
        var account = CreateTestProbe("account");
        var partition = new MarginBookPartition();
        var slot = partition.Join(account.Ref);
        var kernel = MarginBook.KernelFor(AccountFixture.Models.StandardCross)!;
        var entry = new MarginBookEntry("acc-1", kernel, kernel.Compile(balances, positions, [])!, null, null);
        slot.Entry = entry;
        return (Sys.ActorOf(MarginPass.Props(partition)), account, slot, entry);
    }

    private static (decimal, decimal, decimal, MarginStatus) Summary(MarketSnapshot market)
    {
        var figures = AccountFixture.Models.StandardCross.Figures([new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)], [], market);
        return (figures.EquityUsd, figures.InitialMarginUsd, figures.MaintenanceMarginUsd, figures.Status);
    }

    private static (decimal, decimal, decimal, MarginStatus) Numbers(MarginSummary margin) =>
        (margin.EquityUsd, margin.InitialMarginUsd, margin.MaintenanceMarginUsd, margin.Status);
}
