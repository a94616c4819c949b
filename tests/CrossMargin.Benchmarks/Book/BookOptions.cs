using System.Globalization;

namespace CrossMargin.Benchmarks.Book;

/// <summary>Arguments of <c>book [--accounts N] [--seed S]</c>.</summary>
/// <param name="Accounts">Accounts in the synthetic book (default 1,000,000).</param>
/// <param name="Seed">Seed of the book's <see cref="Random"/> (default 42).</param>
internal sealed record BookOptions(int Accounts = 1_000_000, int Seed = 42)
{
    /// <summary>Parses the arguments after "book"; throws <see cref="ArgumentException"/> on anything else.</summary>
    public static BookOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new BookOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new ArgumentException($"{args[i]} needs a positive integer.", nameof(args));
            options = args[i] switch
            {
                "--accounts" => options with { Accounts = value },
                "--seed" => options with { Seed = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use book [--accounts N] [--seed S].", nameof(args)),
            };
        }

        return options;
    }
}
