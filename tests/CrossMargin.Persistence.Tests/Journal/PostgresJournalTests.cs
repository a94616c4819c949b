using CrossMargin.Persistence.Tests.Infrastructure;

namespace CrossMargin.Persistence.Tests.Journal;

/// <summary>The journal spec on PostgreSQL (the run's private server, this class's own database).</summary>
[Collection(UsesPostgresServer.Name)]
public sealed class PostgresJournalTests(PostgresServerFixture fixture) : JournalSpec
{
    private readonly PostgresBackend _backend = new(fixture, "journal_spec");

    protected override Task<StoreUnderTest> OpenAsync(TimeProvider time) => _backend.OpenAsync(time);

    protected override Task<IReadOnlyList<int>> SchemaVersionsAsync() => _backend.SchemaVersionsAsync();

    protected override int ExpectedMigrations => 5;
}
