using System.Globalization;

namespace CrossMargin.Benchmarks.ClusterBench;

/// <summary>Arguments of <c>cluster [--nodes N] [--shards N] [--accounts N] [--executions N] [--window N] [--warmup N] [--warmup-max N] [--queue quorum|classic] [--prefetch N] [--settle SECONDS] [--rounds N] [--pg-statements on|off] [--pg-checkpoint on|off] [--pg-settings "name=value;..."] [--journal-linger MS] [--config DIR]</c>.</summary>
/// <param name="Nodes">Cluster nodes, in this process (default 3).</param>
/// <param name="Shards">Shards, one queue each (default 16).</param>
/// <param name="Accounts">Accounts opened before the measurement (default 300).</param>
/// <param name="Executions">Executions published for the throughput figure (default 30,000).</param>
/// <param name="Window">Unconfirmed publishes in flight, for the executions and the raw baseline alike (default 512).</param>
/// <param name="WarmUp">Executions published and awaited, untimed, before the measured ones, at least (default 5,000, as the raw probe's warm-up).</param>
/// <param name="WarmUpMax">
/// The most warm-up executions: after <paramref name="WarmUp"/>, rounds of 5,000 more run until one spends under 2% of its
/// time compiling (the JIT tiering the path up), or this many have run (default 60,000; equal to WarmUp: no extra rounds).
/// </param>
/// <param name="QueueType">The shard queues' type (<c>RabbitMq:ShardQueueType</c>, default quorum); the raw baseline measures the same type.</param>
/// <param name="Prefetch">Unacked deliveries per consumer (<c>RabbitMq:Prefetch</c>, default 256), for the shard consumers and the raw probe alike.</param>
/// <param name="Settle">
/// The least time, from the nodes' start to the timed phase, in seconds (default 45; 0: none). Code run once a tick (lease
/// renewal, heartbeat, shard coordination, at 1 s) reaches the runtime's tier-up call count only after about 30 ticks, and
/// compiled in the timed phase it was a tenth of that phase's wall time: a cost a long-running node paid long ago.
/// </param>
/// <param name="Rounds">
/// End-to-end phases of the interleaved measurement (default 5), each between two raw phases (R E R ... E R: one raw
/// phase more), so that both rates see the same minutes of the machine; the ratio is the median over the phases.
/// </param>
/// <param name="PgStatements">
/// Preload pg_stat_statements in the private PostgreSQL server and print each end-to-end phase's heaviest statements
/// (default off: the extension's own bookkeeping would move PostgreSQL's CPU figure away from earlier sessions').
/// </param>
/// <param name="PgCheckpoint">
/// A CHECKPOINT before each measured end-to-end phase (default off). A run is shorter than PostgreSQL's checkpoint_timeout
/// (5 min), so without it no phase writes the full-page images a server writes after every checkpoint it does: on,
/// each phase starts as the first minutes after a checkpoint do.
/// </param>
/// <param name="PgSettings">Server settings added to the private PostgreSQL server's, <c>name=value</c> separated by <c>;</c> (default none).</param>
/// <param name="JournalLingerMs">
/// The nodes' journal linger (<c>Cluster:JournalLinger</c>), in milliseconds, 0-1,000 (default: the node's own, 2 ms):
/// how long a journal writer that found appends waiting in bulk waits for more before its transaction.
/// </param>
/// <param name="Config">The config directory (default: found above the working directory).</param>
internal sealed record ClusterBenchOptions(int Nodes = 3, int Shards = 16, int Accounts = 300, int Executions = 30_000, int Window = 512, int WarmUp = 5_000, int WarmUpMax = 60_000, string QueueType = "quorum", ushort Prefetch = 256, int Settle = 45, int Rounds = 5, string? Config = null, bool PgStatements = false, bool PgCheckpoint = false, string? PgSettings = null, int? JournalLingerMs = null)
{
    /// <summary>Parses the arguments after "cluster"; throws <see cref="ArgumentException"/> on anything else.</summary>
    public static ClusterBenchOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new ClusterBenchOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{args[i]} needs a value.", nameof(args));
            }

            var text = args[i + 1];
            options = args[i] switch
            {
                "--nodes" => options with { Nodes = Positive(args[i], text) },
                "--shards" => options with { Shards = Positive(args[i], text) },
                "--accounts" => options with { Accounts = Positive(args[i], text) },
                "--executions" => options with { Executions = Positive(args[i], text) },
                "--window" => options with { Window = Positive(args[i], text) },
                "--warmup" => options with { WarmUp = int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var warmUp) && warmUp >= 0 ? warmUp : throw new ArgumentException("--warmup needs a non-negative integer.", nameof(args)) },
                "--warmup-max" => options with { WarmUpMax = int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var most) && most >= 0 ? most : throw new ArgumentException("--warmup-max needs a non-negative integer.", nameof(args)) },
                "--queue" => options with { QueueType = text is "quorum" or "classic" ? text : throw new ArgumentException("--queue is quorum or classic.", nameof(args)) },
                "--prefetch" => options with { Prefetch = ushort.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var prefetch) && prefetch > 0 ? prefetch : throw new ArgumentException("--prefetch needs 1-65535.", nameof(args)) },
                "--settle" => options with { Settle = int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var settle) && settle >= 0 ? settle : throw new ArgumentException("--settle needs a non-negative number of seconds.", nameof(args)) },
                "--rounds" => options with { Rounds = Positive(args[i], text) },
                "--config" => options with { Config = text },
                "--journal-linger" => options with { JournalLingerMs = int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var delay) && delay is >= 0 and <= 1_000 ? delay : throw new ArgumentException("--journal-linger needs 0-1000 milliseconds.", nameof(args)) },
                "--pg-statements" => options with { PgStatements = text is "on" or "off" ? text == "on" : throw new ArgumentException("--pg-statements is on or off.", nameof(args)) },
                "--pg-checkpoint" => options with { PgCheckpoint = text is "on" or "off" ? text == "on" : throw new ArgumentException("--pg-checkpoint is on or off.", nameof(args)) },
                "--pg-settings" => options with { PgSettings = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(t => t.Contains('=', StringComparison.Ordinal)) ? text : throw new ArgumentException("--pg-settings takes name=value pairs separated by ;.", nameof(args)) },
                _ => throw new ArgumentException(
                    $"Unknown option {args[i]}; use cluster [--nodes N] [--shards N] [--accounts N] [--executions N] [--window N] [--warmup N] [--warmup-max N] [--queue quorum|classic] [--prefetch N] [--settle SECONDS] [--rounds N] [--pg-statements on|off] [--pg-checkpoint on|off] [--pg-settings name=value;...] [--journal-linger MS] [--config DIR].", nameof(args)),
            };
        }

        return options.Nodes < 2 ? throw new ArgumentException("--nodes must be at least 2: one is killed for the fail-over figure.", nameof(args)) : options;
    }

    private static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} needs a positive integer.", nameof(text));
}
