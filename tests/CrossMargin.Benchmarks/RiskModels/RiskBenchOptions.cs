using System.Globalization;

namespace CrossMargin.Benchmarks.RiskModels;

/// <summary>Arguments of <c>risk [--accounts N] [--scenarios N] [--legs N] [--seed S]</c>.</summary>
/// <param name="Accounts">Accounts of the synthetic book stressed (default 100,000; 1,000,000 by flag).</param>
/// <param name="Scenarios">Historical scenarios of the VaR (default 1,000).</param>
/// <param name="Legs">Option legs of the VaR book (default 20).</param>
/// <param name="Seed">Seed of the book, the history and the legs (default 42).</param>
internal sealed record RiskBenchOptions(int Accounts = 100_000, int Scenarios = 1_000, int Legs = 20, int Seed = 42)
{
    /// <summary>Parses the arguments after "risk"; throws <see cref="ArgumentException"/> on anything else.</summary>
    public static RiskBenchOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new RiskBenchOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new ArgumentException($"{args[i]} needs a positive integer.", nameof(args));
            options = args[i] switch
            {
                "--accounts" => options with { Accounts = value },
                "--scenarios" => options with { Scenarios = value },
                "--legs" => options with { Legs = value },
                "--seed" => options with { Seed = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use risk [--accounts N] [--scenarios N] [--legs N] [--seed S].", nameof(args)),
            };
        }

        return options;
    }
}
