using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Sqlite;
using CrossMargin.Persistence.Tests.Infrastructure;

namespace CrossMargin.Persistence.Tests.Journal;

/// <summary>The journal spec on the embedded SQLite backend (a fresh file per test), plus SQLite's own crash case.</summary>
public sealed class SqliteJournalTests : JournalSpec
{
    private readonly SqliteBackend _backend = new();
    private readonly SqliteBackend _crashImage = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _backend.DeleteFiles();
        _crashImage.DeleteFiles();
    }

    [Fact]
    public async Task The_files_a_killed_writer_leaves_mid_transaction_recover_without_the_batch()
    {
        var tag = Events.NewTag();
        var (a, big) = (Events.NewPersistenceId("a"), Events.NewPersistenceId("big"));
        var smallCache = _backend.Options;
        smallCache.CacheSizeMebibytes = 1;
        await using var persistence = await SqlitePersistence.OpenAsync(smallCache, Time).Within();
        await persistence.Journal.WriteMessagesAsync([Events.Write(a, 1, 3, "w", tag)]).Within();

        // Larger than the 1 MiB page cache, so SQLite spills uncommitted pages into the WAL before COMMIT: the image then holds frames
        // of the unfinished transaction, exactly what kill -9 (or a power cut) at that instant leaves on disk.
        var payload = new SerializedPayload("big", 1, new byte[2048]);
        var batch = new AtomicWrite(big, 1, "w", Enumerable.Range(0, 4000).Select(_ => new EventData(payload, [tag])).ToArray());
        persistence.BeforeCommit = () =>
        {
            File.Copy(_backend.DatabasePath, _crashImage.DatabasePath);
            File.Copy(_backend.DatabasePath + "-wal", _crashImage.DatabasePath + "-wal");
        };
        await persistence.Journal.WriteMessagesAsync([batch]).Within();

        var walBytes = new FileInfo(_crashImage.DatabasePath + "-wal").Length;
        await using var recovered = await SqlitePersistence.OpenAsync(_crashImage.Options, Time).Within();
        var tagged = await recovered.Journal.EventsByTag(tag).CollectAsync();
        var highestOfBig = await recovered.Journal.ReadHighestSequenceNrAsync(big).Within();
        var retry = await recovered.Journal.WriteMessagesAsync([Events.Write(a, 4, 1, "w", tag), Events.Write(big, 1, 1, "w", tag)]).Within();
        var after = await recovered.Journal.EventsByTag(tag).CollectAsync();

        Assert.True(walBytes > 1_000_000, $"the WAL held only {walBytes} bytes: no uncommitted frames were on disk, so the image proves nothing");
        Assert.Equal([(a, 1L), (a, 2L), (a, 3L)], tagged.Select(e => (e.Event.PersistenceId, e.Event.SequenceNr)));
        Assert.Equal(0, highestOfBig);
        Assert.Equal([null, null], retry);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => after[0].Offset + i), after.Select(e => e.Offset));
    }

    [Fact]
    public async Task A_batch_that_fails_before_its_commit_leaves_the_same_writer_ready_for_the_next()
    {
        // The node keeps its write connection after a failed batch: the batch's transaction must be gone, or every later
        // BEGIN fails ("cannot start a transaction within a transaction") and the failed batch's rows ride on the next COMMIT.
        var tag = Events.NewTag();
        var (a, b) = (Events.NewPersistenceId("a"), Events.NewPersistenceId("b"));
        await using var persistence = await SqlitePersistence.OpenAsync(_backend.Options, Time).Within();
        await persistence.Journal.WriteMessagesAsync([Events.Write(a, 1, 1, "w", tag)]).Within();
        persistence.BeforeCommit = () =>
        {
            persistence.BeforeCommit = null;
            throw new IOException("Simulated failure after the inserts, before COMMIT.");
        };

        await Assert.ThrowsAsync<IOException>(() => persistence.Journal.WriteMessagesAsync([Events.Write(b, 1, 2, "w", tag)])).Within();
        var next = await persistence.Journal.WriteMessagesAsync([Events.Write(a, 2, 1, "w", tag)]).Within();
        var tagged = await persistence.Journal.EventsByTag(tag).CollectAsync();

        Assert.Equal([null], next);
        Assert.Equal([(a, 1L), (a, 2L)], tagged.Select(e => (e.Event.PersistenceId, e.Event.SequenceNr)));
        Assert.Equal(0, await persistence.Journal.ReadHighestSequenceNrAsync(b).Within());
    }

    protected override Task<StoreUnderTest> OpenAsync(TimeProvider time) => _backend.OpenAsync(time);

    protected override Task<IReadOnlyList<int>> SchemaVersionsAsync() => _backend.SchemaVersionsAsync();

    protected override int ExpectedMigrations => 3;
}
