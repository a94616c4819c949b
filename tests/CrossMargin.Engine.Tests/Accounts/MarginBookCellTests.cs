using CrossMargin.Actors;
using CrossMargin.Engine.Accounts;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Kernel;
using CrossMargin.Risk.Tests.Fixtures;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>The figures a re-margin pass keeps in place in a slot, and what other threads read of them.</summary>
public sealed class MarginBookCellTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_reader_on_another_thread_only_ever_copies_figures_as_one_write_left_them()
    {
        var (versions, settlement) = (Versions, SettlementPrices.For(TestMarket.Build()));
        var slot = new MarginBookPartition().Join(ActorRefs.Nobody);
        slot.Write(versions[0], Figures(0), Start, settlement);
        const int Writes = 2_000_000;
        var writer = Task.Run(() =>
        {
            for (var k = 1; k <= Writes; k++)
            {
                slot.Write(versions[k % 2], Figures(k), Start.AddTicks(k), settlement);
            }
        });

        // Every field of write k is derived from k: a copy mixing two writes cannot satisfy all of them.
        var reads = 0;
        while (!writer.IsCompleted || reads == 0)
        {
            var copy = slot.Figures!.Value;
            var k = (int)copy.EquityUsd;
            Assert.Equal(Figures(k), new KernelFigures(copy.EquityUsd, copy.InitialMarginUsd, copy.MaintenanceMarginUsd, copy.Status));
            Assert.Equal(Start.AddTicks(k), copy.ValuationTime);
            Assert.Equal(versions[k % 2], copy.For);
            reads++;
        }

        await writer;
        Assert.Equal(Writes, (int)slot.Figures!.Value.EquityUsd);
    }

    [Fact]
    public void Rewriting_a_slots_figures_allocates_nothing()
    {
        var (versions, settlement) = (Versions, SettlementPrices.For(TestMarket.Build()));
        var slot = new MarginBookPartition().Join(ActorRefs.Nobody);
        // The same loop once unmeasured first: its first run on a busy runtime may compile the loop on this thread (on-stack
        // replacement) and load types, which allocates once (760 B seen in a full-suite run), not per write.
        Rewrite(slot, versions, settlement);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Rewrite(slot, versions, settlement);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_000m, slot.Figures!.Value.EquityUsd);
    }

    private static void Rewrite(MarginBookSlot slot, int[] versions, SettlementPrices settlement)
    {
        for (var k = 1; k <= 10_000; k++)
        {
            slot.Write(versions[k % 2], Figures(k), Start.AddTicks(k), settlement);
        }
    }

    [Fact]
    public void Figures_written_for_an_older_version_are_not_the_accounts()
    {
        var (versions, settlement) = (Versions, SettlementPrices.For(TestMarket.Build()));
        var slot = new MarginBookPartition().Join(ActorRefs.Nobody);
        Assert.Null(slot.FiguresFor(versions[0]));

        slot.Write(versions[0], Figures(6), Start, settlement);

        Assert.Null(slot.FiguresFor(versions[1]));
        var copy = slot.FiguresFor(versions[0])!.Value;
        Assert.Equal(versions[0], copy.For);
        Assert.Same(settlement, copy.Settlement);
        Assert.Equal((6m, 6.01m, 6.02m, MarginStatus.Liquidation), (copy.EquityUsd, copy.InitialMarginUsd, copy.MaintenanceMarginUsd, copy.Status));
    }

    [Fact]
    public void Settlement_prices_are_the_same_only_with_the_same_assets_and_the_same_prices_to_the_scale()
    {
        var first = SettlementPrices.For(TestMarket.Build(60_000m, 3_000m));

        // ETH settles nothing here; BTC does (the inverse instruments).
        Assert.True(first.SameBits(SettlementPrices.For(TestMarket.Build(60_000m, 3_100m))));
        Assert.False(first.SameBits(SettlementPrices.For(TestMarket.Build(60_100m, 3_000m))));
        // The same value at another scale states limits at another scale.
        Assert.False(first.SameBits(SettlementPrices.For(TestMarket.Build(60_000.0m, 3_000m))));
        Assert.False(first.SameBits(first with { Assets = [.. first.Assets.Reverse()] }));
        Assert.False(first.SameBits(null));
    }

    // Write k: equity k, IM and MM a cent and two above, the status cycling through all four.
    private static KernelFigures Figures(int k) => new(k, k + 0.01m, k + 0.02m, (MarginStatus)(k % 4));

    // Two versions of a slot (what the account wrote is named by its row's counter, even).
    private static readonly int[] Versions = [2, 4];
}
