using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RabbitMQ.Client.Exceptions;

namespace CrossMargin.Cluster.RabbitMq.Tests;

public sealed class RabbitMqConnectionTests
{
    [Fact]
    public async Task Connecting_to_no_broker_retries_until_the_connect_timeout_then_names_the_broker()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port; // free once the listener stops: nothing answers there
        }

        var options = new RabbitMqOptions
        {
            HostName = "127.0.0.1",
            Port = port,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            ReconnectBackoffMin = TimeSpan.FromMilliseconds(100),
            ReconnectBackoffMax = TimeSpan.FromMilliseconds(400),
        };
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<BrokerUnreachableException>(() => RabbitMqConnection.ConnectAsync(options).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(20));
        Assert.Contains($"127.0.0.1:{port}", e.InnerException?.Message ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_options_fail_before_any_connection_is_tried()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => RabbitMqConnection.ConnectAsync(new RabbitMqOptions { ShardCount = 0 }));

        Assert.Contains("ShardCount", e.Message, StringComparison.Ordinal);
    }
}
