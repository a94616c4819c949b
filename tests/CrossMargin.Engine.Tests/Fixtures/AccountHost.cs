using CrossMargin.Actors;
using CrossMargin.Engine.Accounts;
using CrossMargin.Engine.Prices;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Sqlite;
using CrossMargin.Risk.Tests.Fixtures;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Engine.Tests.Fixtures;

/// <summary>Account actors' surroundings for a test: a fresh SQLite journal in a temporary directory, the test market, the calculators.</summary>
public sealed class AccountHost : IAsyncDisposable
{
    private readonly string _directory;
    private readonly SqlitePersistence _persistence;
    private readonly BatchingJournalWriter _writer;

    private AccountHost(string directory, SqlitePersistence persistence, BatchingJournalWriter writer, PersistenceServices services)
    {
        _directory = directory;
        _persistence = persistence;
        _writer = writer;
        Services = services;
    }

    public PersistenceServices Services { get; }

    public LatestMarket Market { get; } = new(TestMarket.Build());

    public static async Task<AccountHost> OpenAsync(int snapshotEvery = 1000, bool deleteEventsOnSnapshot = false)
    {
        var directory = Directory.CreateTempSubdirectory("cm-accounts-").FullName;
        var persistence = await SqlitePersistence.OpenAsync(new SqlitePersistenceOptions { DataDirectory = directory }, TimeProvider.System);
        var writer = new BatchingJournalWriter(persistence.Journal, new JournalOptions(), TimeProvider.System);
        var services = new PersistenceServices(persistence.Journal, writer, persistence.SnapshotStore, AccountFixture.Registry, "test-node",
            new PersistenceOptions { SnapshotEvery = snapshotEvery, DeleteEventsOnSnapshot = deleteEventsOnSnapshot });
        return new AccountHost(directory, persistence, writer, services);
    }

    public AccountActorSettings Settings(IActorRef? breachReports = null) =>
        new(Services, AccountFixture.Models, Market, breachReports ?? ActorRefs.Nobody);

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _persistence.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is harmless.
        }
    }
}
