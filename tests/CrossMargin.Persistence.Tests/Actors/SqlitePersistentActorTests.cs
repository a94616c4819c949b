using CrossMargin.Persistence.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CrossMargin.Persistence.Tests.Actors;

/// <summary>The persistent actor spec on the embedded SQLite store (a fresh file per test).</summary>
public sealed class SqlitePersistentActorTests(ITestOutputHelper output) : PersistentActorSpec(output)
{
    private readonly SqliteBackend _backend = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _backend.DeleteFiles();
    }

    protected override Task<StoreUnderTest> OpenStoreAsync() => _backend.OpenAsync(TimeProvider.System);
}
