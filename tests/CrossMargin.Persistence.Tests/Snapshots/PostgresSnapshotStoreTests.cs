using CrossMargin.Persistence.Tests.Infrastructure;

namespace CrossMargin.Persistence.Tests.Snapshots;

/// <summary>The snapshot store spec on PostgreSQL (this class's own database).</summary>
[Collection(UsesPostgresServer.Name)]
public sealed class PostgresSnapshotStoreTests(PostgresServerFixture fixture) : SnapshotStoreSpec
{
    private readonly PostgresBackend _backend = new(fixture, "snapshot_spec");

    protected override Task<StoreUnderTest> OpenAsync(TimeProvider time) => _backend.OpenAsync(time);
}
