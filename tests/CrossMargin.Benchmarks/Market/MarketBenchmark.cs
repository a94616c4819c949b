using System.Diagnostics;
using System.Globalization;
using CrossMargin.Actors;
using CrossMargin.Benchmarks.Engine;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Prices;
using CrossMargin.Risk.Market;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Benchmarks.Market;

/// <summary>
/// What a market snapshot costs as the listing schedules' expired contracts pile up: the default venue (its listing
/// schedules in force) on an engine clock at each of <see cref="MarketBenchOptions.At"/>, one BTC index move at a time.
/// (1) no account live: time from the UpdatePrices to MarketChanged (price actor, publisher's flush: snapshot and scenario
/// vectors) and bytes allocated per move; (2) the snapshot constructor alone and the heap each snapshot holds; (3) a book of accounts holding
/// BTC-PERP live: time to the last account's limits.
/// </summary>
internal static class MarketBenchmark
{
    private const int Warmups = 50;
    private const int Kept = 200;
    private const int Builds = 2_000;

    public static async Task<int> RunAsync(MarketBenchOptions options)
    {
        var config = EngineRig.FindConfig(options.Config);
        foreach (var line in MachineFacts.Describe())
        {
            Print(line);
        }

        var venue = EngineRig.LoadVenue(config).Market;
        var clocks = options.At ?? [venue.ValuationTime, new DateTimeOffset(2030, 2, 1, 8, 0, 0, TimeSpan.Zero)];
        foreach (var at in clocks)
        {
            await RunAtAsync(config, at, options);
        }

        return 0;
    }

    private static async Task RunAtAsync(string config, DateTimeOffset at, MarketBenchOptions options)
    {
        Print("");
        await using var rig = await EngineRig.StartAsync(config, start: at, listing: true);
        var opening = rig.Engine.Market.Current;
        Print(string.Create(CultureInfo.InvariantCulture,
            $"clock {at:O}: {opening.Instruments.Count()} listed ({opening.Options.Count} options), {Count(opening.ExpiredInstruments)} expired in the snapshot"));
        var published = new CountingRef("market-changed");
        rig.System.EventStream.Subscribe(published, typeof(MarketChanged));

        // (1) The snapshot alone: nothing live to re-margin.
        var flushes = new LatencySample(options.Moves);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = 0L;
        for (var move = 0; move < Warmups + options.Moves; move++)
        {
            if (move == Warmups)
            {
                cpu = Process.GetCurrentProcess().TotalProcessorTime;
                allocated = GC.GetTotalAllocatedBytes();
            }

            var sent = await MoveAsync(rig, published, move, []);
            if (move >= Warmups)
            {
                flushes.Add(published.ReachedAt - sent);
            }
        }

        allocated = GC.GetTotalAllocatedBytes() - allocated;
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Print(string.Create(CultureInfo.InvariantCulture,
            $"   (1) index move to MarketChanged, no account live, {options.Moves} moves: {flushes.Describe()}; process CPU {cpu.TotalMicroseconds / options.Moves:N0} us and "
            + $"{allocated / options.Moves:N0} B allocated per move; the newest snapshot lists {rig.Engine.Market.Current.Instruments.Count()} and keeps {Count(rig.Engine.Market.Current.ExpiredInstruments)} expired"));

        // (2) The snapshot constructor alone, on this thread, from the newest snapshot's contents as the publisher passes
        // them (the expired instruments as the snapshot holds them), and the heap each such snapshot holds.
        var newest = rig.Engine.Market.Current;
        var listed = newest.Instruments.ToArray();
        var marks = listed.Select(i => newest.MarkOf(i.Symbol)).ToArray();
        var prices = newest.AssetPrices.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var underlyings = newest.UnderlyingMarkets.ToArray();
        MarketSnapshot Build() => new(newest.ValuationTime, listed, prices, underlyings, marks, newest.ExpiredInstruments);
        for (var i = 0; i < 200; i++)
        {
            Build();
        }

        var builds = new LatencySample(Builds);
        var threadAllocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Builds; i++)
        {
            var t = Stopwatch.GetTimestamp();
            Build();
            builds.Add(Stopwatch.GetTimestamp() - t);
        }

        threadAllocated = GC.GetAllocatedBytesForCurrentThread() - threadAllocated;
        var held = new List<MarketSnapshot>(Kept);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < Kept; i++)
        {
            held.Add(Build());
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(held);
        Print(string.Create(CultureInfo.InvariantCulture,
            $"   (2) MarketSnapshot constructor alone ({listed.Length} listed, {Count(newest.ExpiredInstruments)} expired), {Builds} builds on one thread: {builds.Describe()}; "
            + $"{threadAllocated / Builds:N0} B allocated per build; heap held per snapshot {(after - before) / Kept:N0} B ({Kept} kept, GC.GetTotalMemory(true) before and after)"));

        // (3) A book margined on every move.
        var ids = Enumerable.Range(0, options.Accounts).Select(i => $"mkt-{i:D6}").ToArray();
        var perp = opening.MarkOf("BTC-PERP").MarkPrice;
        await rig.SeedAsync(ids, i => [("BTC-PERP", i % 2 == 0 ? OrderSide.Buy : OrderSide.Sell, 200m * (1 + (i % 5)), perp)]);
        await EngineRig.ForEachAsync(ids.Length, 256, i => rig.StartAccountAsync(ids[i]));
        var limits = new CountingRef("limits", m => m switch
        {
            AccountLimitsChanged changed => changed.AccountId.StartsWith("mkt-", StringComparison.Ordinal) ? 1 : 0,
            AccountLimitsBatch batch => Enumerable.Range(0, batch.Count).Count(i => batch.AccountIdAt(i).StartsWith("mkt-", StringComparison.Ordinal)),
            _ => 0,
        });
        rig.System.EventStream.Subscribe(limits, typeof(AccountLimitsChanged));
        rig.System.EventStream.Subscribe(limits, typeof(AccountLimitsBatch));
        var moves = Math.Max(5, options.Moves / 10);
        var remargins = new LatencySample(moves);
        for (var move = 0; move < 5 + moves; move++)
        {
            limits.Reset(ids.Length);
            var sent = await MoveAsync(rig, published, move, []);
            var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
            while (limits.ReachedAt == 0 && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(1);
            }

            if (limits.ReachedAt == 0)
            {
                Print($"   (3) move {move}: only {limits.Count} of {ids.Length} accounts re-margined within 30 s");
                return;
            }

            if (move >= 5)
            {
                remargins.Add(limits.ReachedAt - sent);
            }
        }

        Print($"   (3) index move to the last of {ids.Length:N0} accounts' limits (each long or short BTC-PERP), {moves} moves: {remargins.Describe()}");
    }

    /// <summary>Moves the BTC index 1% (alternately up and down) and waits for the MarketChanged; returns when it was sent.</summary>
    private static async Task<long> MoveAsync(EngineRig rig, CountingRef published, int move, UpdateMark[] marks)
    {
        var market = rig.Engine.Market.Current;
        var factor = move % 2 == 0 ? 1.01m : 1 / 1.01m;
        published.Reset(1);
        var sent = Stopwatch.GetTimestamp();
        rig.Engine.Prices.Tell(new UpdatePrices([new UpdateIndex("BTC", decimal.Round(market.PriceOf("BTC") * factor, 2), rig.Clock.GetUtcNow())], marks), ActorRefs.NoSender);
        while (published.ReachedAt == 0)
        {
            await Task.Delay(TimeSpan.FromTicks(1));
        }

        return sent;
    }

    // Through IEnumerable: the benchmark also builds against the code before session 27, where it was one.
    private static int Count(IEnumerable<CrossMargin.Risk.Instruments.Instrument> instruments) => instruments.Count();

    private static void Print(string line) => Console.WriteLine(line);
}
