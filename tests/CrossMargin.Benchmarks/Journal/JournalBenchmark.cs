using System.Diagnostics;
using System.Globalization;
using System.Text;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Postgres;
using CrossMargin.Persistence.Sqlite;
using CrossMargin.Testing.Postgres;

namespace CrossMargin.Benchmarks.Journal;

/// <summary>
/// Measures the journal the way persistent actors use it and prints each figure beside its goal: (a) group commit,
/// many actors each appending one event at a time and awaiting it, through the <see cref="BatchingJournalWriter"/>;
/// (b) one actor appending sequentially (throughput and p99 latency: every append waits for its own commit);
/// (c) recovery, replaying one long history, (d) replaying (a)'s interleaved histories. On SQLite (a file in a temporary directory, WAL, synchronous=FULL) and
/// on PostgreSQL (a private server started here, default settings: fsync and synchronous_commit on).
/// </summary>
internal static class JournalBenchmark
{
    private const double GoalPostgresGroupCommit = 50_000;
    private const double GoalSqliteGroupCommit = 100_000;
    private const double GoalRecovery = 500_000;
    private static readonly TimeSpan SingleWriterBudget = TimeSpan.FromSeconds(10);

    // A position change as an account actor would journal it, padded to exactly 100 bytes.
    private static readonly SerializedPayload Payload = new(
        "position-changed", 1, Encoding.UTF8.GetBytes("{\"account\":\"A-000123\",\"instrument\":\"BTC-PERP\",\"quantity\":1.25,\"price\":96512.5,\"fee\":0.75}".PadRight(100)));

    public static async Task<int> RunAsync(JournalBenchmarkOptions options)
    {
        foreach (var line in MachineFacts.Describe())
        {
            Console.WriteLine(line);
        }

        Print($"payload: 100-byte events, untagged; group commit: {options.Actors:N0} actors x {options.AppendsPerActor:N0} sequential appends; writer: {(options.Writers == 0 ? new JournalOptions().Writers : options.Writers)} writer(s), batches of at most {new JournalOptions().MaxBatchSize:N0} events, {(options.LingerMicroseconds == 0 ? "no linger" : $"linger {options.LingerMicroseconds} us")}");
        var goals = new List<string>();
        await GroupCommitAsync(new NullJournal(), 4, "warmup", Math.Min(options.Actors, 100), 5);
        var (ceiling, _, _, _) = await GroupCommitAsync(new NullJournal(), 4, "null", options.Actors, options.AppendsPerActor);
        Print($"ceiling: the same group commit into a journal that stores nothing: {ceiling:N0} events/s (batching writer and simulated actors alone)");
        foreach (var backend in options.Backends)
        {
            if (backend == "sqlite")
            {
                var directory = Directory.CreateTempSubdirectory("cm-bench-sqlite-");
                try
                {
                    await using var sqlite = await SqlitePersistence.OpenAsync(new SqlitePersistenceOptions { DataDirectory = directory.FullName }, TimeProvider.System);
                    goals.AddRange(await MeasureAsync("SQLite", sqlite.Journal, options, options.Writers == 0 ? new JournalOptions().Writers : options.Writers, GoalSqliteGroupCommit));
                }
                finally
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    directory.Delete(recursive: true);
                }
            }
            else
            {
                var started = Stopwatch.GetTimestamp();
                await using var server = await PrivatePostgresServer.StartAsync();
                var connectionString = await server.CreateDatabaseAsync("journal_bench");
                Print($"PostgreSQL: private server {Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(ServerBinary())))} on 127.0.0.1:{server.Port} started in {Ms(started):F0} ms (fsync on, synchronous_commit on)");
                await using var postgres = await PostgresPersistence.OpenAsync(new PostgresPersistenceOptions { ConnectionString = connectionString }, TimeProvider.System);
                goals.AddRange(await MeasureAsync("PostgreSQL", postgres.Journal, options, options.Writers == 0 ? new JournalOptions().Writers : options.Writers, GoalPostgresGroupCommit));
            }
        }

        foreach (var goal in goals)
        {
            Console.WriteLine(goal);
        }

        return 0;
    }

    private static async Task<List<string>> MeasureAsync(string name, IJournal journal, JournalBenchmarkOptions options, int writers, double groupCommitGoal)
    {
        // Warm-up: JIT, connection pool, prepared statements, first pages.
        await GroupCommitAsync(journal, writers, "warmup", Math.Min(options.Actors, 100), 5);

        var run = Guid.NewGuid().ToString("N")[..8];
        var (groupRate, batches, writes, latencies) = await GroupCommitAsync(journal, writers, "actor", options.Actors, options.AppendsPerActor, TimeSpan.FromMicroseconds(options.LingerMicroseconds), run);
        Print($"{name} a. group commit, {options.Actors:N0} actors, {writers} writer(s): {groupRate:N0} events/s; {batches:N0} transactions, {writes / (double)batches:F1} appends each; append latency p50 {Percentile(latencies, 0.50):F2} ms, p99 {Percentile(latencies, 0.99):F2} ms");

        var (singleRate, singleLatencies) = await SingleWriterAsync(journal, options.SingleWriterAppends);
        Print($"{name} b. single writer, sequential: {singleRate:N0} events/s over {singleLatencies.Length:N0} appends; latency p50 {Percentile(singleLatencies, 0.50):F2} ms, p99 {Percentile(singleLatencies, 0.99):F2} ms, max {singleLatencies.Max():F2} ms");

        var (recoveryRate, runs, writeRate) = await RecoveryAsync(journal, options.RecoveryEvents);
        Print($"{name} c. recovery of one {options.RecoveryEvents:N0}-event history: best {recoveryRate:N0} events/s (runs {string.Join(", ", runs.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))} events/s); it was written at {writeRate:N0} events/s in 1,000-event transactions straight to the journal");

        var (interleavedRate, interleavedRuns) = await InterleavedRecoveryAsync(journal, $"actor-{run}", options.Actors, options.AppendsPerActor);
        Print($"{name} d. recovery of the {options.Actors:N0} histories (a) wrote interleaved, {options.AppendsPerActor} events each, one after another: best {interleavedRate:N0} events/s (runs {string.Join(", ", interleavedRuns.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))} events/s)");

        return
        [
            Goal($"{name} group commit from {options.Actors:N0} actors", groupRate, groupCommitGoal),
            Goal($"{name} recovery", recoveryRate, GoalRecovery),
        ];
    }

    private static async Task<(double Rate, long Batches, long Writes, double[] LatenciesMs)> GroupCommitAsync(
        IJournal journal, int writers, string prefix, int actors, int appendsEach, TimeSpan linger = default, string? run = null)
    {
        await using var writer = new BatchingJournalWriter(journal, new JournalOptions { Writers = writers, MaxBatchDelay = linger }, TimeProvider.System);
        run ??= Guid.NewGuid().ToString("N")[..8];
        var latencies = new double[actors * appendsEach];
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, actors).Select(a => Task.Run(async () =>
        {
            var pid = $"{prefix}-{run}-{a}";
            await start.Task;
            for (var seq = 1; seq <= appendsEach; seq++)
            {
                var began = Stopwatch.GetTimestamp();
                await writer.AppendAsync(new AtomicWrite(pid, seq, "bench", [new EventData(Payload)]));
                latencies[(a * appendsEach) + seq - 1] = Ms(began);
            }
        })).ToArray();

        var started = Stopwatch.GetTimestamp();
        start.SetResult();
        await Task.WhenAll(tasks);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (actors * appendsEach / seconds, writer.Batches, writer.Writes, latencies);
    }

    private static async Task<(double Rate, double[] LatenciesMs)> SingleWriterAsync(IJournal journal, int appends)
    {
        await using var writer = new BatchingJournalWriter(journal, new JournalOptions(), TimeProvider.System);
        var pid = $"single-{Guid.NewGuid():N}";
        var latencies = new List<double>(appends);
        var started = Stopwatch.GetTimestamp();
        for (var seq = 1; seq <= appends && Stopwatch.GetElapsedTime(started) < SingleWriterBudget; seq++)
        {
            var began = Stopwatch.GetTimestamp();
            await writer.AppendAsync(new AtomicWrite(pid, seq, "bench", [new EventData(Payload)]));
            latencies.Add(Ms(began));
        }

        return (latencies.Count / Stopwatch.GetElapsedTime(started).TotalSeconds, latencies.ToArray());
    }

    private static async Task<(double Best, double[] Runs, double WriteRate)> RecoveryAsync(IJournal journal, int events)
    {
        const int BatchEvents = 1000;
        var pid = $"history-{Guid.NewGuid():N}";
        var writing = Stopwatch.GetTimestamp();
        for (var from = 1; from <= events; from += BatchEvents)
        {
            var count = Math.Min(BatchEvents, events - from + 1);
            var results = await journal.WriteMessagesAsync([new AtomicWrite(pid, from, "bench", Enumerable.Repeat(new EventData(Payload), count).ToArray())]);
            if (results[0] is { } failed)
            {
                throw failed;
            }
        }

        var writeRate = events / Stopwatch.GetElapsedTime(writing).TotalSeconds;
        var runs = new double[3];
        for (var r = 0; r < runs.Length; r++)
        {
            var started = Stopwatch.GetTimestamp();
            long replayed = 0;
            long bytes = 0;
            await foreach (var e in journal.ReplayMessagesAsync(pid))
            {
                replayed++;
                bytes += e.Payload.Bytes.Length;
            }

            if (replayed != events || bytes != (long)events * Payload.Bytes.Length)
            {
                throw new InvalidOperationException($"Replayed {replayed} events ({bytes} bytes), expected {events}.");
            }

            runs[r] = events / Stopwatch.GetElapsedTime(started).TotalSeconds;
        }

        return (runs.Max(), runs, writeRate);
    }

    /// <summary>
    /// Replays histories whose events were committed interleaved with the other actors' (as an engine's accounts are),
    /// unlike (c)'s one history written alone: on SQLite the two take different read paths.
    /// </summary>
    private static async Task<(double Best, double[] Runs)> InterleavedRecoveryAsync(IJournal journal, string pidPrefix, int actors, int appendsEach)
    {
        var runs = new double[3];
        for (var r = 0; r < runs.Length; r++)
        {
            var started = Stopwatch.GetTimestamp();
            long replayed = 0;
            for (var a = 0; a < actors; a++)
            {
                long expected = 1;
                await foreach (var e in journal.ReplayMessagesAsync($"{pidPrefix}-{a}"))
                {
                    if (e.SequenceNr != expected++)
                    {
                        throw new InvalidOperationException($"History {pidPrefix}-{a} replayed sequence {e.SequenceNr} where {expected - 1} was due.");
                    }

                    replayed++;
                }
            }

            if (replayed != (long)actors * appendsEach)
            {
                throw new InvalidOperationException($"Replayed {replayed} events, expected {actors * appendsEach}.");
            }

            runs[r] = replayed / Stopwatch.GetElapsedTime(started).TotalSeconds;
        }

        return (runs.Max(), runs);
    }

    private static string Goal(string what, double measured, double goal) =>
        FormattableString.Invariant($"goal: {what} >= {goal:N0} events/s: {(measured >= goal ? "PASS" : "MISS")} ({measured:N0} events/s)");

    private static string ServerBinary() =>
        Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "postgres")).Where(File.Exists).Order(StringComparer.Ordinal).Last();

    private static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    private static double Ms(long started) => Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private static void Print(FormattableString line) => Console.WriteLine(FormattableString.Invariant(line));
}
