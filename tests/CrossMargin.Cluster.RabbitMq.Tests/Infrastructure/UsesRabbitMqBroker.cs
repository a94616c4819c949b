namespace CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;

/// <summary>The test classes that share the private RabbitMQ broker (they run one after another: one restarts it).</summary>
[CollectionDefinition(Name)]
public sealed class UsesRabbitMqBroker : ICollectionFixture<RabbitMqBrokerFixture>
{
    public const string Name = "RabbitMQ broker";
}
