namespace CrossMargin.Cluster.RabbitMq.Tests;

public sealed class RabbitMqOptionsTests
{
    [Fact]
    public void Defaults_are_valid() => Assert.Empty(new RabbitMqOptions().Validate());

    [Fact]
    public void Every_bad_setting_is_reported_at_once()
    {
        var options = new RabbitMqOptions
        {
            Prefetch = 0,
            ShardCount = 0,
            Prefix = "bad prefix",
            ReconnectBackoffMin = TimeSpan.FromSeconds(10),
            ReconnectBackoffMax = TimeSpan.FromSeconds(1),
            MaxDeliveryAttempts = 5,
            BrokerDeliveryLimit = 3,
            Port = 0,
            AccountsExchangeType = "topic",
            ShardQueueType = "stream",
            AckCoalescing = TimeSpan.FromSeconds(2),
        };

        var errors = options.Validate();

        Assert.Contains(errors, e => e.Contains("Prefetch", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ShardCount", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Prefix", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ReconnectBackoffMax", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("BrokerDeliveryLimit", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Port", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("AccountsExchangeType", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ShardQueueType", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("AckCoalescing", StringComparison.Ordinal));
        Assert.False(new RabbitMqOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void A_uri_replaces_the_separate_connection_fields()
    {
        var options = new RabbitMqOptions { Uri = new Uri("amqp://u:p@broker:5673/vh"), HostName = "", UserName = "" };
        Assert.Empty(options.Validate());
        Assert.NotEmpty(new RabbitMqOptions { Uri = new Uri("http://broker/") }.Validate());
    }
}
