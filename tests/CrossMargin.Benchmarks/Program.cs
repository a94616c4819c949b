using BenchmarkDotNet.Running;
using CrossMargin.Benchmarks.ActorKernel;
using CrossMargin.Benchmarks.Book;
using CrossMargin.Benchmarks.ClusterBench;
using CrossMargin.Benchmarks.Engine;
using CrossMargin.Benchmarks.Journal;
using CrossMargin.Benchmarks.Market;
using CrossMargin.Benchmarks.RiskModels;
using CrossMargin.Benchmarks.Rabbit;

// CROSSMARGIN_GC_LOG=path: one line per garbage collection (see GcPauseLog).
using var gcLog = CrossMargin.Benchmarks.GcPauseLog.StartFromEnvironment();

// CROSSMARGIN_GC_PHASES=path: each collection's mark phases and joins per heap (see GcPhaseLog).
using var gcPhases = CrossMargin.Benchmarks.GcPhaseLog.StartFromEnvironment();

// book [--accounts N] [--seed S]: the whole-book re-margin harness (see README.md);
// actors [--actors N] [--pairs P] [--runs R]: the actor kernel's figures (see README.md); anything else: BenchmarkDotNet.
if (args.Length > 0 && args[0] == "book")
{
    return RunMode(BookOptions.Parse, args, o => Task.FromResult(BookBenchmark.Run(o)));
}

if (args.Length > 0 && args[0] == "actors")
{
    return RunMode(ActorBenchOptions.Parse, args, o => Task.FromResult(ActorBenchmark.Run(o)));
}

// journal [--backend sqlite|postgres|both] [--actors N] [--appends N] [--single N] [--recovery N]: journal throughput (see README.md).
if (args.Length > 0 && args[0] == "journal")
{
    return RunMode(JournalBenchmarkOptions.Parse, args, JournalBenchmark.RunAsync);
}

// engine [--only abcdef] [--accounts N] [--executions N] [--window N] [--rate R] [--seconds S] [--pretrade N] [--book-accounts N]
// [--memory-accounts K] [--config DIR]: the engine's figures of issue 5 (see README.md).
if (args.Length > 0 && args[0] == "engine")
{
    return RunMode(EngineBenchOptions.Parse, args, EngineBenchmark.RunAsync);
}

// risk [--accounts N] [--scenarios N] [--legs N] [--seed S]: historical VaR/ES and a book stress (see README.md).
if (args.Length > 0 && args[0] == "risk")
{
    return RunMode(RiskBenchOptions.Parse, args, o => Task.FromResult(RiskBenchmark.Run(o)));
}

// rabbit [--size BYTES] [--messages N] [--window N] [--runs N] [--queue quorum|classic] [--uri URI]: RabbitMQ's raw publish-to-consume rate (see README.md).
if (args.Length > 0 && args[0] == "rabbit")
{
    return RunMode(RabbitBenchmarkOptions.Parse, args, RabbitBenchmark.RunAsync);
}

// cluster [--nodes N] [--shards N] [--accounts N] [--executions N] [--window N] [--warmup N] [--warmup-max N] [--queue quorum|classic] [--prefetch N] [--settle SECONDS] [--rounds N] [--pg-statements on|off] [--pg-checkpoint on|off] [--pg-settings "name=value;..."] [--journal-linger MS] [--config DIR]: issue 6's figures (see README.md).
if (args.Length > 0 && args[0] == "cluster")
{
    return RunMode(ClusterBenchOptions.Parse, args, ClusterBenchmark.RunAsync);
}

// contract [--messages N] [--runs N]: one execution read through the contract, ns and bytes allocated (see README.md, Cluster).
if (args.Length > 0 && args[0] == "contract")
{
    return RunMode(ContractReadOptions.Parse, args, ContractReadBenchmark.RunAsync);
}

// market [--accounts N] [--moves N] [--at INSTANT,...] [--config DIR]: a snapshot's cost as expired contracts pile up (see README.md, session 27).
if (args.Length > 0 && args[0] == "market")
{
    return RunMode(MarketBenchOptions.Parse, args, MarketBenchmark.RunAsync);
}

// reprice [--options N,N...] [--moves N]: what re-pricing held option marks adds to an index move (see README.md, session 28).
if (args.Length > 0 && args[0] == "reprice")
{
    return RunMode(RepriceBenchOptions.Parse, args, RepriceBenchmark.RunAsync);
}

BenchmarkSwitcher.FromAssembly(typeof(CrossMargin.Benchmarks.MachineFacts).Assembly).Run(args);
return 0;

// Parses a mode's options (a bad flag prints its message and exits 64, EX_USAGE) and runs it.
static int RunMode<TOptions>(ParseOptions<TOptions> parse, string[] args, Func<TOptions, Task<int>> run)
{
    TOptions options;
    try
    {
        options = parse(args.AsSpan(1));
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 64;
    }

    return run(options).GetAwaiter().GetResult();
}

internal delegate TOptions ParseOptions<TOptions>(ReadOnlySpan<string> args);
