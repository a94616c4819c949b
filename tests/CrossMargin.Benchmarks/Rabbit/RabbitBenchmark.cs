using System.Globalization;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Testing.RabbitMq;
using RabbitMQ.Client;

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
            var raw = rates[rates.Count / 2];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median: {raw:N0} msg/s"));

            // The transport's own path with no work in the handler: accounts exchange, 8 shard queues, 8 shard consumers.
            var transport = await TransportRateAsync(uri, options).ConfigureAwait(false);
            var share = string.Create(CultureInfo.InvariantCulture, $", {transport / raw:P0} of raw");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"transport (accounts exchange -> 8 {options.QueueType} shard queues -> ShardConsumer, no-op handler): {transport:N0} msg/s{share}"));
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

    private static async Task<double> TransportRateAsync(Uri uri, RabbitBenchmarkOptions options)
    {
        var settings = new RabbitMqOptions { Uri = uri, Prefix = "bench-" + Guid.NewGuid().ToString("N")[..8], ShardCount = 8, ShardQueueType = options.QueueType, ClientName = "cm-bench-transport" };
        await using var connection = await RabbitMqConnection.ConnectAsync(settings).ConfigureAwait(false);
        await Topology.DeclareAsync(connection).ConfigureAwait(false);
        try
        {
            var acked = 0;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var consumers = new List<ShardConsumer>();
            for (var shard = 0; shard < settings.ShardCount; shard++)
            {
                consumers.Add(await ShardConsumer.StartAsync(connection, shard, (_, _) =>
                {
                    if (Interlocked.Increment(ref acked) == options.Messages)
                    {
                        done.TrySetResult();
                    }

                    return Task.CompletedTask;
                }).ConfigureAwait(false));
            }

            var body = new byte[options.MessageSize];
            body.AsSpan().Fill((byte)'x');
            await using var publisher = await ConfirmingPublisher.CreateAsync(connection).ConfigureAwait(false);
            using var window = new SemaphoreSlim(options.Window, options.Window);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var publishes = new List<Task>(options.Messages);
            for (var i = 0; i < options.Messages; i++)
            {
                await window.WaitAsync().ConfigureAwait(false);
                var id = i.ToString(CultureInfo.InvariantCulture);
                publishes.Add(PublishAsync(publisher, connection.Names.Accounts, "acct-" + (i % 10_000).ToString(CultureInfo.InvariantCulture), body, id, window));
            }

            await Task.WhenAll(publishes).ConfigureAwait(false);
            await done.Task.WaitAsync(TimeSpan.FromMinutes(5)).ConfigureAwait(false);
            var elapsed = clock.Elapsed;
            foreach (var consumer in consumers)
            {
                await consumer.DisposeAsync().ConfigureAwait(false);
            }

            return options.Messages / elapsed.TotalSeconds;
        }
        finally
        {
            // Leave nothing behind on a broker given with --uri.
            var channel = await connection.CreateChannelAsync(publisherConfirms: false).ConfigureAwait(false);
            await using (channel.ConfigureAwait(false))
            {
                for (var shard = 0; shard < settings.ShardCount; shard++)
                {
                    await channel.QueueDeleteAsync(connection.Names.Shard(shard)).ConfigureAwait(false);
                }

                await channel.QueueDeleteAsync(connection.Names.DeadLetter).ConfigureAwait(false);
                foreach (var exchange in connection.Names.Outbound.Concat([connection.Names.Accounts, connection.Names.Marks, connection.Names.Requests, connection.Names.DeadLetter]))
                {
                    await channel.ExchangeDeleteAsync(exchange).ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task PublishAsync(ConfirmingPublisher publisher, string exchange, string account, byte[] body, string id, SemaphoreSlim window)
    {
        try
        {
            await publisher.PublishAsync(exchange, account, body, id, "execution").ConfigureAwait(false);
        }
        finally
        {
            window.Release();
        }
    }
}
