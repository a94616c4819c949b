using CrossMargin.Persistence.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CrossMargin.Persistence.Tests.Actors;

/// <summary>The persistent actor spec on PostgreSQL (the run's private server, this class's own database).</summary>
[Collection(UsesPostgresServer.Name)]
public sealed class PostgresPersistentActorTests(PostgresServerFixture fixture, ITestOutputHelper output) : PersistentActorSpec(output)
{
    private readonly PostgresBackend _backend = new(fixture, "persistent_actor_spec");

    protected override Task<StoreUnderTest> OpenStoreAsync() => _backend.OpenAsync(TimeProvider.System);
}
