using System.Globalization;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Testing.RabbitMq;

namespace CrossMargin.Benchmarks.Rabbit;

/// <summary>
/// RabbitMQ's own publish-to-consume rate on the cluster's path (quorum queue, persistent, confirms, manual acks):
/// the baseline the cluster's end-to-end executions/s is divided by (see README, RabbitMQ raw rate).
/// </summary>
internal static class RabbitBenchmark
{
    public static async Task<int> RunAsync(RabbitBenchmarkOptions options)
    {
        PrivateRabbitMqBroker? broker = null;
        try
        {
            var uri = options.Uri;
            if (uri is null)
            {
                Console.WriteLine("Starting a private RabbitMQ broker...");
                broker = await PrivateRabbitMqBroker.StartAsync().ConfigureAwait(false);
                uri = broker.AmqpUri;
            }

            var settings = new RabbitMqOptions { Uri = uri, Prefix = "bench", ClientName = "cm-bench-rabbit" };
            await using var connection = await RabbitMqConnection.ConnectAsync(settings).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RabbitMQ raw publish-to-consume: {options.MessageSize} B bodies, {options.Messages:N0} messages per run, {options.QueueType} queue, persistent, confirms ({options.Window} in flight), manual acks (prefetch {settings.Prefetch})"));
            await RawRateProbe.MeasureAsync(connection, options.MessageSize, Math.Min(options.Messages, 10_000), options.Window, options.QueueType).ConfigureAwait(false);
            var rates = new List<double>();
            for (var run = 1; run <= options.Runs; run++)
            {
                var result = await RawRateProbe.MeasureAsync(connection, options.MessageSize, options.Messages, options.Window, options.QueueType).ConfigureAwait(false);
                rates.Add(result.MessagesPerSecond);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  run {run}: {result.MessagesPerSecond:N0} msg/s ({result.MegabytesPerSecond:F1} MB/s, {result.Elapsed.TotalSeconds:F2} s)"));
            }

            rates.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median: {rates[rates.Count / 2]:N0} msg/s"));
            return 0;
        }
        finally
        {
            if (broker is not null)
            {
                await broker.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
