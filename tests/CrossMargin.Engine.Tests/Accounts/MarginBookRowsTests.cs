using System.Collections.Concurrent;
using CrossMargin.Actors;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Prices;
using CrossMargin.Engine.Tests.Fixtures;
using CrossMargin.Risk.Margin;
using CrossMargin.Risk.Margin.Kernel;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;
using CrossMargin.Risk.Tests.Fixtures;
using Xunit.Abstractions;

namespace CrossMargin.Engine.Tests.Accounts;

/// <summary>
/// A partition's rows and store (<see cref="MarginBookRows"/>, <see cref="HoldingsStore"/>) under an account that
/// rewrites its entry while the pass reads.
/// </summary>
public sealed class MarginBookRowsTests(ITestOutputHelper output) : Actors.TestKit.TestKit(output)
{
    private readonly ITestOutputHelper _output = output;

    private static readonly HashSet<string> Btc = ["BTC"];

    // Versions of an account's holdings, all holding BTC (so that every move concerns every version). The first three
    // have other lines and balances (so that the lines of one read with the entry of another give other figures, and
    // the store appends each); the last two have the first's lines and balances with other amounts (so that the store
    // writes each over the region of the one before in place, and a region read while it is rewritten gives figures of
    // neither).
    private static readonly (CollateralBalance[] Balances, Position[] Positions)[] Versions =
    [
        ([new CollateralBalance("USDT", 10_000m)], [new Position(TestMarket.BtcUsdt, 1m, 60_000m)]),
        ([new CollateralBalance("USDT", 25_000m), new CollateralBalance("USDC", 5_000m)],
            [new Position(TestMarket.EthUsdt, -4m, 3_000m), new Position(TestMarket.BtcUsdt, 3m, 59_000m)]),
        ([new CollateralBalance("USDC", 40_000m)], [new Position(TestMarket.BtcUsdt, -2m, 61_000m), new Position(TestMarket.EthUsdt, 7m, 2_900m),
            new Position(TestMarket.BtcUsdc, 1m, 60_500m)]),
        ([new CollateralBalance("USDT", 14_000m)], [new Position(TestMarket.BtcUsdt, 2m, 59_500m)]),
        ([new CollateralBalance("USDT", 7_500m)], [new Position(TestMarket.BtcUsdt, -1m, 60_250m)]),
    ];

    // The versions whose lines and balances are the first's.
    private static readonly int[] SameLinesAsFirst = [0, 3, 4];

    [Fact]
    public void A_pass_racing_accounts_that_rewrite_their_entries_publishes_only_figures_of_an_entry_an_account_wrote_at_that_market()
    {
        const int Accounts = 16;
        const int Moves = 2_000;
        var kernel = MarginBook.KernelFor(AccountFixture.Models.StandardCross)!;
        MarketSnapshot[] markets = [TestMarket.Build(59_000m, 3_000m), TestMarket.Build(58_000m, 3_100m)];
        // The calculator's figures of each version at each market: what any figure the pass publishes must be.
        var expected = markets.Select(m => Versions.Select(v => Numbers(AccountFixture.Models.StandardCross.Figures(v.Balances, v.Positions, [], m))).ToArray()).ToArray();
        // Each entry holds the figures of the next version at the first market: never its own at either market, so the
        // pass publishes every account on every move, unless it compares one version's figures with another's held
        // figures (then it finds the next version's figures "unchanged" and leaves the account out of the batch).
        var heldOf = Versions.Select((_, v) => (MarginBookFigures?)MarginBookFigures.Of(AccountFixture.Models.StandardCross.Figures(
            Versions[(v + 1) % Versions.Length].Balances, Versions[(v + 1) % Versions.Length].Positions, [], markets[0]), SettlementPrices.For(markets[0]))).ToArray();
        for (var v = 0; v < Versions.Length; v++)
        {
            Assert.All(expected, e => Assert.NotEqual(e[v], (heldOf[v]!.Value.EquityUsd, heldOf[v]!.Value.InitialMarginUsd, heldOf[v]!.Value.MaintenanceMarginUsd, heldOf[v]!.Value.Status)));
        }

        var partition = new MarginBookPartition();
        var slots = Enumerable.Range(0, Accounts).Select(_ => partition.Join(ActorRefs.Nobody)).ToArray();
        // What each slot's version holds, by the version the slot wrote it as.
        var versionOf = new ConcurrentDictionary<(int Slot, int Written), int>();
        CompiledHoldings Compile(int version) => kernel.Compile(Versions[version].Balances, Versions[version].Positions, [])!;
        void Write(int slot, int version, CompiledHoldings holdings) =>
            versionOf[(slot, slots[slot].Write(new MarginBookEntry($"acc-{slot}", kernel, holdings, heldOf[version])))] = version;

        // Holdings compiled once per version and shared by many entries: the store takes their lines over the first time
        // and compiles them again for every later entry (the path of an entry rewritten with the same holdings elsewhere).
        var shared = Enumerable.Range(0, Versions.Length).Select(Compile).ToArray();
        for (var i = 0; i < Accounts; i++)
        {
            Write(i, 0, Compile(0));
        }

        var bySlot = Enumerable.Range(0, Accounts).ToDictionary(i => $"acc-{i}", i => i);
        var failures = new ConcurrentQueue<string>();
        var market = 0;
        var moved = new SemaphoreSlim(0);
        // On the pass's thread, right after it wrote the batch's cells: each one must be the figures of the version its
        // entry holds, at the market of this move, and the batch must carry every account (every move concerns each).
        Sys.EventStream.Subscribe(new CallbackRef(message =>
        {
            var batch = (AccountLimitsBatch)message;
            if (batch.Count != Accounts)
            {
                failures.Enqueue($"a batch of {batch.Count} accounts, not {Accounts}");
            }

            foreach (var change in batch.Changes())
            {
                var slot = bySlot[change.AccountId];
                var figures = slots[slot].Figures;
                // The writer records a version just after it wrote it, so possibly after the pass computed it.
                var version = -1;
                if (figures is null || !SpinWait.SpinUntil(() => versionOf.TryGetValue((slot, figures.Value.For), out version), TimeSpan.FromSeconds(5)))
                {
                    failures.Enqueue($"{change.AccountId}: figures of no version it wrote");
                    continue;
                }

                var numbers = (figures.Value.EquityUsd, figures.Value.InitialMarginUsd, figures.Value.MaintenanceMarginUsd, figures.Value.Status);
                if (numbers != expected[market][version] || change.AvailableUsd != figures.Value.AvailableUsd)
                {
                    failures.Enqueue($"{change.AccountId}: {numbers} published for version {version}, whose figures are {expected[market][version]}");
                }
            }

            moved.Release();
        }), typeof(AccountLimitsBatch));

        using var stop = new CancellationTokenSource();
        var writes = 0L;
        var writer = new Thread(() =>
        {
            var random = new Random(7);
            while (!stop.IsCancellationRequested)
            {
                var i = random.Next(Accounts);
                var version = random.Next(Versions.Length);
                Write(i, version, random.Next(2) == 0 ? shared[version] : Compile(version));
                writes++;
            }
        });
        writer.Start();
        var pass = Sys.ActorOf(MarginPass.Props(partition));
        try
        {
            for (var n = 0; n < Moves && failures.IsEmpty; n++)
            {
                market = n % 2;
                pass.Tell(new MarketChanged(markets[market], n + 2, Btc));
                Assert.True(moved.Wait(TimeSpan.FromSeconds(10)), $"move {n}: no batch");
            }
        }
        finally
        {
            stop.Cancel();
            writer.Join();
        }

        Assert.True(writes > Moves, $"only {writes} entries written against {Moves} moves");
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(5)));
    }

    [Fact]
    public void Rows_read_while_an_account_rewrites_them_and_their_regions_in_place_each_give_the_figures_of_one_version_it_wrote()
    {
        // Few rows, so that the reader is often on the row being written.
        const int Accounts = 2;
        var kernel = MarginBook.KernelFor(AccountFixture.Models.StandardCross)!;
        var market = TestMarket.Build(59_000m, 3_000m);
        var tables = kernel.At(market);
        var expected = Versions.Select(v => Numbers(AccountFixture.Models.StandardCross.Figures(v.Balances, v.Positions, [], market))).ToArray();
        Assert.Equal(expected.Length, expected.Distinct().Count());
        var versionOf = new ConcurrentDictionary<CompiledHoldings, int>();
        var partition = new MarginBookPartition();
        var slots = Enumerable.Range(0, Accounts).Select(_ => partition.Join(ActorRefs.Nobody)).ToArray();
        // Compiled ahead, so that the writer spends its time writing rows (the store compiles the lines again for holdings
        // it took over already).
        var pool = Enumerable.Range(0, 64).Select(n => kernel.Compile(Versions[n % Versions.Length].Balances, Versions[n % Versions.Length].Positions, [])!).ToArray();
        for (var n = 0; n < pool.Length; n++)
        {
            versionOf[pool[n]] = n % Versions.Length;
        }

        using var stop = new CancellationTokenSource();
        var writes = 0L;
        var sameLines = 0L;
        var writer = new Thread(() =>
        {
            var random = new Random(11);
            var last = new int[Accounts];
            while (!stop.IsCancellationRequested)
            {
                var i = random.Next(Accounts);
                // Mostly versions with the same lines, written over the region in place; now and then another, appended.
                var n = random.Next(4) == 0 ? random.Next(pool.Length) : (random.Next(pool.Length / Versions.Length) * Versions.Length) + SameLinesAsFirst[random.Next(SameLinesAsFirst.Length)];
                var version = n % Versions.Length;
                if (SameLinesAsFirst.Contains(version) && SameLinesAsFirst.Contains(last[i]))
                {
                    sameLines++;
                }

                slots[i].Write(new MarginBookEntry("acc", kernel, pool[n], null));
                last[i] = version;
                writes++;
            }
        });
        writer.Start();

        // A reader as the pass reads: a row between two reads of its counter, the figures from its region in that version's
        // store, and the counter once more, which must not have changed for the figures to count.
        var reads = 0L;
        var discarded = 0L;
        var failures = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(4) && failures.Count < 5)
            {
                var rows = partition.Rows;
                for (var i = 0; i < rows.Count; i++)
                {
                    if (rows.Read(i, out _, out _, out var region, out var sequence) is not { } holdings)
                    {
                        continue;
                    }

                    var version = versionOf[holdings];
                    bool computed;
                    KernelFigures figures;
                    try
                    {
                        computed = StandardCrossKernel.TryCompute(rows.Store, region, holdings, tables, out figures);
                    }
                    catch (ArgumentOutOfRangeException)
                    {
                        failures.Add($"row {i}: version {version}'s entry read with a region beyond the store");
                        continue;
                    }

                    if (!rows.IsUnchanged(i, sequence))
                    {
                        discarded++;
                        continue;
                    }

                    reads++;
                    if (region.LineCount != Versions[version].Positions.Length || region.BalanceCount != Versions[version].Balances.Length)
                    {
                        failures.Add($"row {i}: version {version}'s entry read with a region of {region.LineCount} lines and {region.BalanceCount} balances");
                    }
                    else if (!computed || (figures.EquityUsd, figures.InitialMarginUsd, figures.MaintenanceMarginUsd, figures.Status) != expected[version])
                    {
                        failures.Add($"row {i}: version {version}'s entry read with lines that give other figures");
                    }
                }
            }
        }
        finally
        {
            stop.Cancel();
            writer.Join();
        }

        _output.WriteLine($"{reads:N0} rows read and {discarded:N0} discarded against {writes:N0} entries written ({sameLines:N0} over one with the same lines)");
        Assert.True(failures.Count == 0, $"{reads:N0} rows read against {writes:N0} entries written:\n" + string.Join("\n", failures));
        Assert.True(writes > 10_000 && sameLines > 5_000 && reads > 10_000 && discarded > 100, $"too little contention: {reads} reads, {discarded} discarded, {writes} writes, {sameLines} over the same lines");
    }

    [Fact]
    public void An_entry_with_the_lines_and_balances_of_the_one_before_is_written_over_its_region_and_one_with_other_lines_is_appended()
    {
        var kernel = MarginBook.KernelFor(AccountFixture.Models.StandardCross)!;
        var market = TestMarket.Build(59_000m, 3_000m);
        var partition = new MarginBookPartition();
        var slot = partition.Join(ActorRefs.Nobody);
        (HoldingsRegion Region, HoldingsStore Store, int Lines, int Balances, KernelFigures Figures) Stored()
        {
            var rows = partition.Rows;
            var holdings = rows.Read(0, out _, out _, out var region, out _)!;
            Assert.True(StandardCrossKernel.TryCompute(rows.Store, region, holdings, kernel.At(market), out var figures));
            return (region, rows.Store, rows.Store.LinesUsed, rows.Store.BalancesUsed, figures);
        }

        (decimal, decimal, decimal, MarginStatus) FiguresOf(int version) =>
            Numbers(AccountFixture.Models.StandardCross.Figures(Versions[version].Balances, Versions[version].Positions, [], market));

        slot.Write(EntryOf(kernel, 0, null));
        var first = Stored();
        slot.Write(EntryOf(kernel, 3, null));
        var second = Stored();
        Assert.Equal((first.Region, first.Store, first.Lines, first.Balances), (second.Region, second.Store, second.Lines, second.Balances));
        Assert.Equal(FiguresOf(3), (second.Figures.EquityUsd, second.Figures.InitialMarginUsd, second.Figures.MaintenanceMarginUsd, second.Figures.Status));

        // Other lines: appended after the first region, which is left as it was for readers that still hold it.
        slot.Write(EntryOf(kernel, 1, null));
        var third = Stored();
        Assert.NotEqual(first.Region, third.Region);
        Assert.Equal(FiguresOf(1), (third.Figures.EquityUsd, third.Figures.InitialMarginUsd, third.Figures.MaintenanceMarginUsd, third.Figures.Status));
        Assert.Equal(first.Lines + Versions[1].Positions.Length, partition.Rows.Store.LinesUsed);
    }

    [Fact]
    public void A_pass_still_reading_the_rows_before_the_partition_grew_reads_regions_nobody_writes_in_place()
    {
        var kernel = MarginBook.KernelFor(AccountFixture.Models.StandardCross)!;
        var market = TestMarket.Build(59_000m, 3_000m);
        var partition = new MarginBookPartition();
        var slots = new List<MarginBookSlot> { partition.Join(ActorRefs.Nobody) };
        slots[0].Write(EntryOf(kernel, 0, null));
        var before = partition.Rows;
        while (ReferenceEquals(partition.Rows.Items, before.Items))
        {
            slots.Add(partition.Join(ActorRefs.Nobody));
        }

        // The account writes holdings with the same lines into its row of the grown rows (in place there), while a pass
        // holds the rows of before: the row it reads there keeps its counter, so its region must keep its lines too.
        var holdings = before.Read(0, out _, out _, out var region, out var sequence)!;
        slots[0].Write(EntryOf(kernel, 3, null));
        Assert.True(StandardCrossKernel.TryCompute(before.Store, region, holdings, kernel.At(market), out var figures));
        Assert.True(before.IsUnchanged(0, sequence));
        Assert.Equal(Numbers(AccountFixture.Models.StandardCross.Figures(Versions[0].Balances, Versions[0].Positions, [], market)),
            (figures.EquityUsd, figures.InitialMarginUsd, figures.MaintenanceMarginUsd, figures.Status));
    }

    [Fact]
    public void A_slot_dropped_after_leaving_never_writes_the_row_its_index_now_names()
    {
        var kernel = MarginBook.KernelFor(AccountFixture.Models.StandardCross)!;
        var partition = new MarginBookPartition();
        var slots = Enumerable.Range(0, 64).Select(_ => partition.Join(ActorRefs.Nobody)).ToArray();
        MarginBookEntry EntryOf(int i) => new($"acc-{i}", kernel, kernel.Compile(Versions[0].Balances, Versions[0].Positions, [])!, null);
        var entries = Enumerable.Range(0, slots.Length).Select(EntryOf).ToArray();
        for (var i = 0; i < slots.Length; i++)
        {
            slots[i].Write(entries[i]);
        }

        // The first half leaves: the partition drops them, and the rows the first of them had go to those that stayed.
        foreach (var slot in slots.Take(32))
        {
            partition.Leave(slot);
        }

        var rows = partition.Rows;
        Assert.Equal(32, rows.Count);
        Assert.Throws<InvalidOperationException>(() => slots[0].Write(EntryOf(0)));
        slots[1].Clear();
        Assert.Equal(entries.Skip(32).Select(e => e.Holdings), Enumerable.Range(0, rows.Count).Select(i => rows.Read(i, out _, out _, out _, out _)));
    }

    [Fact]
    public void A_slots_versions_keep_growing_when_its_partition_grows_or_compacts_so_figures_of_an_earlier_version_are_never_taken_for_a_later_one()
    {
        var kernel = MarginBook.KernelFor(AccountFixture.Models.StandardCross)!;
        var market = TestMarket.Build(59_000m, 3_000m);
        var slots = new List<MarginBookSlot>();
        var partition = new MarginBookPartition();
        slots.Add(partition.Join(ActorRefs.Nobody));
        var first = EntryOf(kernel, 0, null);
        Assert.True(StandardCrossKernel.TryCompute(first.Holdings, kernel.At(market), out var figures));
        var written = new List<int> { slots[0].Write(first) };
        // The pass computed the first version's figures and wrote them into the slot's cell.
        slots[0].Write(written[0], figures, market.ValuationTime, SettlementPrices.For(market));
        Assert.NotNull(slots[0].FiguresFor(written[0]));

        // The partition grows (new rows) twice, and then compacts (new rows again), the account writing in between.
        for (var grown = 0; grown < 2; grown++)
        {
            var before = partition.Rows;
            while (ReferenceEquals(partition.Rows.Items, before.Items) || slots.Count < 64)
            {
                slots.Add(partition.Join(ActorRefs.Nobody));
            }

            written.Add(slots[0].Write(EntryOf(kernel, 1 + grown, null)));
        }

        var full = partition.Rows;
        foreach (var slot in slots.Skip(1))
        {
            partition.Leave(slot);
        }

        Assert.NotSame(full.Items, partition.Rows.Items);
        written.Add(slots[0].Write(EntryOf(kernel, 3, null)));

        Assert.Equal(written.Distinct().Order(), written);
        Assert.Equal(written[^1], slots[0].Version);
        Assert.All(written.Skip(1), version => Assert.Null(slots[0].FiguresFor(version)));
    }

    [Fact]
    public void Held_figures_of_a_version_the_slot_has_replaced_are_not_read_as_that_versions_even_from_rows_nobody_writes_any_more()
    {
        var kernel = MarginBook.KernelFor(AccountFixture.Models.StandardCross)!;
        var market = TestMarket.Build(59_000m, 3_000m);
        MarginBookFigures HeldOf(int version) =>
            MarginBookFigures.Of(AccountFixture.Models.StandardCross.Figures(Versions[version].Balances, Versions[version].Positions, [], market), SettlementPrices.For(market));
        var partition = new MarginBookPartition();
        var slots = new List<MarginBookSlot> { partition.Join(ActorRefs.Nobody) };
        slots[0].Write(EntryOf(kernel, 0, HeldOf(0)));
        var before = partition.Rows;
        while (ReferenceEquals(partition.Rows.Items, before.Items))
        {
            slots.Add(partition.Join(ActorRefs.Nobody));
        }

        // A pass still reading the rows of before reads the version there, and what the account held with it.
        before.Read(0, out _, out _, out _, out var version);
        Assert.True(slots[0].TryReadHeld(version, out var known, out var equity, out _, out _, out _, out _));
        Assert.True(known);
        Assert.Equal(HeldOf(0).EquityUsd, equity);

        // The account writes its next version into the grown rows: the old row's counter cannot say so, the held figures' version must.
        slots[0].Write(EntryOf(kernel, 3, HeldOf(3)));
        Assert.True(before.IsUnchanged(0, version));
        Assert.False(slots[0].TryReadHeld(version, out _, out _, out _, out _, out _, out _));
        Assert.True(slots[0].TryReadHeld(slots[0].Version, out _, out equity, out _, out _, out _, out _));
        Assert.Equal(HeldOf(3).EquityUsd, equity);
    }

    // An entry of account "acc" holding version <paramref name="version"/>, freshly compiled.
    private static MarginBookEntry EntryOf(StandardCrossKernel kernel, int version, MarginBookFigures? held) =>
        new("acc", kernel, kernel.Compile(Versions[version].Balances, Versions[version].Positions, [])!, held);

    private static (decimal, decimal, decimal, MarginStatus) Numbers(MarginFigures figures) =>
        (figures.EquityUsd, figures.InitialMarginUsd, figures.MaintenanceMarginUsd, figures.Status);
}
