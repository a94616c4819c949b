using CrossMargin.Persistence.Parameters;
using CrossMargin.Persistence.Sqlite;
using CrossMargin.Persistence.Tests.Infrastructure;

namespace CrossMargin.Persistence.Tests.Parameters;

/// <summary>The parameter history spec on the embedded SQLite file (a fresh one per test).</summary>
public sealed class SqliteParameterHistoryTests : ParameterHistorySpec
{
    private readonly SqliteBackend _backend = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _backend.DeleteFiles();
    }

    protected override async Task<(IParameterHistory History, IAsyncDisposable Owner)> OpenStoreAsync()
    {
        var persistence = await SqlitePersistence.OpenAsync(_backend.Options, Time).Within();
        return (persistence.ParameterHistory, persistence);
    }
}
