using CrossMargin.Persistence.Parameters;
using CrossMargin.Persistence.Postgres;
using CrossMargin.Persistence.Tests.Infrastructure;

namespace CrossMargin.Persistence.Tests.Parameters;

/// <summary>The parameter history spec on PostgreSQL (the run's private server, this class's own database).</summary>
[Collection(UsesPostgresServer.Name)]
public sealed class PostgresParameterHistoryTests(PostgresServerFixture fixture) : ParameterHistorySpec
{
    protected override async Task<(IParameterHistory History, IAsyncDisposable Owner)> OpenStoreAsync()
    {
        var connectionString = await fixture.DatabaseAsync("parameter_history");
        var persistence = await PostgresPersistence.OpenAsync(new PostgresPersistenceOptions { ConnectionString = connectionString }, Time).Within();
        return (persistence.ParameterHistory, persistence);
    }
}
