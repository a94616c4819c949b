using System.Globalization;

namespace CrossMargin.Benchmarks.ClusterBench;

/// <summary>Arguments of <c>contract [--messages N] [--runs N]</c>.</summary>
/// <param name="Messages">Messages read per run (default 200,000), after one unmeasured run of the same size.</param>
/// <param name="Runs">Measured runs (default 5); the median is the figure.</param>
internal sealed record ContractReadOptions(int Messages = 200_000, int Runs = 5)
{
    /// <summary>Parses the arguments after "contract"; throws <see cref="ArgumentException"/> on anything else.</summary>
    public static ContractReadOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new ContractReadOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{args[i]} needs a value.", nameof(args));
            }

            var text = args[i + 1];
            options = args[i] switch
            {
                "--messages" => options with { Messages = Positive(args[i], text) },
                "--runs" => options with { Runs = Positive(args[i], text) },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use contract [--messages N] [--runs N].", nameof(args)),
            };
        }

        return options;
    }

    private static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} needs a positive integer.", nameof(text));
}
