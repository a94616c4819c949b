using System.Globalization;

namespace CrossMargin.Benchmarks.Rabbit;

/// <summary>Arguments of <c>rabbit [--size BYTES] [--messages N] [--window N] [--runs N] [--queue quorum|classic] [--uri amqp://...]</c>.</summary>
/// <param name="MessageSize">Body size in bytes (default 400, about one JSON execution).</param>
/// <param name="Messages">Messages per run (default 50,000).</param>
/// <param name="Window">Unconfirmed publishes in flight (default 512).</param>
/// <param name="Runs">Measured runs after one warm-up (default 3); the median is the figure.</param>
/// <param name="QueueType">quorum (default, what shard queues are) or classic, for comparison.</param>
/// <param name="Uri">A broker to measure; without it a private broker is started and removed.</param>
internal sealed record RabbitBenchmarkOptions(int MessageSize = 400, int Messages = 50_000, int Window = 512, int Runs = 3, string QueueType = "quorum", Uri? Uri = null)
{
    /// <summary>Parses the arguments after "rabbit"; throws <see cref="ArgumentException"/> on anything else.</summary>
    public static RabbitBenchmarkOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new RabbitBenchmarkOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{args[i]} needs a value.", nameof(args));
            }

            var text = args[i + 1];
            options = args[i] switch
            {
                "--size" => options with { MessageSize = Positive(args[i], text) },
                "--messages" => options with { Messages = Positive(args[i], text) },
                "--window" => options with { Window = Positive(args[i], text) },
                "--runs" => options with { Runs = Positive(args[i], text) },
                "--queue" => options with { QueueType = text is "quorum" or "classic" ? text : throw new ArgumentException("--queue is quorum or classic.", nameof(args)) },
                "--uri" => options with { Uri = new Uri(text) },
                _ => throw new ArgumentException(
                    $"Unknown option {args[i]}; use rabbit [--size BYTES] [--messages N] [--window N] [--runs N] [--queue quorum|classic] [--uri amqp://...].", nameof(args)),
            };
        }

        return options;
    }

    private static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} needs a positive integer.", nameof(text));
}
