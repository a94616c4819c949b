using CrossMargin.Testing.RabbitMq;

namespace CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;

/// <summary>
/// One private RabbitMQ broker for the whole test run (started on first use by the collection, stopped and deleted at
/// the end); each test uses its own name prefix, so tests never see each other's queues. Fails, never skips, when the
/// server is not installed.
/// </summary>
public sealed class RabbitMqBrokerFixture : IAsyncLifetime
{
    private PrivateRabbitMqBroker? _broker;

    public PrivateRabbitMqBroker Broker => _broker ?? throw new InvalidOperationException("The RabbitMQ fixture has not started.");

    public async Task InitializeAsync() => _broker = await PrivateRabbitMqBroker.StartAsync().WaitAsync(TimeSpan.FromSeconds(120));

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    /// <summary>Options for this broker under a fresh prefix, with time-outs short enough for tests, and shard queues of <paramref name="queueType"/>.</summary>
    public RabbitMqOptions Options(int shardCount = 8, Action<RabbitMqOptions>? configure = null, string queueType = Topology.QuorumQueueType)
    {
        var options = new RabbitMqOptions
        {
            Uri = Broker.AmqpUri,
            Prefix = "t" + Guid.NewGuid().ToString("N")[..10],
            ShardCount = shardCount,
            ShardQueueType = queueType,
            Prefetch = 64,
            ConfirmTimeout = TimeSpan.FromSeconds(5),
            PublishRetryTimeout = TimeSpan.FromSeconds(60),
            ReconnectBackoffMin = TimeSpan.FromMilliseconds(250),
            ReconnectBackoffMax = TimeSpan.FromSeconds(2),
            ConnectTimeout = TimeSpan.FromSeconds(30),
            HandlerDrainTimeout = TimeSpan.FromSeconds(5),
            ClientName = "cm-tests",
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Connects with <paramref name="options"/> and declares the topology.</summary>
#pragma warning disable CA1822 // Read as the fixture's verb in tests.
    public async Task<RabbitMqConnection> ConnectAsync(RabbitMqOptions options)
    {
        var connection = await RabbitMqConnection.ConnectAsync(options).Within();
        await Topology.DeclareAsync(connection).Within();
        return connection;
    }
#pragma warning restore CA1822
}
