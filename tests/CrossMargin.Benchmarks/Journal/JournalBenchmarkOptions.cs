using System.Globalization;

namespace CrossMargin.Benchmarks.Journal;

/// <summary>Arguments of <c>journal [--backend sqlite|postgres|both] [--actors N] [--appends N] [--single N] [--recovery N] [--writers N] [--linger-us N]</c>.</summary>
/// <param name="Backends">Which stores to measure (default both).</param>
/// <param name="Actors">Concurrent persistent actors in the group-commit run (default 1,000).</param>
/// <param name="AppendsPerActor">Sequential appends per actor in the group-commit run (default 50).</param>
/// <param name="SingleWriterAppends">Appends of the single sequential writer (default 2,000; the run also stops after 10 s).</param>
/// <param name="RecoveryEvents">Events in the history replayed for the recovery figure (default 200,000).</param>
/// <param name="Writers">Parallel writers of the batching writer; 0 (default) uses the <see cref="CrossMargin.Persistence.Journal.JournalOptions"/> default.</param>
/// <param name="LingerMicroseconds">MaxBatchDelay of the batching writer in the group-commit run, in microseconds (default 0, no linger).</param>
internal sealed record JournalBenchmarkOptions(
    string[] Backends, int Actors = 1000, int AppendsPerActor = 50, int SingleWriterAppends = 2000, int RecoveryEvents = 200_000, int Writers = 0, int LingerMicroseconds = 0)
{
    /// <summary>Parses the arguments after "journal"; throws <see cref="ArgumentException"/> on anything else.</summary>
    public static JournalBenchmarkOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new JournalBenchmarkOptions(["sqlite", "postgres"]);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{args[i]} needs a value.", nameof(args));
            }

            var text = args[i + 1];
            options = args[i] switch
            {
                "--backend" => options with
                {
                    Backends = text switch
                    {
                        "sqlite" or "postgres" => [text],
                        "both" => ["sqlite", "postgres"],
                        _ => throw new ArgumentException("--backend is sqlite, postgres or both.", nameof(args)),
                    },
                },
                "--actors" => options with { Actors = Positive(args[i], text) },
                "--appends" => options with { AppendsPerActor = Positive(args[i], text) },
                "--single" => options with { SingleWriterAppends = Positive(args[i], text) },
                "--recovery" => options with { RecoveryEvents = Positive(args[i], text) },
                "--writers" => options with { Writers = Positive(args[i], text) },
                "--linger-us" => options with { LingerMicroseconds = Positive(args[i], text) },
                _ => throw new ArgumentException(
                    $"Unknown option {args[i]}; use journal [--backend sqlite|postgres|both] [--actors N] [--appends N] [--single N] [--recovery N] [--writers N] [--linger-us N].", nameof(args)),
            };
        }

        return options;
    }

    private static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} needs a positive integer.", nameof(text));
}
