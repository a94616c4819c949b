using System.Diagnostics;
using System.Globalization;
using System.Security.Authentication;
using System.Text.Json;
using CrossMargin.Cluster.RabbitMq;
using CrossMargin.Testing.RabbitMq;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// The node's RabbitMQ connection over TLS to a broker that verifies both sides (<c>verify_peer</c>,
/// <c>fail_if_no_peer_cert</c>) and logs certificates in by common name: the broker is verified against the configured
/// CA only, and under certificate (EXTERNAL) login the node signs and records the user the broker made of its certificate.
/// One TLS broker for all of them (<see cref="ClusterServers.TlsRabbitMqAsync"/>).
/// </summary>
[Collection(UsesClusterServers.Name)]
public sealed class RabbitMqTlsTests(ClusterServers servers) : IAsyncLifetime
{
    private const int Shards = 4;
    private PrivateRabbitMqBroker _broker = null!;
    private TestCluster _cluster = null!;

    private TestCertificates Certificates => _broker.Certificates!;

    public async Task InitializeAsync()
    {
        _broker = await servers.TlsRabbitMqAsync();
        _cluster = await TestCluster.CreateAsync(servers, Shards);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <summary>This cluster's settings for the TLS listener (by address, so the certificate's name is given), guest over PLAIN unless changed.</summary>
    private RabbitMqOptions Tls(Action<RabbitMqOptions>? configure = null)
    {
        var options = new RabbitMqOptions
        {
            HostName = "127.0.0.1",
            Port = _broker.TlsPort,
            Prefix = _cluster.Prefix,
            ShardCount = Shards,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            Tls =
            {
                Enabled = true,
                ServerName = "localhost",
                CaFile = Certificates.CaFile,
                ClientCertificateFile = Certificates.ClientCertificateFile,
                ClientKeyFile = Certificates.ClientKeyFile,
            },
        };
        configure?.Invoke(options);
        return options;
    }

    private static void CertificateLogin(RabbitMqOptions options) => options.AuthMechanism = RabbitMqOptions.ExternalAuthMechanism;

    /// <summary>Publishes an empty message signed as the connection's user to a queue of the test's own and reads it back.</summary>
    private static async Task<RabbitMQ.Client.BasicGetResult> RoundTripAsync(RabbitMqConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync(publisherConfirms: false);
        await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        await publisher.PublishAsync("", queue, "{}"u8.ToArray(), queue + "-1", "test", new PublishOptions { UserId = connection.UserName });
        RabbitMQ.Client.BasicGetResult? got = null;
        await TestCluster.EventuallyAsync(async () => (got = await channel.BasicGetAsync(queue, autoAck: true)) is not null, TimeSpan.FromSeconds(10), "the message back");
        await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
        return got!;
    }

    /// <summary>The broker's connections as "user ssl" lines (rabbitmqctl).</summary>
    private async Task<string[]> ConnectionsAsync() =>
        (await _broker.CtlAsync(["list_connections", "user", "ssl", "--no-table-headers", "--quiet"])).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task A_connection_over_tls_to_a_broker_of_the_configured_ca_publishes_and_consumes()
    {
        await using var connection = await RabbitMqConnection.ConnectAsync(Tls());

        var got = await RoundTripAsync(connection, _cluster.Prefix + ".tls-plain");

        Assert.Equal("{}", System.Text.Encoding.UTF8.GetString(got.Body.Span));
        Assert.Equal("guest", got.BasicProperties.UserId);
        Assert.Contains("guest\ttrue", await ConnectionsAsync());
    }

    [Fact]
    public async Task A_broker_whose_certificate_another_ca_signed_is_refused_at_once_naming_the_ca_file()
    {
        var clock = Stopwatch.StartNew();

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => RabbitMqConnection.ConnectAsync(Tls(o => o.Tls.CaFile = Certificates.OtherCaFile)));

        // Not retried until RabbitMq:ConnectTimeout (30 s here): a certificate does not heal by waiting.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"refused after {clock.Elapsed}");
        Assert.Contains($"does not chain to a CA in RabbitMq:Tls:CaFile '{Certificates.OtherCaFile}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("CN=localhost", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broker_certificate_for_another_name_than_the_one_connected_to_is_refused()
    {
        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => RabbitMqConnection.ConnectAsync(Tls(o => o.Tls.ServerName = null)));

        Assert.Contains("is not issued for the name '127.0.0.1'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_certificate_login_the_connection_is_the_certificates_common_name_and_the_broker_accepts_what_it_signs()
    {
        await using var connection = await RabbitMqConnection.ConnectAsync(Tls(CertificateLogin));

        Assert.Equal(ClusterServers.TlsClientUser, connection.UserName);
        var got = await RoundTripAsync(connection, _cluster.Prefix + ".tls-external");
        Assert.Equal(ClusterServers.TlsClientUser, got.BasicProperties.UserId);
        Assert.Contains($"{ClusterServers.TlsClientUser}\ttrue", await ConnectionsAsync());
    }

    [Fact]
    public async Task Under_certificate_login_a_configured_user_the_broker_does_not_log_in_fails_the_connect_with_the_brokers_words()
    {
        var wrong = await Assert.ThrowsAsync<InvalidOperationException>(() => RabbitMqConnection.ConnectAsync(Tls(o =>
        {
            CertificateLogin(o);
            o.ExternalUserFrom = RabbitMqOptions.ExternalUserFromUserName;
            o.UserName = "CN=cm-node-cert,O=CrossMargin tests";
        })));

        Assert.Contains("another user than 'CN=cm-node-cert,O=CrossMargin tests'", wrong.Message, StringComparison.Ordinal);
        Assert.Contains($"authenticated user was '{ClusterServers.TlsClientUser}'", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_certificate_login_a_certificate_whose_common_name_is_no_rabbitmq_user_is_refused_at_once_naming_the_user()
    {
        var clock = Stopwatch.StartNew();

        var refused = await Assert.ThrowsAsync<BrokerRefusedException>(() => RabbitMqConnection.ConnectAsync(Tls(o =>
        {
            CertificateLogin(o);
            o.Tls.ClientCertificateFile = Certificates.StrangerCertificateFile;
            o.Tls.ClientKeyFile = Certificates.StrangerKeyFile;
        })));

        // Not retried until RabbitMq:ConnectTimeout (30 s here): a missing user does not appear by waiting.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"refused after {clock.Elapsed}");
        Assert.Equal((BrokerRefusal.Login, TestCertificates.StrangerUser, RabbitMqOptions.ExternalAuthMechanism), (refused.Refusal, refused.UserName, refused.Mechanism));
        Assert.Contains($"refused the login of user '{TestCertificates.StrangerUser}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"RabbitMQ has a user '{TestCertificates.StrangerUser}' (rabbitmqctl add_user", refused.Message, StringComparison.Ordinal);
        Assert.Contains("mechanism EXTERNAL, TLS", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_certificate_of_a_ca_the_broker_does_not_trust_is_refused_at_once_with_the_brokers_alert()
    {
        var clock = Stopwatch.StartNew();

        var refused = await Assert.ThrowsAsync<BrokerRefusedException>(() => RabbitMqConnection.ConnectAsync(Tls(o =>
        {
            o.Tls.ClientCertificateFile = Certificates.ForeignCertificateFile;
            o.Tls.ClientKeyFile = Certificates.ForeignKeyFile;
        })));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"refused after {clock.Elapsed}");
        Assert.Equal(BrokerRefusal.ClientCertificate, refused.Refusal);
        Assert.Contains($"RabbitMQ at 127.0.0.1:{_broker.TlsPort.ToString(CultureInfo.InvariantCulture)}/ refused this node's TLS client certificate (TLS alert: tlsv1 alert unknown ca)", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"issued RabbitMq:Tls:ClientCertificateFile '{Certificates.ForeignCertificateFile}'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_client_certificate_for_a_broker_that_requires_one_is_refused_at_once_saying_to_set_one()
    {
        var refused = await Assert.ThrowsAsync<BrokerRefusedException>(() => RabbitMqConnection.ConnectAsync(Tls(o =>
        {
            o.Tls.ClientCertificateFile = null;
            o.Tls.ClientKeyFile = null;
        })));

        Assert.Equal(BrokerRefusal.ClientCertificate, refused.Refusal);
        Assert.Contains("certificate required", refused.Message, StringComparison.Ordinal);
        Assert.Contains("set RabbitMq:Tls:ClientCertificateFile", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_started_with_a_wrong_password_stops_at_once_with_the_refusal_not_after_the_connect_timeout()
    {
        var clock = Stopwatch.StartNew();

        var failed = await Assert.ThrowsAnyAsync<Exception>(() => _cluster.StartNodeAsync("n1",
            "--RabbitMq:Uri=amqps://guest:not-the-password@127.0.0.1:" + _broker.TlsPort.ToString(CultureInfo.InvariantCulture) + "/",
            "--RabbitMq:Tls:ServerName=localhost",
            "--RabbitMq:Tls:CaFile=" + Certificates.CaFile,
            "--RabbitMq:Tls:ClientCertificateFile=" + Certificates.ClientCertificateFile,
            "--RabbitMq:Tls:ClientKeyFile=" + Certificates.ClientKeyFile));

        // The node's RabbitMq:ConnectTimeout is the default 60 s.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"failed after {clock.Elapsed}");
        var refused = Assert.IsType<BrokerRefusedException>(failed);
        Assert.Equal(BrokerRefusal.Login, refused.Refusal);
        Assert.Contains("refused the login of user 'guest'", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_logging_in_with_its_certificate_records_the_certificates_user_and_applies_the_coordinator_commands_it_signs()
    {
        var node = await _cluster.StartNodeAsync("n1",
            "--RabbitMq:Uri=amqps://127.0.0.1:" + _broker.TlsPort.ToString(CultureInfo.InvariantCulture) + "/",
            "--RabbitMq:AuthMechanism=EXTERNAL",
            "--RabbitMq:Tls:ServerName=localhost",
            "--RabbitMq:Tls:CaFile=" + Certificates.CaFile,
            "--RabbitMq:Tls:ClientCertificateFile=" + Certificates.ClientCertificateFile,
            "--RabbitMq:Tls:ClientKeyFile=" + Certificates.ClientKeyFile);
        await _cluster.AllShardsServedAsync([node], TimeSpan.FromSeconds(30));
        await TestCluster.OpenAsync(node, "acc-tls");

        var members = await TestCluster.HostOf(node).Cluster!.Membership.ReadMembersAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([("n1", ClusterServers.TlsClientUser)], members.Select(m => (m.NodeId, m.BrokerUser)));

        // A coordinator's command as another node of this cluster sends it: same certificate, signed with its user.
        // The node admits only its own user's: under any other name it would be refused as forbidden.
        await using var connection = await RabbitMqConnection.ConnectAsync(Tls(CertificateLogin));
        await using var publisher = await ConfirmingPublisher.CreateAsync(connection);
        var command = new Engine.Accounts.CoverDeficit("liq-tls:cover-1", "liquidation", 1, "USDT", 5m);
        await publisher.PublishAsync(connection.Names.Accounts, "acc-tls", JsonSerializer.SerializeToUtf8Bytes(command, Node.Clustering.ClusterWireJsonContext.Default.CoverDeficit),
            command.MessageId, Node.Clustering.ClusterMessageTypes.CoverDeficit, new PublishOptions { UserId = connection.UserName });

        await TestCluster.EventuallyAsync(async () => await TestCluster.AccountAsync(node, "acc-tls") is { } view && TestCluster.UsdtOf(view) == 5m,
            TimeSpan.FromSeconds(15), "the deficit cover applied");
    }
}
