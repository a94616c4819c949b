using System.Globalization;

namespace CrossMargin.Benchmarks.Market;

/// <summary>Arguments of <c>reprice [--options N,N...] [--moves N]</c>.</summary>
/// <param name="Options">The option counts to run with, one run each (default 0, 100, 500, 1,000; 0 is the baseline).</param>
/// <param name="Moves">Timed index moves per run (default 2,000), after 500 untimed.</param>
internal sealed record RepriceBenchOptions(IReadOnlyList<int>? Options = null, int Moves = 2_000)
{
    /// <summary>The option counts, the default when none were given.</summary>
    public IReadOnlyList<int> Counts => Options ?? [0, 100, 500, 1_000];

    /// <summary>Parses the arguments after "reprice"; throws <see cref="ArgumentException"/> on anything else.</summary>
    public static RepriceBenchOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new RepriceBenchOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{args[i]} needs a value.", nameof(args));
            }

            var (name, text) = (args[i], args[i + 1]);
            options = name switch
            {
                "--options" => options with { Options = [.. text.Split(',').Select(t => Count(name, t, allowZero: true))] },
                "--moves" => options with { Moves = Count(name, text, allowZero: false) },
                _ => throw new ArgumentException($"Unknown option {name}; use reprice [--options N,N...] [--moves N].", nameof(args)),
            };
        }

        return options;
    }

    private static int Count(string name, string text, bool allowZero) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && (value > 0 || (allowZero && value == 0))
            ? value
            : throw new ArgumentException($"{name} needs {(allowZero ? "non-negative" : "positive")} integers.", nameof(text));
}
