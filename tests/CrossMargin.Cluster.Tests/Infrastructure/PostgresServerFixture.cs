using CrossMargin.Testing.Postgres;

namespace CrossMargin.Cluster.Tests.Infrastructure;

/// <summary>
/// One private PostgreSQL server for the cluster tests (started once, stopped and deleted at the end); every test
/// gets its own database. Fails, never skips, when the server binaries are missing.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    private PrivatePostgresServer? _server;
    private int _databases;

    public PrivatePostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture has not started.");

    public async Task InitializeAsync() => _server = await PrivatePostgresServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public Task<string> NewDatabaseAsync() => Server.CreateDatabaseAsync($"cluster_{Interlocked.Increment(ref _databases)}");
}
