using BenchmarkDotNet.Running;
using CrossMargin.Benchmarks.ActorKernel;
using CrossMargin.Benchmarks.Book;
using CrossMargin.Benchmarks.Journal;

// book [--accounts N] [--seed S]: the whole-book re-margin harness (see README.md);
// actors [--actors N] [--pairs P] [--runs R]: the actor kernel's figures (see README.md); anything else: BenchmarkDotNet.
if (args.Length > 0 && args[0] == "book")
{
    BookOptions options;
    try
    {
        options = BookOptions.Parse(args.AsSpan(1));
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 64;
    }

    return BookBenchmark.Run(options);
}

if (args.Length > 0 && args[0] == "actors")
{
    ActorBenchOptions options;
    try
    {
        options = ActorBenchOptions.Parse(args.AsSpan(1));
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 64;
    }

    return ActorBenchmark.Run(options);
}

// journal [--backend sqlite|postgres|both] [--actors N] [--appends N] [--single N] [--recovery N]: journal throughput (see README.md).
if (args.Length > 0 && args[0] == "journal")
{
    JournalBenchmarkOptions options;
    try
    {
        options = JournalBenchmarkOptions.Parse(args.AsSpan(1));
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 64;
    }

    return await JournalBenchmark.RunAsync(options);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
