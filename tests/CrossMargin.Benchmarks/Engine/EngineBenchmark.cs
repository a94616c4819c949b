using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using CrossMargin.Actors;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence.Sqlite;
using CrossMargin.Risk.Portfolios;

namespace CrossMargin.Benchmarks.Engine;

/// <summary>
/// Drives the real engine (<see cref="EngineRig"/>: RiskEngine, SQLite journal through the batching writer, the
/// account shard region, account actors) and prints the issue's figures beside their goals: (a) sustained executions
/// per second, (b) execution-to-acknowledged latency at a fixed offered rate, (c) a mark move re-margining a book,
/// (d) pre-trade check latency, (e) memory per account.
/// </summary>
internal static class EngineBenchmark
{
    private const double GoalThroughput = 50_000;
    private const double GoalLatencyP99Ms = 5;
    private const double GoalRemarginMs = 250;

    // Moves before the timed ones of (c): a pass runs once per partition and move, so the first moves run its loop in
    // the tiered JIT's unoptimized code; a node that follows the market has it optimized.
    private const int RemarginWarmups = 3;
    private const double GoalPreTradeP99Us = 100;
    private const double GoalBytesPerAccount = 2_048;
    private const int GoalBookAccounts = 1_000_000;
    private const int WarmupExecutions = 30_000;
    private const int WarmupRoundExecutions = 10_000;
    private const int MaxWarmupRounds = 30;
    private const int DiskProbeWrites = 2_000;
    private const int DiskProbeBytes = 16 * 1024;
    private const double SettledJitShare = 0.02;

    public static async Task<int> RunAsync(EngineBenchOptions options)
    {
        foreach (var line in MachineFacts.Describe())
        {
            Console.WriteLine(line);
        }

        var config = EngineRig.FindConfig(options.ConfigDirectory);
        Print($"settings: {options}");
        Print($"engine: RiskEngine.Start as the node composes it (config {config}: venue/market.json, risk/standard.json, risk/deribit-pm.json), "
            + $"SQLite journal in a temporary directory (WAL, synchronous=FULL, {options.Checkpoint} checkpoints) through one BatchingJournalWriter (default JournalOptions), {EngineRig.ShardCount} shards, "
            + $"default actor system but {options.Scheduling} scheduling in (a), (b), (d); accounts in standard cross margin holding BTC-PERP long, BTC-26MAR27 short, BTC-25DEC26-60000-C long, USDT and USDC");
        var results = new List<string>();

        if (options.Runs('a') || options.Runs('b') || options.Runs('d'))
        {
            await using var rig = await EngineRig.StartAsync(config, options.Checkpoint == "background", new ActorSystemOptions { PreferLocalQueue = options.Scheduling == "local" },
                sqlite => (sqlite.CheckpointPages, sqlite.EarlyWriteOut) = (options.CheckpointPages, options.WriteOut == "early"));
            var ids = Enumerable.Range(0, options.Accounts).Select(i => $"acc-{i:D7}").ToArray();
            var opened = Stopwatch.GetTimestamp();
            await rig.OpenLiveAsync(ids, Math.Min(options.Window, ids.Length));
            Print($"setup: {ids.Length:N0} accounts opened through RiskEngine.SendAsync (open, 2 deposits, 3 fills each: {ids.Length * 6:N0} commands) in {Stopwatch.GetElapsedTime(opened).TotalSeconds:0.0} s");
            var sequences = new long[ids.Length];
            double? sustained = null;
            if (options.Runs('a') || options.Runs('b'))
            {
                await WarmUpAsync(rig, ids, sequences, options);
            }

            if (options.Runs('a'))
            {
                var (line, rate) = await ThroughputAsync(rig, ids, sequences, options);
                results.Add(line);
                sustained = rate;
            }

            if (options.Runs('b'))
            {
                results.Add(await LatencyAsync(rig, ids, sequences, options, options.Rate));
                if (sustained is { } measured && measured < options.Rate)
                {
                    // Above capacity the latency is queueing time and grows with the run; half the sustained rate shows the engine's own.
                    results.Add(await LatencyAsync(rig, ids, sequences, options, Math.Max(100, (int)(measured / 2))));
                }
            }

            if (options.Runs('d'))
            {
                results.AddRange(await PreTradeAsync(rig, ids, options));
            }
        }

        if (options.Runs('c'))
        {
            results.Add(await RemarginAsync(config, options));
        }

        if (options.Runs('e'))
        {
            results.AddRange(await MemoryAsync(config, options));
        }

        if (options.Runs('f'))
        {
            results.AddRange(EngineParts.Run(config, 20_000));
        }

        Print("");
        Print("summary (figure: measured vs goal)");
        foreach (var result in results)
        {
            Print("  " + result);
        }

        return 0;
    }

    /// <summary>(a) Closed loop: W workers, each owning accounts w, w+W, ..., sends one execution at a time and awaits its reply.</summary>
    private static async Task<(string Line, double Rate)> ThroughputAsync(EngineRig rig, string[] ids, long[] sequences, EngineBenchOptions options)
    {
        Print("");
        Print($"a. sustained throughput: {options.Executions:N0} executions (1-contract BTC-PERP fills, alternately buy and sell) over {ids.Length:N0} accounts, "
            + $"{options.Window:N0} in flight (one per account at a time, so each account's sequence stays in order), each awaited through RiskEngine.SendAsync "
            + "(the call the HTTP endpoint makes); only CommandAccepted replies count (persisted, applied and re-margined); after the warm-up above");

        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var gcs = GC.CollectionCount(0);
        var allocated = GC.GetTotalAllocatedBytes();
        var jitTime = JitInfo.GetCompilationTime();
        var jitMethods = JitInfo.GetCompiledMethodCount();
        rig.ResetStoreStatistics();
        var started = Stopwatch.GetTimestamp();
        var (accepted, other) = await RunExecutionsAsync(rig, ids, sequences, options.Executions, options.Window);
        allocated = GC.GetTotalAllocatedBytes() - allocated;
        jitTime = JitInfo.GetCompilationTime() - jitTime;
        jitMethods = JitInfo.GetCompiledMethodCount() - jitMethods;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        process.Refresh();
        var rate = accepted / seconds;
        Print($"   {accepted:N0} accepted ({other:N0} other replies) in {seconds:0.00} s: {rate:N0} executions/s; process CPU {(process.TotalProcessorTime - cpu).TotalSeconds:0.00} s "
            + $"({(process.TotalProcessorTime - cpu).TotalMicroseconds / Math.Max(1, accepted):0.0} us per execution), gen0 GCs {GC.CollectionCount(0) - gcs}, {allocated / Math.Max(1, accepted):N0} bytes allocated per execution (the whole process: engine, journal, the workers' Asks); load average now {LoadAverage()}");
        Print($"   JIT in the measured run: {jitMethods:N0} methods compiled, {jitTime.TotalMilliseconds:N0} ms ({jitTime / TimeSpan.FromSeconds(seconds):P1} of its wall time)");
        Print($"   {Describe(rig.StoreStatistics)}");
        return ($"a. sustained executions: {rate:N0}/s vs >= {GoalThroughput:N0}/s: {Verdict(rate >= GoalThroughput)}", rate);
    }

    /// <summary>
    /// Closed-loop executions until the tiered JIT is done, so that (a) and (b) measure the steady state and not the
    /// start-up: with 2,000 warm-up executions the JIT added ~50 us per execution to (a) (README, engine round 4), and
    /// even after 30,000 a loaded machine's background compiler was still promoting ~600 methods, 46% of the measured
    /// run's wall time (session 14). What still compiles inside a measured run is printed beside its figures.
    /// </summary>
    private static async Task WarmUpAsync(EngineRig rig, string[] ids, long[] sequences, EngineBenchOptions options)
    {
        Print("");
        var started = Stopwatch.GetTimestamp();
        await RunExecutionsAsync(rig, ids, sequences, WarmupExecutions, options.Window);
        var rounds = 0;
        double share;
        do
        {
            var roundJit = JitInfo.GetCompilationTime();
            var roundStarted = Stopwatch.GetTimestamp();
            await RunExecutionsAsync(rig, ids, sequences, WarmupRoundExecutions, options.Window);
            share = (JitInfo.GetCompilationTime() - roundJit) / Stopwatch.GetElapsedTime(roundStarted);
            rounds++;
        }
        while (share >= SettledJitShare && rounds < MaxWarmupRounds);

        Print($"warm-up for (a) and (b): {WarmupExecutions + (rounds * WarmupRoundExecutions):N0} executions as (a) sends them in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s "
            + $"({WarmupExecutions:N0}, then rounds of {WarmupRoundExecutions:N0} until one spent under {SettledJitShare:P0} of its time in the JIT: the last {share:P1})"
            + (share >= SettledJitShare ? $"; still compiling after {MaxWarmupRounds} rounds, so the figures below include start-up" : string.Empty));
    }

    private static async Task<(long Accepted, long Other)> RunExecutionsAsync(EngineRig rig, string[] ids, long[] sequences, int executions, int window)
    {
        long accepted = 0, other = 0;
        var price = rig.Engine.Market.Current.MarkOf(EngineRig.Book[0]).MarkPrice;
        var now = rig.Clock.GetUtcNow();
        var workers = Enumerable.Range(0, window).Select(async w =>
        {
            var mine = (executions / window) + (w < executions % window ? 1 : 0);
            var owned = (ids.Length - w + window - 1) / window;
            for (var n = 0; n < mine; n++)
            {
                var a = w + (n % owned * window);
                var reply = await rig.Engine.SendAsync(ids[a], Execution(ids[a], ++sequences[a], price, now));
                if (reply is CommandAccepted)
                {
                    Interlocked.Increment(ref accepted);
                }
                else
                {
                    Interlocked.Increment(ref other);
                }
            }
        });
        await Task.WhenAll(workers);
        return (accepted, other);
    }

    private static ApplyExecution Execution(string id, long sequence, decimal price, DateTimeOffset now)
    {
        var executionId = string.Create(CultureInfo.InvariantCulture, $"bx-{id}-{sequence}");
        return new ApplyExecution(executionId, "me-bench", sequence, executionId, executionId, EngineRig.Book[0], sequence % 2 == 0 ? OrderSide.Sell : OrderSide.Buy,
            1m, price, 0m, Liquidity.Taker, now);
    }

    /// <summary>(b) Open loop: one pacing thread sends on a fixed schedule, never waiting for replies; latency is send to reply.</summary>
    private static async Task<string> LatencyAsync(EngineRig rig, string[] ids, long[] sequences, EngineBenchOptions options, int rate)
    {
        options = options with { Rate = rate };

        // Let whatever an earlier run left queued (replies past their Ask timeout) drain first.
        await Task.Delay(2_000);
        Print("");
        var warmupSeconds = options.WarmupSeconds;
        var total = checked(options.Rate * (options.Seconds + warmupSeconds));
        var skip = options.Rate * warmupSeconds;
        Print($"b. latency at {options.Rate:N0} executions/s offered (open loop): one thread sends on a fixed schedule (checked every ~1 ms, the due ones sent at once) "
            + $"round-robin over {ids.Length:N0} accounts, never waiting for replies, for {warmupSeconds} s warm-up + {options.Seconds} s measured; "
            + "latency = Stopwatch from RiskEngine.SendAsync to the CommandAccepted reply (persisted, applied, re-margined); also from the scheduled time (includes the pacer's lateness)");
        var disk = DiskSyncProbe.Measure(rig.DataDirectory, DiskProbeWrites, DiskProbeBytes);
        Print($"   the disk alone, before: {DiskProbeWrites:N0} rounds of writing {DiskProbeBytes / 1024} KiB (four WAL pages) into a written-out file in the journal's directory "
            + $"and flushing it to disk (RandomAccess.FlushToDisk, fsync), one at a time: {disk.Describe()}");
        var price = rig.Engine.Market.Current.MarkOf(EngineRig.Book[0]).MarkPrice;
        var now = rig.Clock.GetUtcNow();
        var scheduled = new long[total];
        var sent = new long[total];
        var done = new long[total];
        var outcomes = new int[total];
        // Collections counted (all generations: each counts in gen0) as each execution is sent and answered, to tell the
        // tail the GC made from the rest.
        var gcAtSend = new int[total];
        var gcAtDone = new int[total];
        var finished = new CountdownEvent(total);
        var frequency = Stopwatch.Frequency;
        // The collections from the first measured send on: the warm-up's (the setup's heap promoted) are told apart.
        var measuredFrom = (Paused: TimeSpan.Zero, Gen0: 0, Gen1: 0, Gen2: 0);
        var jitFrom = TimeSpan.Zero;
        var pacer = new Thread(() =>
        {
            var start = Stopwatch.GetTimestamp();
            var i = 0;
            while (i < total)
            {
                var due = Math.Min(total, (long)((Stopwatch.GetTimestamp() - start) * (double)options.Rate / frequency) + 1);
                for (; i < due; i++)
                {
                    if (i == skip)
                    {
                        measuredFrom = (GC.GetTotalPauseDuration(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                        jitFrom = JitInfo.GetCompilationTime();
                    }

                    var a = i % ids.Length;
                    scheduled[i] = start + (long)(i * (double)frequency / options.Rate);
                    var n = i;
                    gcAtSend[n] = GC.CollectionCount(0);
                    sent[n] = Stopwatch.GetTimestamp();
                    rig.Engine.SendAsync(ids[a], Execution(ids[a], ++sequences[a], price, now)).ContinueWith(t =>
                    {
                        done[n] = Stopwatch.GetTimestamp();
                        gcAtDone[n] = GC.CollectionCount(0);
                        outcomes[n] = !t.IsCompletedSuccessfully ? 3 : t.Result is CommandAccepted ? 1 : 2;
                        finished.Signal();
                    }, TaskContinuationOptions.ExecuteSynchronously);
                }

                Thread.Sleep(1);
            }
        })
        { IsBackground = true, Name = "pacer", Priority = ThreadPriority.AboveNormal };
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (gcPaused, gen0, gen1, gen2) = (GC.GetTotalPauseDuration(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        rig.ResetStoreStatistics();
        var began = Stopwatch.GetTimestamp();
        pacer.Start();
        await Task.Run(() => finished.Wait(TimeSpan.FromSeconds(options.Seconds + warmupSeconds + 60)));
        var wall = Stopwatch.GetElapsedTime(began).TotalSeconds;
        var fromSend = new LatencySample(total);
        var fromSchedule = new LatencySample(total);
        var clearOfGc = new LatencySample(total);
        // The queue a pause leaves takes a few ms to drain (and the pacer, stopped too, sends what fell due meanwhile at
        // once): an execution sent up to 5 ms after a collection began still counts as near it.
        var drainTicks = frequency / 200;
        var before = 0;
        var rejected = 0;
        var timedOut = 0;
        var unanswered = 0;
        for (var i = skip; i < total; i++)
        {
            if (outcomes[i] == 0)
            {
                unanswered++;
                continue;
            }

            if (outcomes[i] == 2)
            {
                rejected++;
            }
            else if (outcomes[i] == 3)
            {
                timedOut++;
                continue;
            }

            fromSend.Add(done[i] - sent[i]);
            fromSchedule.Add(done[i] - scheduled[i]);
            while (before + 1 < i && sent[before + 1] <= sent[i] - drainTicks)
            {
                before++;
            }

            if (gcAtDone[i] == gcAtSend[Math.Min(before, i)] && sent[Math.Min(before, i)] <= sent[i] - drainTicks)
            {
                clearOfGc.Add(done[i] - sent[i]);
            }
        }

        if (Environment.GetEnvironmentVariable("CROSSMARGIN_LATENCY_LOG") is { Length: > 0 } latencyLog)
        {
            WriteLatencyLog(latencyLog, sent[skip..], done[skip..], gcAtSend[skip..], gcAtDone[skip..]);
        }

        var lastSend = sent[total - 1] - sent[skip];
        var achieved = (total - skip) / (lastSend / (double)frequency);
        Print($"   offered {options.Rate:N0}/s, sent at {achieved:N0}/s; {total - skip:N0} measured, {rejected:N0} rejected, {timedOut:N0} timed out (Ask timeout 10 s, excluded from the percentiles), {unanswered:N0} unanswered; wall {wall:0.0} s, "
            + $"process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.0} s; load average now {LoadAverage()}");
        Print($"   {Describe(rig.StoreStatistics)}");
        Print($"   GCs (warm-up included): gen0 {GC.CollectionCount(0) - gen0}, gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2}, "
            + $"{(GC.GetTotalPauseDuration() - gcPaused).TotalMilliseconds:0.0} ms paused in all, the last GC's pause {GC.GetGCMemoryInfo(GCKind.Any).PauseDurations[0].TotalMilliseconds:0.0} ms; "
            + $"from the first measured send: gen0 {GC.CollectionCount(0) - measuredFrom.Gen0}, gen1 {GC.CollectionCount(1) - measuredFrom.Gen1}, gen2 {GC.CollectionCount(2) - measuredFrom.Gen2}, "
            + $"{(GC.GetTotalPauseDuration() - measuredFrom.Paused).TotalMilliseconds:0.0} ms paused; JIT {(JitInfo.GetCompilationTime() - jitFrom).TotalMilliseconds:0} ms");
        Print($"   send -> acknowledged: {fromSend.Describe()}");
        Print($"   scheduled -> acknowledged: {fromSchedule.Describe()}");
        Print($"   send -> acknowledged, only executions with no collection from 5 ms before their send to their reply ({100.0 * clearOfGc.Count / Math.Max(1, fromSend.Count):0.0} % of them): {clearOfGc.Describe()}");
        var p99 = fromSend.Microseconds(0.99) / 1_000;
        return $"b. execution-to-acknowledged p99 at {rate:N0}/s offered{(timedOut > 0 ? $" ({timedOut:N0} timed out)" : "")}: {p99:0.00} ms vs <= {GoalLatencyP99Ms} ms: {Verdict(p99 <= GoalLatencyP99Ms && unanswered + timedOut + rejected == 0)}"
            + $" (p50 {fromSend.Microseconds(0.5) / 1_000:0.00} ms, p99.9 {fromSend.Microseconds(0.999) / 1_000:0.00} ms, max {fromSend.Microseconds(1) / 1_000:0.00} ms)";
    }

    /// <summary>
    /// One line per measured execution of (b): send time (UTC, microseconds since the Unix epoch, to line up with the GC
    /// log's and strace's clocks), latency in microseconds, the gen0 count at send and at reply.
    /// </summary>
    private static void WriteLatencyLog(string path, long[] sent, long[] done, int[] gcAtSend, int[] gcAtDone)
    {
        var nowTicks = Stopwatch.GetTimestamp();
        var nowMicros = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        using var writer = new StreamWriter(path);
        writer.WriteLine("sent_unix_us latency_us gen0_at_send gen0_at_reply");
        for (var i = 0; i < sent.Length; i++)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{nowMicros - (nowTicks - sent[i]) * 1_000_000 / Stopwatch.Frequency} {(done[i] - sent[i]) * 1_000_000 / Stopwatch.Frequency} {gcAtSend[i]} {gcAtDone[i]}"));
        }
    }

    /// <summary>(d) Pre-trade checks: sequential (one at a time) and 16 concurrent callers, after a warm-up.</summary>
    private static async Task<string[]> PreTradeAsync(EngineRig rig, string[] ids, EngineBenchOptions options)
    {
        Print("");
        Print($"d. pre-trade check: RiskEngine.CheckPreTradeAsync (a 1-contract BTC-PERP buy at the mark) round-robin over {ids.Length:N0} accounts, "
            + $"{options.PreTradeChecks:N0} checks sequential (one in flight) and {options.PreTradeChecks:N0} from 16 concurrent callers, after {options.PreTradeChecks / 4:N0} warm-up checks; "
            + "latency = Stopwatch around the awaited call");
        var price = rig.Engine.Market.Current.MarkOf(EngineRig.Book[0]).MarkPrice;
        var check = new CheckPreTrade("q", EngineRig.Book[0], OrderSide.Buy, 1m, price);
        for (var i = 0; i < options.PreTradeChecks / 4; i++)
        {
            await rig.Engine.CheckPreTradeAsync(ids[i % ids.Length], check);
        }

        var sequential = new LatencySample(options.PreTradeChecks);
        var accepted = 0;
        var (gcs, paused, allocated) = (GC.CollectionCount(0), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(precise: true));
        for (var i = 0; i < options.PreTradeChecks; i++)
        {
            var t = Stopwatch.GetTimestamp();
            var result = await rig.Engine.CheckPreTradeAsync(ids[i % ids.Length], check);
            sequential.Add(Stopwatch.GetTimestamp() - t);
            accepted += result.Accepted ? 1 : 0;
        }

        Print($"   sequential: {sequential.Describe()}; {accepted:N0} accepted; {BytesPer(allocated, options.PreTradeChecks)} B allocated per check; "
            + $"{GC.CollectionCount(0) - gcs} GCs, {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:0.0} ms paused");
        (gcs, paused, allocated) = (GC.CollectionCount(0), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(precise: true));
        const int Callers = 16;
        var concurrent = new LatencySample(options.PreTradeChecks);
        var gate = new Lock();
        var started = Stopwatch.GetTimestamp();
        await EngineRig.ForEachAsync(options.PreTradeChecks, Callers, async i =>
        {
            var t = Stopwatch.GetTimestamp();
            await rig.Engine.CheckPreTradeAsync(ids[(i * 7) % ids.Length], check);
            var elapsed = Stopwatch.GetTimestamp() - t;
            lock (gate)
            {
                concurrent.Add(elapsed);
            }
        });
        var rate = options.PreTradeChecks / Stopwatch.GetElapsedTime(started).TotalSeconds;
        Print($"   {Callers} concurrent callers: {concurrent.Describe()}; {rate:N0} checks/s; {BytesPer(allocated, options.PreTradeChecks)} B allocated per check; {GC.CollectionCount(0) - gcs} GCs, "
            + $"{(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:0.0} ms paused; load average now {LoadAverage()}");
        var p99Sequential = sequential.Microseconds(0.99);
        var p99Concurrent = concurrent.Microseconds(0.99);
        return
        [
            $"d. pre-trade check p99, sequential: {LatencySample.Format(p99Sequential)} vs <= {GoalPreTradeP99Us} us: {Verdict(p99Sequential <= GoalPreTradeP99Us)} (p50 {LatencySample.Format(sequential.Microseconds(0.5))})",
            $"d. pre-trade check p99, {Callers} concurrent: {LatencySample.Format(p99Concurrent)} vs <= {GoalPreTradeP99Us} us: {Verdict(p99Concurrent <= GoalPreTradeP99Us)} (p50 {LatencySample.Format(concurrent.Microseconds(0.5))}, {rate:N0} checks/s)",
        ];
    }

    /// <summary>(c) A seeded book brought live, then index and marks of BTC moved together; timed until every account published new limits.</summary>
    private static async Task<string> RemarginAsync(string config, EngineBenchOptions options)
    {
        Print("");
        var count = options.BookAccounts;
        Print($"c. mark re-margin: a book of {count:N0} accounts (the goal is stated for {GoalBookAccounts:N0}; --book-accounts {GoalBookAccounts} runs it), each with three BTC positions; "
            + "the journal is seeded directly (6 events per account, 1,000 accounts per transaction), then every account is started through the region (GetAccount) and so "
            + "recovers from the journal, re-margins and registers its interest with its shard; then one UpdatePrices moves the BTC index and the three marks by 1% "
            + "(alternately up and down), three times untimed (so the pass's code is tiered up), then timed from sending it until the last account's limits were published on the event stream (each account's available "
            + "margin changes, so each account's limits go out exactly once: AccountLimitsChanged on its own, or in an AccountLimitsBatch of its re-margin pass); 3 timed moves, the median is the figure");
        await using var rig = await EngineRig.StartAsync(config);
        var ids = Enumerable.Range(0, count).Select(i => $"book-{i:D7}").ToArray();
        var t = Stopwatch.GetTimestamp();
        await rig.SeedAsync(ids);
        Print($"   seeded {count:N0} accounts ({count * 6:N0} events) in {Stopwatch.GetElapsedTime(t).TotalSeconds:0.0} s");
        var limits = new CountingRef("limits", m => m switch
        {
            AccountLimitsChanged changed => changed.AccountId.StartsWith("book-", StringComparison.Ordinal) ? 1 : 0,
            AccountLimitsBatch batch => Enumerable.Range(0, batch.Count).Count(i => batch.AccountIdAt(i).StartsWith("book-", StringComparison.Ordinal)),
            _ => 0,
        });
        var published = new CountingRef("market-changed");
        var accepted = new CountingRef("price-accepted", m => m is PriceAccepted);
        rig.System.EventStream.Subscribe(limits, typeof(AccountLimitsChanged));
        rig.System.EventStream.Subscribe(limits, typeof(AccountLimitsBatch));
        rig.System.EventStream.Subscribe(published, typeof(MarketChanged));
        limits.Reset(count);
        t = Stopwatch.GetTimestamp();
        var notOpen = 0;
        await EngineRig.ForEachAsync(count, 256, async i =>
        {
            if (await rig.StartAccountAsync(ids[i]) is not AccountView)
            {
                Interlocked.Increment(ref notOpen);
            }
        });
        var live = Stopwatch.GetElapsedTime(t).TotalSeconds;
        Print($"   brought live in {live:0.0} s ({count / live:N0} accounts/s recovered), {notOpen} not open, {limits.Count:N0} published limits on recovery");
        if (notOpen > 0 || limits.Count != count)
        {
            Print("   ERROR: the book did not come up whole");
            return "c. mark re-margin: not measured (book incomplete)";
        }

        var runs = new List<double>();
        for (var run = 0; run < RemarginWarmups + 3; run++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(500);
            var market = rig.Engine.Market.Current;
            var factor = run % 2 == 0 ? 1.01m : 1 / 1.01m;
            var now = rig.Clock.GetUtcNow();
            var index = new UpdateIndex("BTC", decimal.Round(market.PriceOf("BTC") * factor, 2), now);
            var marks = EngineRig.Book.Select(s =>
            {
                var mark = market.MarkOf(s);
                return new UpdateMark(s, decimal.Round(mark.MarkPrice * factor, 1), mark.ImpliedVolatility, now);
            }).ToArray();
            limits.Reset(count);
            published.Reset(1);
            accepted.Reset(4);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var gcs = GC.CollectionCount(0);
            var allocated = GC.GetTotalAllocatedBytes();
            var sentAt = Stopwatch.GetTimestamp();
            rig.Engine.Prices.Tell(new UpdatePrices([index], marks), accepted);
            var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
            while (limits.ReachedAt == 0 && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(1);
            }

            if (limits.ReachedAt == 0)
            {
                Print($"   run {run + 1}: only {limits.Count:N0} of {count:N0} accounts re-margined within 60 s ({accepted.Count} of 4 prices accepted)");
                return "c. mark re-margin: MISS (not every account re-margined within 60 s)";
            }

            var ms = (limits.ReachedAt - sentAt) * 1_000.0 / Stopwatch.Frequency;
            allocated = GC.GetTotalAllocatedBytes() - allocated;
            var warmup = run < RemarginWarmups;
            if (!warmup)
            {
                runs.Add(ms);
            }

            Print(string.Create(CultureInfo.InvariantCulture,
                $"   {(warmup ? $"warm-up {run + 1}" : $"run {run + 1 - RemarginWarmups}")}: {ms:0} ms to the last account (prices accepted after {Ms(accepted.ReachedAt - sentAt):0.0} ms, MarketChanged published after {Ms(published.ReachedAt - sentAt):0.0} ms, "
                + $"first account after {Ms(limits.FirstAt - sentAt):0.0} ms); {count / (ms / 1_000):N0} accounts/s; process CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds:N0} ms, "
                + $"gen0 GCs {GC.CollectionCount(0) - gcs}, {allocated / 1_048_576.0:N1} MB allocated by the process ({allocated / (double)count:N0} B per account); load average now {LoadAverage()}"));
        }

        runs.Sort();
        var median = runs[1];
        var scaled = median * GoalBookAccounts / count;
        return $"c. mark re-margin of {count:N0} accounts: median {median:N0} ms (runs {string.Join(", ", runs.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}); "
            + (count >= GoalBookAccounts
                ? $"vs <= {GoalRemarginMs} ms: {Verdict(median <= GoalRemarginMs)}"
                : $"x {GoalBookAccounts / (double)count:0.#} = ~{scaled:N0} ms for {GoalBookAccounts:N0} (linear scaling, not measured) vs <= {GoalRemarginMs} ms: {Verdict(scaled <= GoalRemarginMs)} (extrapolated)");
    }

    /// <summary>(e) Heap growth per account: live accounts brought up from a seeded journal, and the state of an account with a full message-id window.</summary>
    private static async Task<string[]> MemoryAsync(string config, EngineBenchOptions options)
    {
        Print("");
        var count = options.MemoryAccounts;
        Print($"e. memory per account: {count:N0} accounts seeded as in (c) (three positions, two balances, 6 message ids), GC.GetTotalMemory(true) before and after "
            + "starting them all through the region (actor, mailbox, state, margin figures, limits, interest entries in the shard); then the same state alone "
            + "(AccountState) after the account has applied as many messages as its id window holds, the steady state of an account that trades");
        await using var rig = await EngineRig.StartAsync(config);
        var ids = Enumerable.Range(0, count).Select(i => $"mem-{i:D7}").ToArray();
        await rig.SeedAsync(ids);
        // Start one account first so that one-off costs (shards, caches, JIT) are not charged to the others.
        await rig.Engine.GetAccountAsync(ids[0]);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        await EngineRig.ForEachAsync(count - 1, 256, i => rig.StartAccountAsync(ids[i + 1]));
        await Task.Delay(200);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var live = (after - before) / (double)(count - 1);
        Print($"   live accounts: {(after - before) / 1_048_576.0:N1} MB for {count - 1:N0} accounts: {live:N0} bytes per account");

        // An account that has traded: its ledger holds as many ids as its capacity. Built without actors, by the same Apply
        // the actor uses; the same state after only its opening messages (what the live accounts above hold) is measured
        // the same way, so the difference is what a full id window adds to a live account.
        var capacity = new AccountActorSettings(null!, null!, null!, ActorRefs.Nobody).DedupeCapacity;
        var (fresh, _) = StateBytes(rig, "fresh", fills: 3);
        var (full, states) = StateBytes(rig, "full", fills: capacity + 3);
        var trading = live + full - fresh;
        Print($"   AccountState after its 6 opening messages: {fresh:N0} bytes; with a full window of {capacity:N0} message ids (ids like 'bx-full-0000001-123', "
            + $"three positions): {full:N0} bytes per account ({states.Sum(s => s.Positions.Count) / states.Length} positions, {states[0].Messages.Count:N0} ids each)");
        Print($"   an account that trades (live account above + what the full window adds): {trading:N0} bytes per account");
        return
        [
            $"e. memory per live account (three positions, fresh id window): {live:N0} B vs <= {GoalBytesPerAccount:N0} B: {Verdict(live <= GoalBytesPerAccount)}",
            $"e. memory per account that trades (three positions, full window of {capacity:N0} ids): {trading:N0} B vs <= {GoalBytesPerAccount:N0} B: {Verdict(trading <= GoalBytesPerAccount)}",
        ];
    }

    /// <summary>Heap bytes per <see cref="AccountState"/> that applied its opening (account, two deposits) and <paramref name="fills"/> fills.</summary>
    private static (double Bytes, AccountState[] States) StateBytes(EngineRig rig, string prefix, int fills)
    {
        var capacity = new AccountActorSettings(null!, null!, null!, ActorRefs.Nobody).DedupeCapacity;
        var market = rig.Engine.Market.Current;
        const int States = 200;
        var states = new AccountState[States];
        var opening = rig.OpeningFills(0);
        var stamp = rig.Clock.GetUtcNow();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var s = 0; s < States; s++)
        {
            var id = $"{prefix}-{s:D7}";
            var state = new AccountState(id, capacity);
            state.Apply(new AccountOpened($"open-{id}", "accounts", 1, MarginMode.StandardCross), market.FindInstrument);
            state.Apply(new Deposited($"dep-usdt-{id}", "wallet", 1, "USDT", 100_000m), market.FindInstrument);
            state.Apply(new Deposited($"dep-usdc-{id}", "wallet", 2, "USDC", 20_000m), market.FindInstrument);
            for (var n = 1; n <= fills; n++)
            {
                var (symbol, side, quantity, price) = opening[n % 3];
                var executionId = string.Create(CultureInfo.InvariantCulture, $"bx-{id}-{n}");
                // Alternate opening and closing the same size so the account keeps exactly three positions.
                var flip = n > 3 && n % 2 == 0;
                state.Apply(new ExecutionApplied(executionId, "me-1", n, executionId, executionId, symbol, flip ? Opposite(side) : side, quantity / (n > 3 ? 10 : 1),
                    price, 0m, Liquidity.Taker, stamp, false), market.FindInstrument);
            }

            states[s] = state;
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        return ((after - before) / (double)States, states);
    }

    private static string Describe(SqliteStatistics s) =>
        $"journal: {s.Commits:N0} commits, {s.SlowCommits:N0} over {SqliteStatistics.SlowCommitThreshold.TotalMilliseconds:0} ms (COMMIT alone, an inline auto-checkpoint runs inside it), "
        + $"the longest {s.LongestCommit.TotalMilliseconds:0.0} ms; background checkpoints {s.Checkpoints:N0} ({s.DeferredCheckpoints:N0} rounds deferred), write lock held at most {s.LongestCheckpointLock.TotalMilliseconds:0.0} ms, "
        + $"the longest unlocked pass {s.LongestCheckpointPass.TotalMilliseconds:0.0} ms; the longest locked pass: WAL fsync {s.LongestLockedPass.WalSync.TotalMilliseconds:0.00} ms, "
        + $"copy of {s.LongestLockedPass.Frames:N0} frames {s.LongestLockedPass.Copy.TotalMilliseconds:0.00} ms, database fsync {s.LongestLockedPass.DatabaseSync.TotalMilliseconds:0.00} ms "
        + $"(of {s.LongestCheckpointLock.TotalMilliseconds:0.00} ms held); the longest unlocked fsync of the bulk before it {s.LongestPreSync.TotalMilliseconds:0.00} ms, "
        + $"with at most {(s.MostDirtyPagesAtPreSync is { } left ? left.ToString("N0", CultureInfo.InvariantCulture) : "n/a")} dirty pages left to it; "
        + $"write-out started by {s.WriteBackStarts:N0} unlocked passes ({s.WriteBackPages:N0} dirty pages), the longest start {s.LongestWriteBackStart.TotalMilliseconds:0.00} ms; "
        + $"COMMIT p99 {(s.CommitP99 == TimeSpan.MaxValue ? "> 50" : s.CommitP99.TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture))} ms";

    private static OrderSide Opposite(OrderSide side) => side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;

    private static double Ms(long ticks) => ticks * 1_000.0 / Stopwatch.Frequency;

    private static string Verdict(bool pass) => pass ? "PASS" : "MISS";

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static void Print(string line) => Console.WriteLine(line);

    // Bytes allocated by the whole process since allocatedBefore, per operation.
    private static string BytesPer(long allocatedBefore, int operations) =>
        ((GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)operations).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}
