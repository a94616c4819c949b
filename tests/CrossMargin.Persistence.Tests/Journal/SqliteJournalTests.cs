using CrossMargin.Persistence.Tests.Infrastructure;

namespace CrossMargin.Persistence.Tests.Journal;

/// <summary>The journal spec on the embedded SQLite backend (a fresh file per test).</summary>
public sealed class SqliteJournalTests : JournalSpec
{
    private readonly SqliteBackend _backend = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _backend.DeleteFiles();
    }

    protected override Task<StoreUnderTest> OpenAsync(TimeProvider time) => _backend.OpenAsync(time);

    protected override Task<IReadOnlyList<int>> SchemaVersionsAsync() => _backend.SchemaVersionsAsync();
}
