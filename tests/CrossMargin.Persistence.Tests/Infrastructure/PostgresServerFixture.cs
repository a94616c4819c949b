using System.Collections.Concurrent;
using CrossMargin.Testing.Postgres;

namespace CrossMargin.Persistence.Tests.Infrastructure;

/// <summary>
/// One private PostgreSQL server for the whole test run (started on first use by the collection, stopped and
/// deleted at the end); each test class gets its own database. Fails, never skips, when the binaries are missing.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _databases = new(StringComparer.Ordinal);
    private PrivatePostgresServer? _server;

    public PrivatePostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture has not started.");

    public async Task InitializeAsync() => _server = await PrivatePostgresServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>The connection string of the database named <paramref name="name"/>, created on first request.</summary>
    public Task<string> DatabaseAsync(string name) =>
        _databases.GetOrAdd(name, n => new Lazy<Task<string>>(() => Server.CreateDatabaseAsync(n))).Value.Within();
}
