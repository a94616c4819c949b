using CrossMargin.Testing.Postgres;
using CrossMargin.Testing.RabbitMq;

namespace CrossMargin.Node.Tests.Clustering;

/// <summary>
/// One private PostgreSQL server and one private RabbitMQ broker for the cluster tests of this project, started once
/// and removed at the end. Fails, never skips, when the server binaries are missing (test.sh installs them).
/// </summary>
public sealed class ClusterServers : IAsyncLifetime
{
    private int _databases;

    public PrivatePostgresServer Postgres { get; private set; } = null!;

    public PrivateRabbitMqBroker RabbitMq { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Postgres = await PrivatePostgresServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));
        RabbitMq = await PrivateRabbitMqBroker.StartAsync().WaitAsync(TimeSpan.FromSeconds(120));
    }

    public async Task DisposeAsync()
    {
        if (RabbitMq is not null)
        {
            await RabbitMq.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
    }

    /// <summary>A fresh database and a fresh broker prefix: one cluster per test.</summary>
    public async Task<(string ConnectionString, string Prefix)> NewClusterAsync()
    {
        var n = Interlocked.Increment(ref _databases);
        return (await Postgres.CreateDatabaseAsync($"cluster_{n}"), $"t{n}");
    }
}

[CollectionDefinition(Name)]
public sealed class UsesClusterServers : ICollectionFixture<ClusterServers>
{
    public const string Name = "Cluster servers";
}
