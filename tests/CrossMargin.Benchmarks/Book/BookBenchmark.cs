using System.Diagnostics;
using CrossMargin.Risk.Margin.Scenarios;

namespace CrossMargin.Benchmarks.Book;

/// <summary>
/// Re-margins a synthetic book with the scenario model and prints the figures: (a) building the scenario vectors of
/// a snapshot where every mark moved, (b) the allocation-free <see cref="ScenarioMarginModel.InitialMargin"/> over
/// every account on every core, (c) a naive Black-76 revaluation per account on a sample, checked against (b).
/// Returns a non-zero exit code when (c) and (b) disagree beyond <see cref="Tolerance"/>.
/// </summary>
internal static class BookBenchmark
{
    private const int Runs = 5;
    private const int NaiveSample = 20_000;
    private const int ChunkSize = 4096;
    private const double Tolerance = 1e-6;
    private const double GoalMs = 100;
    private const double GoalRatio = 20;
    private const int GoalAccounts = 1_000_000;

    public static int Run(BookOptions options)
    {
        foreach (var line in MachineFacts.Describe())
        {
            Console.WriteLine(line);
        }

        var started = Stopwatch.GetTimestamp();
        var book = SyntheticBook.Generate(options.Accounts, options.Seed);
        var market = SyntheticMarket.Snapshot(1.0);
        var instruments = SyntheticBook.Instruments;
        Print($"book: {book.AccountCount:N0} accounts ({book.FuturesAccounts:N0} perpetual/futures, {book.AccountCount - book.FuturesAccounts:N0} option books), {book.LegCount:N0} legs, {instruments.Count} instruments ({instruments.Count(i => i.Expiry is null)} perpetuals, {instruments.Count(i => i is CrossMargin.Risk.Instruments.Future)} futures, {instruments.Count(i => i is CrossMargin.Risk.Instruments.OptionContract)} options), seed {options.Seed}, generated in {Ms(started):F0} ms");

        var parameters = DeribitLikeParameters.Create();
        var set = ScenarioVectorSet.Build(parameters, market);
        var legs = book.Legs.Select(i => set.InstrumentIndexOf(instruments[i].Symbol)).ToArray();
        var book2 = new BookArrays(book.Offsets, legs, book.Quantities);
        Print($"scenarios: {set.ScenarioCount} rows x {set.Underlyings.Count} underlyings; vectors {set.InstrumentCount} x {set.ScenarioCount} doubles");

        var moved = MarkMoves(parameters);
        var im = new double[book.AccountCount];
        var fastMs = FastRemargin(set, book2, im);
        EndToEnd(moved, book2);
        var (naiveAccountsPerSecond, agrees) = Naive(parameters, market, book, im);

        var fastAccountsPerSecond = book.AccountCount / (fastMs / 1000);
        var ratio = fastAccountsPerSecond / naiveAccountsPerSecond;
        var goalMs = fastMs * GoalAccounts / book.AccountCount;
        Print($"c. fast/naive: {fastAccountsPerSecond:N0} / {naiveAccountsPerSecond:N0} accounts/s = {ratio:F0}x");
        Print($"goal: <= 100 ms for 1,000,000 accounts on 2 cores; >= 20x vs naive");
        Print($"goal: <= {GoalMs:F0} ms for {GoalAccounts:N0} accounts on 2 cores: {(goalMs <= GoalMs ? "PASS" : "MISS")} ({goalMs:F1} ms{(book.AccountCount == GoalAccounts ? "" : ", scaled")} on {Environment.ProcessorCount} processors)");
        Print($"goal: >= {GoalRatio:F0}x vs naive: {(ratio >= GoalRatio ? "PASS" : "MISS")} ({ratio:F0}x)");
        if (!agrees)
        {
            Console.Error.WriteLine(FormattableString.Invariant($"FAIL: naive and fast initial margin disagree beyond {Tolerance:E0} relative."));
            return 2;
        }

        return 0;
    }

    /// <summary>(a) A new snapshot with every index, forward and mark up 1%, and its vectors.</summary>
    private static ScenarioVectorSet MarkMoves(PortfolioMarginParameters parameters)
    {
        var started = Stopwatch.GetTimestamp();
        var moved = SyntheticMarket.Snapshot(1.01);
        var snapshotMs = Ms(started);
        var times = new double[Runs];
        ScenarioVectorSet? set = null;
        for (var r = 0; r < Runs; r++)
        {
            started = Stopwatch.GetTimestamp();
            set = ScenarioVectorSet.Build(parameters, moved);
            times[r] = Ms(started);
        }

        Print($"a. mark moves (+1% on every mark): new snapshot {snapshotMs:F1} ms; ScenarioVectorSet.Build median {Median(times):F2} ms (runs {string.Join(", ", times.Select(t => t.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))} ms)");
        return set!;
    }

    /// <summary>(b) Every account through the allocation-free path, over every core; warm-up, then the median of the runs.</summary>
    private static double FastRemargin(ScenarioVectorSet set, BookArrays book, double[] im)
    {
        RemarginAll(set, book, im);
        RemarginAll(set, book, im);
        var times = new double[Runs];
        var cpuTimes = new double[Runs];
        for (var r = 0; r < Runs; r++)
        {
            GC.Collect();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Environment.CpuUsage.TotalTime;
            var started = Stopwatch.GetTimestamp();
            RemarginAll(set, book, im);
            times[r] = Ms(started);
            var cpuMs = cpuTimes[r] = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            Print($"b. run {r + 1}: {times[r]:F1} ms, {im.Length / times[r] / 1000:F2} M accounts/s, process CPU {cpuMs:F0} ms, {allocated:N0} bytes allocated");
        }

        var median = Median(times);
        Print($"b. full re-margin, {Environment.ProcessorCount} threads: median {median:F1} ms for {im.Length:N0} accounts = {im.Length / median / 1000:F2} M accounts/s (median process CPU {Median(cpuTimes):F0} ms); book IM {im.Sum():N2} USD, bits checksum {Checksum(im):X16}");
        return median;
    }

    /// <summary>A mark move from snapshot to every account re-margined, once.</summary>
    private static void EndToEnd(ScenarioVectorSet moved, BookArrays book)
    {
        var started = Stopwatch.GetTimestamp();
        var set = ScenarioVectorSet.Build(moved.Parameters, moved.Market);
        var im = new double[book.Offsets.Length - 1];
        RemarginAll(set, book, im);
        Print($"a+b. mark move to whole book re-margined (build + re-margin, once): {Ms(started):F1} ms; book IM {im.Sum():N2} USD");
    }

    private static void RemarginAll(ScenarioVectorSet set, BookArrays book, double[] im) =>
        InChunks(im.Length, set.ScratchLength, (from, to, scratch) =>
        {
            for (var a = from; a < to; a++)
            {
                var start = book.Offsets[a];
                var count = book.Offsets[a + 1] - start;
                im[a] = ScenarioMarginModel.InitialMargin(set, book.Legs.AsSpan(start, count), book.Quantities.AsSpan(start, count), default, scratch);
            }
        });

    /// <summary>(c) The naive baseline on an evenly strided sample, on every core, compared with (b)'s results.</summary>
    private static (double AccountsPerSecond, bool Agrees) Naive(
        PortfolioMarginParameters parameters, CrossMargin.Risk.Market.MarketSnapshot market, SyntheticBook book, double[] fastIm)
    {
        var naive = new NaiveMargin(parameters, market, SyntheticBook.Instruments);
        var sample = Math.Min(NaiveSample, book.AccountCount);
        var accounts = Enumerable.Range(0, sample).Select(j => (int)((long)j * book.AccountCount / sample)).ToArray();
        var im = new double[sample];
        void Body(int from, int to, double[] scratch)
        {
            for (var j = from; j < to; j++)
            {
                var start = book.Offsets[accounts[j]];
                var count = book.Offsets[accounts[j] + 1] - start;
                im[j] = naive.InitialMargin(book.Legs.AsSpan(start, count), book.Quantities.AsSpan(start, count), scratch);
            }
        }

        InChunks(Math.Min(sample, 1000), naive.ScratchLength, Body);
        var started = Stopwatch.GetTimestamp();
        InChunks(sample, naive.ScratchLength, Body);
        var ms = Ms(started);
        var perSecond = sample / (ms / 1000);

        double maxAbs = 0, maxRel = 0;
        for (var j = 0; j < sample; j++)
        {
            var diff = Math.Abs(fastIm[accounts[j]] - im[j]);
            maxAbs = Math.Max(maxAbs, diff);
            maxRel = Math.Max(maxRel, diff / Math.Max(Math.Abs(im[j]), 1.0));
        }

        Print($"c. naive (Black-76 per option leg per scenario), {sample:N0} sampled accounts, {Environment.ProcessorCount} threads: {ms:F0} ms = {perSecond:N0} accounts/s; full book would take {book.AccountCount / perSecond:F1} s");
        Print($"c. agreement on the sample: max abs diff {maxAbs:G3} USD, max rel diff {maxRel:G3} (relative to max(|IM|, 1 USD); limit {Tolerance:E0}) {(maxRel <= Tolerance ? "OK" : "FAIL")}");
        return (perSecond, maxRel <= Tolerance);
    }

    /// <summary>Runs <paramref name="body"/> over [0, count) in chunks on the thread pool, one scratch per worker.</summary>
    private static void InChunks(int count, int scratchLength, Action<int, int, double[]> body)
    {
        var chunks = (count + ChunkSize - 1) / ChunkSize;
        Parallel.For(0, chunks, () => new double[scratchLength], (c, _, scratch) =>
        {
            body(c * ChunkSize, Math.Min((c + 1) * ChunkSize, count), scratch);
            return scratch;
        }, _ => { });
    }

    /// <summary>A hash of every account's IM bits, so a kernel change that alters any result by one ulp shows.</summary>
    private static ulong Checksum(double[] values)
    {
        var hash = 14695981039346656037UL;
        foreach (var v in values)
        {
            hash = unchecked((hash ^ (ulong)BitConverter.DoubleToInt64Bits(v)) * 1099511628211UL);
        }

        return hash;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }

    private static double Ms(long started) => Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private static void Print(FormattableString line) => Console.WriteLine(FormattableString.Invariant(line));

    private sealed record BookArrays(int[] Offsets, int[] Legs, double[] Quantities);
}
