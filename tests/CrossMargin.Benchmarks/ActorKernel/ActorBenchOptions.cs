using System.Globalization;

namespace CrossMargin.Benchmarks.ActorKernel;

/// <summary>Arguments of <c>actors [--actors N] [--pairs P] [--runs R]</c>.</summary>
/// <param name="Actors">Actors spawned, and messaged once each in the fan-out (default 1,000,000, the figure).</param>
/// <param name="Pairs">Ping-pong pairs of the headline figure; 0 (default) means 4 per processor.</param>
/// <param name="Runs">Measured runs of ping-pong and fan-out (default 5); spawn runs min(Runs, 3) times.</param>
internal sealed record ActorBenchOptions(int Actors = 1_000_000, int Pairs = 0, int Runs = 5)
{
    public int HeadlinePairs => Pairs > 0 ? Pairs : 4 * Environment.ProcessorCount;

    /// <summary>Parses the arguments after "actors"; throws <see cref="ArgumentException"/> on anything else.</summary>
    public static ActorBenchOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new ActorBenchOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new ArgumentException($"{args[i]} needs a positive integer.", nameof(args));
            options = args[i] switch
            {
                "--actors" => options with { Actors = value },
                "--pairs" => options with { Pairs = value },
                "--runs" => options with { Runs = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use actors [--actors N] [--pairs P] [--runs R].", nameof(args)),
            };
        }

        return options;
    }
}
