using CrossMargin.Persistence.Tests.Infrastructure;

namespace CrossMargin.Persistence.Tests.Snapshots;

/// <summary>The snapshot store spec on SQLite.</summary>
public sealed class SqliteSnapshotStoreTests : SnapshotStoreSpec
{
    private readonly SqliteBackend _backend = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _backend.DeleteFiles();
    }

    protected override Task<StoreUnderTest> OpenAsync(TimeProvider time) => _backend.OpenAsync(time);
}
