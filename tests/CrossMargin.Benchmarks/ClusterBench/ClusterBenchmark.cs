using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;
using System.Text.Json;
using CrossMargin.Actors;
using CrossMargin.Cluster.Coordination;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Benchmarks.Engine;
using CrossMargin.Engine;
using CrossMargin.Engine.Liquidations;
using CrossMargin.Engine.Prices;
using CrossMargin.Node.Clustering;
using CrossMargin.Node.Rejections;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Journal;
using CrossMargin.Testing.Postgres;
using CrossMargin.Testing.RabbitMq;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CrossMargin.Benchmarks.ClusterBench;

/// <summary>
/// Issue 6's figures on one machine: end-to-end executions/s through a cluster of nodes (publish to the accounts
/// exchange, shard queue, lease holder, account actor, fenced PostgreSQL journal, ack) as a share of RabbitMQ's own
/// publish-to-consume rate for the same body size measured in the same run (raw and end-to-end phases alternated, the
/// ratio of their medians: <see cref="InterleavedRatio"/>); and the time from killing a node to its
/// shards being served again. The nodes run in this process (each its own actor system, engine, broker connection,
/// leases); a kill is the in-process crash of <see cref="ClusterRuntime"/> (no hand-off, leases left to expire).
/// </summary>
internal static class ClusterBenchmark
{
    private const decimal Fee = 0.0001m;
    private const decimal Deposit = 100_000m;
    private const int WarmUpRound = 5_000;
    private const double QuietJitShare = 0.02;
    private const int AlternationWarmUpMost = 4;

    public static async Task<int> RunAsync(ClusterBenchOptions options)
    {
        var config = EngineRig.FindConfig(options.Config);
        foreach (var fact in MachineFacts.Describe())
        {
            Console.WriteLine(fact);
        }

        Console.WriteLine("Starting a private PostgreSQL server and RabbitMQ broker...");
        string[] pgSettings = [
            .. options.PgStatements ? ["shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track_planning=on"] : Array.Empty<string>(),
            .. (options.PgSettings ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        ];
        Console.WriteLine($"PostgreSQL settings added to the private server's: {(pgSettings.Length == 0 ? "none" : string.Join(", ", pgSettings))}; CHECKPOINT before each end-to-end phase: {(options.PgCheckpoint ? "yes" : "no")}; the nodes' journal linger (Cluster:JournalLinger): {(options.JournalLingerMs is { } linger ? $"{linger} ms" : $"{new ClusterModeOptions().JournalLinger.TotalMilliseconds} ms, the node's default")}");
        await using var postgres = await PrivatePostgresServer.StartAsync(pgSettings).ConfigureAwait(false);
        await using var broker = await PrivateRabbitMqBroker.StartAsync().ConfigureAwait(false);
        var database = await postgres.CreateDatabaseAsync("bench").ConfigureAwait(false);
        if (options.PgStatements)
        {
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand("CREATE EXTENSION pg_stat_statements", connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        var cpu = ProcessCpu.Find(broker.RootDirectory, postgres.RootDirectory);
        var rabbit = new RabbitMqOptions { Uri = broker.AmqpUri, Prefix = "bench", ShardCount = options.Shards, ShardQueueType = options.QueueType, Prefetch = options.Prefetch, ClientName = "cm-bench-cluster" };

        var sample = Execution("acc-00000", 1, "BTC-PERP", "buy", 100m, 60000m);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Execution body: {sample.Length} B. Baseline: RabbitMQ raw publish-to-consume, one {options.QueueType} queue like a shard queue (the shards' type), same size, window {options.Window}."));
        double raw;
        double otherRate;
        await using (var probe = await RabbitMqConnection.ConnectAsync(rabbit).ConfigureAwait(false))
        {
            // Warmed up by the same rule as the cluster below, so both figures are steady state: the probe's own path
            // still spent a third of a 5,000-message warm-up's measured phase in the JIT.
            var rawWarmUp = 0;
            var rawJitShare = 1.0;
            while (rawWarmUp < options.WarmUp || (rawWarmUp + WarmUpRound <= options.WarmUpMax && rawJitShare >= QuietJitShare))
            {
                var jitBefore = JitInfo.GetCompilationTime();
                var round = Stopwatch.StartNew();
                await RawRateProbe.MeasureAsync(probe, sample.Length, WarmUpRound, options.Window).ConfigureAwait(false);
                rawJitShare = (JitInfo.GetCompilationTime() - jitBefore) / round.Elapsed;
                rawWarmUp += WarmUpRound;
            }

            var rawBefore = cpu.Read();
            var rawJitBefore = JitInfo.GetCompilationTime();
            raw = (await RawRateProbe.MeasureAsync(probe, sample.Length, options.Executions, options.Window).ConfigureAwait(false)).MessagesPerSecond;
            var rawAfter = cpu.Read();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  raw: {raw:N0} msg/s; CPU per message: .NET process {(rawAfter.Self - rawBefore.Self).TotalMicroseconds / options.Executions:F0} µs, broker {(rawAfter.Broker - rawBefore.Broker).TotalMicroseconds / options.Executions:F0} µs; JIT {(JitInfo.GetCompilationTime() - rawJitBefore).TotalMilliseconds:F0} ms (after {rawWarmUp:N0} warm-up messages)"));

            // The other queue type's raw rate, for reference only: the ratio is to the raw rate of the type the shards
            // are, so choosing a cheaper queue type shows in the ratio only as far as it helps more than it helps raw.
            var other = options.QueueType == Topology.QuorumQueueType ? Topology.ClassicQueueType : Topology.QuorumQueueType;
            await RawRateProbe.MeasureAsync(probe, sample.Length, WarmUpRound, options.Window, other).ConfigureAwait(false);
            var otherBefore = cpu.Read();
            otherRate = (await RawRateProbe.MeasureAsync(probe, sample.Length, options.Executions, options.Window, other).ConfigureAwait(false)).MessagesPerSecond;
            var otherAfter = cpu.Read();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  raw on one {other} queue (reference, not the ratio's base): {otherRate:N0} msg/s; CPU per message: .NET process {(otherAfter.Self - otherBefore.Self).TotalMicroseconds / options.Executions:F0} µs, broker {(otherAfter.Broker - otherBefore.Broker).TotalMicroseconds / options.Executions:F0} µs"));

            // The shards' queue type again, but routed as executions are (an exchange of the accounts exchange's type,
            // keyed by account id): what the routing costs the broker, apart from the queue.
            await RawRateProbe.MeasureAsync(probe, sample.Length, WarmUpRound, options.Window, throughAccountsExchange: true).ConfigureAwait(false);
            var routedBefore = cpu.Read();
            var routedRate = (await RawRateProbe.MeasureAsync(probe, sample.Length, options.Executions, options.Window, throughAccountsExchange: true)
                .ConfigureAwait(false)).MessagesPerSecond;
            var routedAfter = cpu.Read();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  raw through an {probe.Options.AccountsExchangeType} exchange into one {options.QueueType} queue (reference): {routedRate:N0} msg/s; CPU per message: .NET process {(routedAfter.Self - routedBefore.Self).TotalMicroseconds / options.Executions:F0} µs, broker {(routedAfter.Broker - routedBefore.Broker).TotalMicroseconds / options.Executions:F0} µs"));
        }


        var nodes = new List<ClusterRuntime>();
        var mode = new ClusterModeOptions { Enabled = true, PostgresConnectionString = database };
        if (options.JournalLingerMs is { } lingerMs)
        {
            mode.JournalLinger = TimeSpan.FromMilliseconds(lingerMs);
        }

        var sinceNodesStarted = Stopwatch.StartNew();
        try
        {
            for (var n = 1; n <= options.Nodes; n++)
            {
                nodes.Add(await StartNodeAsync($"bench-{n}", config, mode, rabbit, options.Shards).ConfigureAwait(false));
            }

            var clock = Stopwatch.StartNew();
            await UntilAsync(() => Balanced(nodes, options.Shards), TimeSpan.FromSeconds(60), "shards spread over the nodes").ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{options.Nodes} nodes hold {options.Shards} shards after {clock.Elapsed.TotalSeconds:F1} s"));

            var accounts = Enumerable.Range(0, options.Accounts).Select(i => string.Create(CultureInfo.InvariantCulture, $"acc-{i:D5}")).ToArray();
            await OpenAsync(nodes[0], accounts, options.Window).ConfigureAwait(false);

            await using var connection = await RabbitMqConnection.ConnectAsync(rabbit).ConfigureAwait(false);
            await using var publisher = await ConfirmingPublisher.CreateAsync(connection).ConfigureAwait(false);
            var sequencesSent = accounts.ToDictionary(a => a, _ => 1);
            // Without advance, the bodies the next call would publish, the accounts' sequences left as they are.
            (string Account, string Id, byte[] Body)[] Bodies(int count, bool advance = true)
            {
                var sequences = advance ? sequencesSent : new Dictionary<string, int>(sequencesSent);
                var bodies = new (string Account, string Id, byte[] Body)[count];
                for (var i = 0; i < bodies.Length; i++)
                {
                    var account = accounts[i % accounts.Length];
                    var sequence = ++sequences[account];
                    bodies[i] = (account, $"ex-{account}-{sequence}", Execution(account, sequence, "BTC-PERP", i % 2 == 0 ? "buy" : "sell", 100m, 60000m));
                }

                return bodies;
            }

            async Task<TimeSpan> PublishAndAwaitAsync((string Account, string Id, byte[] Body)[] bodies)
            {
                var acknowledged = nodes.Sum(n => n.DeliveriesAcknowledged);
                var started = Stopwatch.StartNew();
                await EngineRig.ForEachAsync(bodies.Length, options.Window, i =>
                    publisher.PublishAsync(connection.Names.Accounts, bodies[i].Account, bodies[i].Body, bodies[i].Id, "execution")).ConfigureAwait(false);
                await UntilAsync(() => nodes.Sum(n => n.DeliveriesAcknowledged) - acknowledged >= bodies.Length, TimeSpan.FromMinutes(10), "every execution acknowledged").ConfigureAwait(false);
                return started.Elapsed;
            }

            // Untimed, like the raw probe's warm-up: the path's code is compiled and tiered up, pools and connections
            // are filled, before the clock runs (a cold process spent a sixth of the measured phase in the JIT).
            var warmUp = options.WarmUp > 0 ? await PublishAndAwaitAsync(Bodies(options.WarmUp)).ConfigureAwait(false) : TimeSpan.Zero;
            var warmedUp = options.WarmUp;

            // Three nodes' worth of account, journal and transport code tiers up (tier 0, instrumented, optimized) on the
            // same two cores: after 5,000 executions the JIT still took a third of the process's CPU through the timed
            // phase, a cost a long-running node pays once. Rounds continue until one barely compiles.
            var jitShare = 1.0;
            while (warmedUp + WarmUpRound <= options.WarmUpMax && jitShare >= QuietJitShare)
            {
                var jitBefore = JitInfo.GetCompilationTime();
                var round = await PublishAndAwaitAsync(Bodies(WarmUpRound)).ConfigureAwait(false);
                jitShare = (JitInfo.GetCompilationTime() - jitBefore) / round;
                warmUp += round;
                warmedUp += WarmUpRound;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warm-up: {warmedUp:N0} executions in {warmUp.TotalSeconds:F2} s (not counted; {(warmedUp > options.WarmUp ? $"the last {WarmUpRound:N0} spent {jitShare:P0} of their time in the JIT" : "no JIT-quiet rounds")})"));

            // The nodes' once-a-tick code (lease renewal, heartbeat, coordination) tiers up after about 30 ticks whatever
            // the load: without this wait its compilation fell into the timed phase (5-13% of its wall time, every run of
            // session 11), a start-up cost counted as a cost per execution. Idle until then, and one more round after.
            var settle = TimeSpan.FromSeconds(options.Settle) - sinceNodesStarted.Elapsed;
            if (settle > TimeSpan.Zero)
            {
                var jitBefore = JitInfo.GetCompilationTime();
                await Task.Delay(settle).ConfigureAwait(false);
                var settledJit = JitInfo.GetCompilationTime() - jitBefore;
                jitBefore = JitInfo.GetCompilationTime();
                var round = await PublishAndAwaitAsync(Bodies(WarmUpRound)).ConfigureAwait(false);
                warmedUp += WarmUpRound;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"settled: idle {settle.TotalSeconds:F1} s until {options.Settle} s after the nodes started ({settledJit.TotalMilliseconds:F0} ms compiled meanwhile), then {WarmUpRound:N0} more executions, {(JitInfo.GetCompilationTime() - jitBefore) / round:P0} of their time in the JIT"));
            }

            // Session 28: raw and end-to-end phases alternate, R E R ... E R, instead of one of each a minute apart. On a
            // quiet machine session 27's raw phase moved 10,452-20,303 msg/s between runs and one pair's ratio 44-86%:
            // mostly the machine drifting between the two phases, not the cluster. Every phase, of either side, starts
            // from the same state (QuietAsync), and the figure is the ratio of the medians.
            var otherType = options.QueueType == Topology.QuorumQueueType ? Topology.ClassicQueueType : Topology.QuorumQueueType;
            var shardRaw = new List<double>();
            var otherRaw = new List<double>();
            var endToEnd = new List<double>();

            // The raw phases publish bodies as long as the executions they are compared with (whose sequence numbers,
            // hence ids, have grown a digit or two since the sample above).
            var bodySize = (int)Math.Round(Bodies(options.Executions, advance: false).Average(b => b.Body.Length));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"interleaved: {options.Rounds} end-to-end phases of {options.Executions:N0} executions between {options.Rounds + 1} raw phases of {options.Executions:N0} messages on one {options.QueueType} queue, then as many on one {otherType} queue, {bodySize} B each (the mean body of the executions that follow), window {options.Window}; every phase starts after a full blocking GC and once this process, the broker and PostgreSQL together use under {QuietStart.CpuPerSecond:F0} ms of CPU per second ({QuietStart.AtLeast.TotalSeconds:F0}-{QuietStart.AtMost.TotalSeconds:F0} s)"));
            var interleaved = Stopwatch.StartNew();

            // The alternation warmed up as each side was: the runs before this change showed up to 3 s of JIT inside a
            // raw phase that followed an end-to-end one (the nodes' code tiering up in the background, and the probe's
            // code called from a process that now holds three nodes), and 150-300 ms inside some end-to-end phases
            // (code run only between phases: the GC, the quiet wait, the checks). Pairs of small phases, run exactly as
            // the measured ones, until a pair's raw and end-to-end timed parts each spend under 2% of their time in the JIT.
            var alternationWarmUps = 0;
            (double Raw, double EndToEnd) warmUpJit;
            do
            {
                alternationWarmUps++;
                var (_, _, rawJit) = await RawPhaseAsync($"warm-up R{alternationWarmUps}", WarmUpRound).ConfigureAwait(false);
                var (_, endToEndJit) = await EndToEndPhaseAsync($"warm-up E{alternationWarmUps}", Bodies(WarmUpRound), detail: false).ConfigureAwait(false);
                warmUpJit = (rawJit, endToEndJit);
            }
            while ((warmUpJit.Raw >= QuietJitShare || warmUpJit.EndToEnd >= QuietJitShare) && alternationWarmUps < AlternationWarmUpMost);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"alternation warm-up: {alternationWarmUps} pairs of {WarmUpRound:N0} (not counted; the last spent {warmUpJit.Raw:P1} of its raw and {warmUpJit.EndToEnd:P1} of its end-to-end time in the JIT)"));
            for (var round = 1; ; round++)
            {
                var (shard, other, _) = await RawPhaseAsync($"R{round}", options.Executions).ConfigureAwait(false);
                shardRaw.Add(shard);
                otherRaw.Add(other);
                if (round > options.Rounds)
                {
                    break;
                }

                endToEnd.Add((await EndToEndPhaseAsync($"E{round}", Bodies(options.Executions), detail: true).ConfigureAwait(false)).Rate);
            }

            // The verdict's base is the faster queue type by its median (since session 8: a slower shard queue type
            // cannot lower the bar); the pairs use the same type's phases.
            var shardMedian = InterleavedRatio.Median(shardRaw);
            var otherMedian = InterleavedRatio.Median(otherRaw);
            var (baseType, baseRaw) = shardMedian >= otherMedian ? (options.QueueType, shardRaw) : (otherType, otherRaw);
            var ratio = InterleavedRatio.Of(baseRaw, endToEnd);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"interleaved result ({interleaved.Elapsed.TotalSeconds:F0} s for the phases and the waits before them):"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  raw {options.QueueType}, msg/s: {Rates(shardRaw)}; median {shardMedian:N0}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  raw {otherType}, msg/s: {Rates(otherRaw)}; median {otherMedian:N0}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  end to end, executions/s: {Rates(endToEnd)}; median {ratio.MedianEndToEnd:N0}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  per pair, each end-to-end phase over the mean of the {baseType} raw phases beside it: {string.Join(", ", ratio.Pairs.Select(p => $"E{p.Round} {p.Ratio:P0}"))}; median {ratio.PairMedian:P0}, lowest {ratio.PairLowest:P0}, highest {ratio.PairHighest:P0}, spread {ratio.PairSpread * 100:F0} points"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  single pair as printed before session 28 (the raw phases before the nodes started, the faster type, against E1 alone): {endToEnd[0] / Math.Max(raw, otherRate):P0}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  ratio to raw: median end to end / median raw = {ratio.MedianEndToEnd:N0} / {ratio.MedianRaw:N0} = {ratio.Ratio:P0} of the {baseType} queue's raw (the faster type's median, the verdict's base; goal at least 70%) -> {(ratio.Ratio >= 0.70 ? "PASS" : "MISS")}; {ratio.MedianEndToEnd / shardMedian:P0} of the {options.QueueType} median"));

            // One raw phase: the shards' queue type, then the other, each from a quiet start; with the share of its timed
            // parts' time spent in the JIT.
            async Task<(double Shard, double Other, double JitShare)> RawPhaseAsync(string label, int count)
            {
                var shard = await RawOnceAsync(options.QueueType, count).ConfigureAwait(false);
                var other = await RawOnceAsync(otherType, count).ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label} raw: {shard.Text}; {other.Text}"));
                return (shard.Rate, other.Rate, (shard.Jit + other.Jit) / (shard.Elapsed + other.Elapsed));
            }

            async Task<(double Rate, string Text, TimeSpan Jit, TimeSpan Elapsed)> RawOnceAsync(string queueType, int count)
            {
                var quiet = await QuietAsync().ConfigureAwait(false);
                var at = interleaved.Elapsed;
                var before = cpu.Read();
                var jitBefore = JitInfo.GetCompilationTime();
                var pauseBefore = GC.GetTotalPauseDuration();
                var result = await RawRateProbe.MeasureAsync(connection, bodySize, count, options.Window, queueType).ConfigureAwait(false);
                var after = cpu.Read();
                var jit = JitInfo.GetCompilationTime() - jitBefore;
                return (result.MessagesPerSecond, string.Create(CultureInfo.InvariantCulture,
                    $"{queueType} {result.MessagesPerSecond:N0} msg/s ({result.Elapsed.TotalSeconds:F2} s from {at.TotalSeconds:F1} s; CPU per message .NET {(after.Self - before.Self).TotalMicroseconds / count:F0} µs, broker {(after.Broker - before.Broker).TotalMicroseconds / count:F0} µs; JIT {jit.TotalMilliseconds:F0} ms, GC paused {(GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds:F0} ms; {quiet})"),
                    jit, result.Elapsed);
            }

            // One end-to-end phase from a quiet start; with the share of its timed part spent in the JIT. The figures
            // beside the rate are printed when detail is asked for (the measured phases, not the warm-up).
            async Task<(double Rate, double JitShare)> EndToEndPhaseAsync(string label, (string Account, string Id, byte[] Body)[] timed, bool detail)
            {
                if (detail && options.PgCheckpoint)
                {
                    await using var checkpointConnection = new NpgsqlConnection(database);
                    await checkpointConnection.OpenAsync().ConfigureAwait(false);
                    await using var checkpoint = new NpgsqlCommand("CHECKPOINT", checkpointConnection);
                    await checkpoint.ExecuteNonQueryAsync().ConfigureAwait(false);
                }

                var transactionsBefore = await TransactionsAsync(database).ConfigureAwait(false);
                var quiet = await QuietAsync().ConfigureAwait(false);
                var pgBefore = detail ? await PostgresCost.ReadAsync(database, postgres.RootDirectory, options.PgStatements).ConfigureAwait(false) : null;
                var at = interleaved.Elapsed;
                var cpuBefore = cpu.Read();
                var (jitTimeBefore, jitMethodsBefore) = (JitInfo.GetCompilationTime(), JitInfo.GetCompiledMethodCount());
                var (framesBefore, outboundBefore, messagesBefore) = (nodes.Sum(n => n.AckFrames), nodes.Sum(n => n.OutboundPublished), nodes.Sum(n => n.OutboundMessages));
                var heldBefore = nodes.Sum(n => n.DeliveriesHeld);
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var pauseBefore = GC.GetTotalPauseDuration();
                int[] collectionsBefore = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
                var elapsed = await PublishAndAwaitAsync(timed).ConfigureAwait(false);
                var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                var pause = GC.GetTotalPauseDuration() - pauseBefore;
                var collections = string.Join(" / ", Enumerable.Range(0, 3).Select(g => (GC.CollectionCount(g) - collectionsBefore[g]).ToString(CultureInfo.InvariantCulture)));
                var cpuAfter = cpu.Read();
                var (jitTime, jitMethods) = (JitInfo.GetCompilationTime() - jitTimeBefore, JitInfo.GetCompiledMethodCount() - jitMethodsBefore);
                var transactions = await TransactionsAsync(database).ConfigureAwait(false) - transactionsBefore;
                var held = nodes.Sum(n => n.DeliveriesHeld) - heldBefore;
                var (frames, outbound, messages) = (nodes.Sum(n => n.AckFrames) - framesBefore, nodes.Sum(n => n.OutboundPublished) - outboundBefore,
                    nodes.Sum(n => n.OutboundMessages) - messagesBefore);
                var rate = timed.Length / elapsed.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{label} end to end: {timed.Length:N0} executions over {options.Accounts} accounts ({timed.Average(b => b.Body.Length):F0} B on average) in {elapsed.TotalSeconds:F2} s from {at.TotalSeconds:F1} s: {rate:N0} executions/s ({quiet})"));
                await VerifyAsync(nodes[0], accounts, account => sequencesSent[account] - 1).ConfigureAwait(false);
                if (!detail)
                {
                    return (rate, jitTime / elapsed);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  CPU per execution: .NET process {PerExecution(cpuAfter.Self - cpuBefore.Self)} µs, broker {PerExecution(cpuAfter.Broker - cpuBefore.Broker)} µs, PostgreSQL {PerExecution(cpuAfter.Postgres - cpuBefore.Postgres)} µs"));
                // Steadier than the CPU under a neighbour's load, so a small per-message saving on the path shows here first.
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  allocated per execution: {(double)allocated / timed.Length:N0} B (the whole .NET process: three nodes, the publisher, timers)"));
                // Session 27's profile put a quarter of the process's CPU in the GC's threads and in faulting in fresh pages:
                // how many collections and how long the threads were paused tell a GC setting's effect from the load's.
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  GC in the timed phase: {collections} collections (gen0 / gen1 / gen2, each counted in its lower ones' too), paused {pause.TotalMilliseconds:F0} ms ({pause / elapsed:P1} of its wall time)"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  PostgreSQL transactions: {transactions:N0}, {(double)timed.Length / Math.Max(1, transactions):F1} executions per transaction (journal batches, lease renewals and heartbeats; pg_stat_database, approximate)"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  JIT during the timed phase: {jitTime.TotalMilliseconds:F0} ms compiling {jitMethods:N0} methods ({jitTime / elapsed:P0} of its wall time; the process's methods {jitMethodsBefore:N0} to {jitMethodsBefore + jitMethods:N0}, to find them in a DOTNET_JitStdOutFile list)"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  broker operations per execution: 1 publish, 1 delivery, {(double)frames / timed.Length:F2} ack frames, {(double)messages / timed.Length:F2} outbound publishes (confirmed), carrying {(double)outbound / timed.Length:F2} facts (account limits and others); {held:N0} executions held for a predecessor that arrived after them"));
                foreach (var line in await PostgresCost.DescribeAsync(postgres, database, pgBefore!, timed.Length).ConfigureAwait(false))
                {
                    Console.WriteLine(line);
                }

                return (rate, jitTime / elapsed);

                string PerExecution(TimeSpan used) => (used.TotalMicroseconds / timed.Length).ToString("F0", CultureInfo.InvariantCulture);
            }

            // The same start for every phase, whichever side ran before it. A phase ends when its last message is
            // acknowledged, so no queue holds anything; but what it set going goes on after it: the broker writes the
            // quorum queues' logs to segments and deletes the probe's queue, PostgreSQL flushes and vacuums, the nodes
            // publish the last account limits, and the garbage a phase made is collected in whichever phase comes next,
            // more of it after an end-to-end phase (about 3 KB per execution) than after a raw one. So: a full blocking,
            // compacting collection, then waiting until the three processes are near idle (QuietStart).
            async Task<string> QuietAsync()
            {
                var clock = Stopwatch.StartNew();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                var gc = clock.Elapsed;
                var last = cpu.Read();
                var lastAt = clock.Elapsed;
                while (true)
                {
                    await Task.Delay(QuietStart.Window).ConfigureAwait(false);
                    var now = cpu.Read();
                    var nowAt = clock.Elapsed;
                    var (self, broker, postgres) = (now.Self - last.Self, now.Broker - last.Broker, now.Postgres - last.Postgres);
                    var used = QuietStart.Used(nowAt - lastAt, self, broker, postgres);
                    if (QuietStart.IsQuiet(nowAt, nowAt - lastAt, self, broker, postgres))
                    {
                        return string.Create(CultureInfo.InvariantCulture, $"started after {nowAt.TotalSeconds:F1} s: GC {gc.TotalMilliseconds:F0} ms, then {used:F0} ms/s of CPU");
                    }

                    if (nowAt >= QuietStart.AtMost)
                    {
                        return string.Create(CultureInfo.InvariantCulture, $"started after {nowAt.TotalSeconds:F1} s NOT QUIET: still {used:F0} ms/s of CPU");
                    }

                    (last, lastAt) = (now, nowAt);
                }
            }

            static string Rates(List<double> rates) => string.Join(", ", rates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)));

            var rate = ratio.MedianEndToEnd;

            // What the broker spends with the cluster idle (16 quorum queues' Raft ticks, consumers, statistics), to
            // tell a fixed cost spread over the executions from a cost per message.
            var idleBefore = cpu.Read();
            var idleClock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
            var idleAfter = cpu.Read();
            var idleBroker = (idleAfter.Broker - idleBefore.Broker).TotalMilliseconds / idleClock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  idle for 3 s after it: broker {idleBroker:F0} ms of CPU per second ({idleBroker * 1000 / rate:F0} µs per execution at the median end-to-end rate), .NET process {(idleAfter.Self - idleBefore.Self).TotalMilliseconds / idleClock.Elapsed.TotalSeconds:F0} ms/s"));

            var victim = nodes[^1];
            var orphaned = victim.Node.Shards.Count;
            clock.Restart();
            await victim.CrashAsync().ConfigureAwait(false);
            nodes.Remove(victim);
            await UntilAsync(() => nodes.Sum(n => n.Node.Shards.Count) == options.Shards, TimeSpan.FromSeconds(60), "the dead node's shards served again").ConfigureAwait(false);
            var failover = clock.Elapsed;
            var lease = nodes[0].Options;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fail-over: {orphaned} shards of a killed node served again after {failover.TotalSeconds:F1} s (lease TTL {lease.LeaseTtl.TotalSeconds:F0} s, tick {lease.TickInterval.TotalSeconds:F0} s; goal at most 10 s) -> {(failover <= TimeSpan.FromSeconds(10) ? "PASS" : "MISS")}"));
            return 0;
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    // Committed and rolled back transactions of the database so far, as its statistics show them (flushed by the
    // backends about once a second, so a count over a phase of several seconds is close).
    private static async Task<long> TransactionsAsync(string database)
    {
        await Task.Delay(TimeSpan.FromSeconds(1.2)).ConfigureAwait(false);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()", connection);
        return (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    }

    private static bool Balanced(List<ClusterRuntime> nodes, int shards)
    {
        var held = nodes.Select(n => n.Node.Shards.Count).ToArray();
        return held.Sum() == shards && held.Max() - held.Min() <= 1;
    }

    private static async Task OpenAsync(ClusterRuntime via, string[] accounts, int window)
    {
        var clock = Stopwatch.StartNew();
        await EngineRig.ForEachAsync(accounts.Length, Math.Min(window, 64), async i =>
        {
            var account = accounts[i];
            var open = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { messageId = $"open-{account}", source = "accounts", sequence = 1, accountId = account, mode = "standard" }));
            var deposit = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { messageId = $"dep-{account}", source = "me-1", sequence = 1, accountId = account, asset = "USDT", amount = Deposit }));
            Expect(await via.RequestAsync(account, open, $"open-{account}", "accountOpened", TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false), account);
            Expect(await via.RequestAsync(account, deposit, $"dep-{account}", "deposit", TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false), account);
        }).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"opened and funded {accounts.Length} accounts through the broker in {clock.Elapsed.TotalSeconds:F1} s"));
    }

    // An acknowledgement says the delivery's effects are durable, not that the account accepted it: check that every
    // execution was applied, from the fees the accounts paid (USDT deposited, one fee per execution, bought and sold at
    // one price so nothing else moves the balance).
    private static async Task VerifyAsync(ClusterRuntime via, string[] accounts, Func<string, int> executionsOf)
    {
        foreach (var account in accounts.Where((_, i) => i % Math.Max(1, accounts.Length / 10) == 0))
        {
            var applied = executionsOf(account);
            var reply = await via.RequestAsync(account, "{}"u8.ToArray(), Guid.NewGuid().ToString("N"), AccountMessageTypes.GetAccount, TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false);
            var usdt = reply.Body.GetProperty("balances").EnumerateArray().Single(b => b.GetProperty("asset").GetString() == "USDT").GetProperty("amount").GetDecimal();
            if (usdt != Deposit - applied * Fee)
            {
                throw new InvalidOperationException($"Account {account} holds {usdt} USDT; {Deposit - applied * Fee} expected after {applied} executions: not every execution was applied.");
            }
        }

        Console.WriteLine("  verified: sampled accounts paid exactly one fee per execution published");
    }

    private static void Expect(AccountReply reply, string account)
    {
        if (reply.Status != 200)
        {
            throw new InvalidOperationException($"Account {account}: {reply.Status} {reply.Body}");
        }
    }

    /// <summary>An execution's body as the benchmark publishes it (anonymous-type JSON: the time with its offset and seven decimals).</summary>
    internal static byte[] Execution(string account, int sequence, string symbol, string side, decimal quantity, decimal price) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            messageId = $"ex-{account}-{sequence}", source = "me-1", sequence, accountId = account, executionId = $"ex-{account}-{sequence}",
            orderId = $"o-{account}-{sequence}", symbol, side, quantity, price, fee = Fee, liquidity = "taker",
            timestamp = DateTimeOffset.UtcNow, isLiquidation = false,
        }));

    private static async Task UntilAsync(Func<bool> condition, TimeSpan within, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > within)
            {
                throw new TimeoutException($"Not within {within}: {what}.");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    private static async Task<ClusterRuntime> StartNodeAsync(string name, string config, ClusterModeOptions mode, RabbitMqOptions rabbit, int shards)
    {
        var (market, assets, models) = EngineRig.LoadVenue(config);
        var cluster = new ClusterNodeOptions { NodeId = name, HttpAddress = "in-process", ShardCount = shards };
        var actors = new ActorSystemOptions();
        return await ClusterRuntime.StartAsync(cluster, mode, rabbit,
            new JournalOptions(), new PersistenceOptions(), (services, fence, breaches) =>
            {
                var system = ActorSystem.Create(name, actors);
                return (system, RiskEngine.Start(system, new RiskEngineSettings(market, assets, models, services, shards, new PriceOptions(), new LiquidationOptions(), actors.AskTimeout)
                {
                    ShardFence = fence,
                    RunLiquidation = false,
                    BreachReports = breaches,
                }));
            }, new RejectionLog(1_000, NullLoggerFactory.Instance), NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
    }
}
