using System.Globalization;
using CrossMargin.Testing.Postgres;
using CrossMargin.Testing.RabbitMq;
using Xunit;

namespace CrossMargin.Testing.Cluster;

/// <summary>
/// One private PostgreSQL server and one private RabbitMQ broker for cluster tests, started once and removed at the
/// end. Fails, never skips, when the server binaries are missing (test.sh installs them).
/// </summary>
public sealed class ClusterServers : IAsyncLifetime
{
    /// <summary>The common name of the TLS broker's client certificate, a RabbitMQ user there.</summary>
    public const string TlsClientUser = "cm-node-cert";

    private readonly Lazy<Task<PrivateRabbitMqBroker>> _tlsRabbitMq =
        new(() => PrivateRabbitMqBroker.StartWithTlsAsync(TlsClientUser).WaitAsync(TimeSpan.FromSeconds(120)));
    private int _databases;

    /// <summary>The PostgreSQL server.</summary>
    public PrivatePostgresServer Postgres { get; private set; } = null!;

    /// <summary>The RabbitMQ broker.</summary>
    public PrivateRabbitMqBroker RabbitMq { get; private set; } = null!;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        Postgres = await PrivatePostgresServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));
        RabbitMq = await PrivateRabbitMqBroker.StartAsync().WaitAsync(TimeSpan.FromSeconds(120));
    }

    /// <summary>
    /// A second broker with a TLS listener that verifies client certificates and logs them in by common name
    /// (<see cref="TlsClientUser"/>), started on first use only, so runs without TLS tests pay nothing.
    /// </summary>
    public Task<PrivateRabbitMqBroker> TlsRabbitMqAsync() => _tlsRabbitMq.Value;

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_tlsRabbitMq is { IsValueCreated: true, Value.IsCompletedSuccessfully: true })
        {
            await (await _tlsRabbitMq.Value).DisposeAsync();
        }

        if (RabbitMq is not null)
        {
            await RabbitMq.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
    }

    /// <summary>A fresh database and a fresh broker prefix: one cluster per call.</summary>
    public async Task<(string ConnectionString, string Prefix)> NewClusterAsync()
    {
        var n = Interlocked.Increment(ref _databases);
        return (await Postgres.CreateDatabaseAsync($"cluster_{n}"), $"t{n}");
    }

    /// <summary>
    /// The settings of node <paramref name="name"/> in the cluster of <paramref name="connectionString"/> and
    /// <paramref name="prefix"/>: short leases and ticks so hand-offs happen within a test.
    /// </summary>
    public string[] NodeSettings(string name, string connectionString, string prefix, int shards)
    {
        var count = shards.ToString(CultureInfo.InvariantCulture);
        return
        [
            "--Node:Name=" + name,
            "--Cluster:Enabled=true",
            "--Cluster:NodeId=" + name,
            "--Cluster:PostgresConnectionString=" + connectionString,
            "--Cluster:ShardCount=" + count,
            "--Cluster:LeaseTtl=00:00:03",
            "--Cluster:TickInterval=00:00:00.250",
            "--Cluster:HeartbeatTimeout=00:00:01",
            "--RabbitMq:Uri=" + RabbitMq.AmqpUri,
            "--RabbitMq:Prefix=" + prefix,
            "--RabbitMq:ShardCount=" + count,
        ];
    }
}
