using System.Diagnostics;
using System.Globalization;
using CrossMargin.Cluster.RabbitMq.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace CrossMargin.Cluster.RabbitMq.Tests;

/// <summary>
/// A broker that answers and refuses the node (its password, its virtual host) ends the first connect at once with
/// the reason, instead of being retried until <see cref="RabbitMqOptions.ConnectTimeout"/> (30 s here) as unreachable;
/// on a reconnect the refusal is logged and recovery goes on.
/// </summary>
[Collection(UsesRabbitMqBroker.Name)]
public sealed class BrokerRefusalTests(RabbitMqBrokerFixture fixture)
{
    private const string Password = "pw-never-in-a-message";

    // Far under ConnectTimeout (30 s), with room for a loaded machine.
    private static readonly TimeSpan Fast = TimeSpan.FromSeconds(10);

    private Uri As(string user, string password, string virtualHost = "") =>
        new($"amqp://{user}:{password}@127.0.0.1:{fixture.Broker.Port.ToString(CultureInfo.InvariantCulture)}/{virtualHost}");

    [Fact]
    public async Task A_wrong_password_fails_the_connect_at_once_naming_broker_user_and_mechanism_but_not_the_password()
    {
        var options = fixture.Options(configure: o => o.Uri = As("guest", Password));
        var clock = Stopwatch.StartNew();

        var refused = await Assert.ThrowsAsync<BrokerRefusedException>(() => RabbitMqConnection.ConnectAsync(options).Within());

        Assert.True(clock.Elapsed < Fast, $"refused after {clock.Elapsed}");
        Assert.Equal(BrokerRefusal.Login, refused.Refusal);
        Assert.Equal(("guest", RabbitMqOptions.PlainAuthMechanism), (refused.UserName, refused.Mechanism));
        Assert.Contains($"RabbitMQ at 127.0.0.1:{fixture.Broker.Port.ToString(CultureInfo.InvariantCulture)}/ refused the login of user 'guest'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("RabbitMq:Password", refused.Message, StringComparison.Ordinal);
        Assert.Contains("ACCESS_REFUSED", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_virtual_host_the_user_may_not_use_fails_the_connect_at_once_naming_it()
    {
        var vhost = "closed-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Broker.CtlAsync(["add_vhost", vhost]);
        var options = fixture.Options(configure: o => o.Uri = As("guest", "guest", vhost));
        var clock = Stopwatch.StartNew();

        var refused = await Assert.ThrowsAsync<BrokerRefusedException>(() => RabbitMqConnection.ConnectAsync(options).Within());

        Assert.True(clock.Elapsed < Fast, $"refused after {clock.Elapsed}");
        Assert.Equal(BrokerRefusal.VirtualHost, refused.Refusal);
        Assert.Contains($"refused user 'guest' the virtual host '{vhost}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"rabbitmqctl set_permissions -p '{vhost}' 'guest'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("NOT_ALLOWED", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_changed_under_a_running_connection_is_logged_as_refused_on_reconnect_and_recovery_goes_on_until_it_is_restored()
    {
        var user = "rotated-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Broker.AddUserAsync(user, Password);
        using var logs = new CapturingLoggerFactory();
        await using var connection = await RabbitMqConnection.ConnectAsync(fixture.Options(configure: o => o.Uri = As(user, Password)), logs).Within();

        await fixture.Broker.CtlAsync(["change_password", user, "rotated-elsewhere"]);
        await fixture.Broker.CtlAsync(["close_all_user_connections", user, "test: credentials rotated"]);

        await Bounded.UntilAsync(() => logs.Entries.Any(e => e.Level == LogLevel.Error && e.Exception is BrokerRefusedException { Refusal: BrokerRefusal.Login }),
            "the reconnect's refusal logged as an error");
        var logged = logs.Entries.First(e => e.Level == LogLevel.Error);
        Assert.Contains($"refused the login of user '{user}'", logged.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, logged.Message, StringComparison.Ordinal);
        Assert.False(connection.IsOpen);

        await fixture.Broker.CtlAsync(["change_password", user, Password]);

        await Bounded.UntilAsync(() => connection.Recoveries == 1 && connection.IsOpen, "the connection recovered once the password is back");
    }
}
