using System.Globalization;

namespace CrossMargin.Benchmarks.Market;

/// <summary>Arguments of <c>market [--accounts N] [--moves N] [--at INSTANT,INSTANT...] [--config DIR]</c>.</summary>
/// <param name="Accounts">Accounts holding BTC-PERP that every move re-margins (default 2,000).</param>
/// <param name="Moves">Timed moves per clock (default 200), after 50 untimed.</param>
/// <param name="At">The engine clocks to start on (default: the venue file's valuation time and 2030-02-01 08:00 UTC).</param>
/// <param name="Config">The repository's config directory; found above the working directory when null.</param>
internal sealed record MarketBenchOptions(int Accounts = 2_000, int Moves = 200, IReadOnlyList<DateTimeOffset>? At = null, string? Config = null)
{
    /// <summary>Parses the arguments after "market"; throws <see cref="ArgumentException"/> on anything else.</summary>
    public static MarketBenchOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new MarketBenchOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{args[i]} needs a value.", nameof(args));
            }

            var text = args[i + 1];
            options = args[i] switch
            {
                "--accounts" => options with { Accounts = Positive(args[i], text) },
                "--moves" => options with { Moves = Positive(args[i], text) },
                "--at" => options with { At = [.. text.Split(',').Select(Instant)] },
                "--config" => options with { Config = text },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use market [--accounts N] [--moves N] [--at INSTANT,...] [--config DIR].", nameof(args)),
            };
        }

        return options;
    }

    private static DateTimeOffset Instant(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : throw new ArgumentException($"--at: {text} is not an instant (2030-02-01T08:00:00Z).", nameof(text));

    private static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} needs a positive integer.", nameof(text));
}
