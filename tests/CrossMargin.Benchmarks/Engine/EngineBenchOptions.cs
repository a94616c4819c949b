using System.Globalization;

namespace CrossMargin.Benchmarks.Engine;

/// <summary>
/// Arguments of <c>engine [--only abcdef] [--accounts N] [--executions N] [--window N] [--rate R] [--seconds S]
/// [--warmup S] [--pretrade N] [--book-accounts N] [--memory-accounts K] [--checkpoint background|inline] [--checkpoint-pages N] [--write-out early|late] [--scheduling local|shared] [--config DIR]</c>.
/// </summary>
/// <param name="Only">Which sub-measurements run: letters of a (throughput), b (latency), c (mark re-margin), d (pre-trade), e (memory), f (parts on one thread); default all.</param>
/// <param name="Accounts">Accounts opened for (a), (b) and (d) (default 2,000).</param>
/// <param name="Executions">Executions measured in (a) (default 200,000: seconds, not the ~1 s that 50,000 take once warm).</param>
/// <param name="Window">Executions in flight in (a), at most one per account (default 1,000).</param>
/// <param name="Rate">Offered executions per second in (b) (default 10,000).</param>
/// <param name="Seconds">Length of the paced run in (b), seconds (default 5).</param>
/// <param name="WarmupSeconds">Paced seconds before (b) measures (default 1). Longer lets the first collection after the setup, which promotes the whole heap the setup built, fall before the measured window: with a large gen0 budget that one pause is the start-up's, not the steady state's.</param>
/// <param name="PreTradeChecks">Pre-trade checks per run in (d) (default 200,000: with 20,000 the concurrent run lasted ~0.3 s and measured the tiered JIT at work, 54,000-67,000 checks/s instead of 250,000-340,000).</param>
/// <param name="BookAccounts">Accounts of the book re-margined in (c) (default 50,000; the goal is stated for 1,000,000).</param>
/// <param name="MemoryAccounts">Accounts brought live in (e) (default 10,000).</param>
/// <param name="Checkpoint">WAL checkpoints of the SQLite journal: "background" (the default, SqlitePersistenceOptions.BackgroundCheckpoint) or "inline" (SQLite's auto-checkpoint inside the commit, the earlier behaviour).</param>
/// <param name="CheckpointPages">SqlitePersistenceOptions.CheckpointPages: WAL frames per background checkpoint round (default 4,000; below the hard limit of 40,000).</param>
/// <param name="WriteOut">"late" (the default: the round's fsync writes every page the unlocked passes copied) or "early" (SqlitePersistenceOptions.EarlyWriteOut: each unlocked pass starts the write-out of what it copied).</param>
/// <param name="Scheduling">Where an actor with new mail is queued in (a), (b) and (d): "local" (the sending thread's own queue, ActorSystemOptions.PreferLocalQueue true) or "shared" (the pool's queue, oldest first).</param>
/// <param name="ConfigDirectory">The repository's config directory (market, risk parameters); found from the working directory when null.</param>
internal sealed record EngineBenchOptions(
    string Only = "abcdef",
    int Accounts = 2_000,
    int Executions = 200_000,
    int Window = 1_000,
    int Rate = 20_000,
    int Seconds = 5,
    int WarmupSeconds = 1,
    int PreTradeChecks = 200_000,
    int BookAccounts = 50_000,
    int MemoryAccounts = 10_000,
    string Checkpoint = "background",
    int CheckpointPages = 4_000,
    string WriteOut = "late",
    string Scheduling = "local",
    string? ConfigDirectory = null)
{
    private const string Usage =
        "use engine [--only abcdef] [--accounts N] [--executions N] [--window N] [--rate R] [--seconds S] [--warmup S] [--pretrade N] [--book-accounts N] [--memory-accounts K] [--checkpoint background|inline] [--checkpoint-pages N] [--write-out early|late] [--scheduling local|shared] [--config DIR].";

    /// <summary>True when sub-measurement <paramref name="letter"/> is selected.</summary>
    public bool Runs(char letter) => Only.Contains(letter, StringComparison.Ordinal);

    /// <summary>Parses the arguments after "engine"; throws <see cref="ArgumentException"/> on anything else.</summary>
    public static EngineBenchOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new EngineBenchOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{args[i]} needs a value; {Usage}", nameof(args));
            }

            var text = args[i + 1];
            options = args[i] switch
            {
                "--only" => options with { Only = Letters(text) },
                "--accounts" => options with { Accounts = Positive(args[i], text) },
                "--executions" => options with { Executions = Positive(args[i], text) },
                "--window" => options with { Window = Positive(args[i], text) },
                "--rate" => options with { Rate = Positive(args[i], text) },
                "--seconds" => options with { Seconds = Positive(args[i], text) },
                "--warmup" => options with { WarmupSeconds = Positive(args[i], text) },
                "--pretrade" => options with { PreTradeChecks = Positive(args[i], text) },
                "--book-accounts" => options with { BookAccounts = Positive(args[i], text) },
                "--memory-accounts" => options with { MemoryAccounts = Positive(args[i], text) },
                "--checkpoint" => options with { Checkpoint = text is "background" or "inline" ? text : throw new ArgumentException("--checkpoint takes background or inline.", nameof(args)) },
                "--checkpoint-pages" => options with { CheckpointPages = BelowHardLimit(args[i], text) },
                "--write-out" => options with { WriteOut = text is "early" or "late" ? text : throw new ArgumentException("--write-out takes early or late.", nameof(args)) },
                "--scheduling" => options with { Scheduling = text is "local" or "shared" ? text : throw new ArgumentException("--scheduling takes local or shared.", nameof(args)) },
                "--config" => options with { ConfigDirectory = Directory.Exists(text) ? text : throw new ArgumentException($"--config: no directory {text}.", nameof(args)) },
                _ => throw new ArgumentException($"Unknown option {args[i]}; {Usage}", nameof(args)),
            };
        }

        if (options.Window > options.Accounts)
        {
            throw new ArgumentException($"--window ({options.Window}) cannot exceed --accounts ({options.Accounts}): at most one execution is in flight per account.", nameof(args));
        }

        return options;
    }

    private static string Letters(string text) =>
        text.Length > 0 && text.All(c => c is >= 'a' and <= 'f')
            ? text
            : throw new ArgumentException("--only takes letters a to f (a throughput, b latency, c mark re-margin, d pre-trade, e memory, f parts).", nameof(text));

    private static int BelowHardLimit(string name, string text) =>
        Positive(name, text) is var pages && pages < 40_000 ? pages : throw new ArgumentException($"{name} must stay below the WAL's hard limit, 40,000 pages.", nameof(text));

    private static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} needs a positive integer.", nameof(text));
}
