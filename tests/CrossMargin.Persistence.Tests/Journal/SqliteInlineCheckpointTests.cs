using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Sqlite;
using CrossMargin.Persistence.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Persistence.Tests.Journal;

/// <summary>
/// The checkpoint a commit runs on the write connection when the WAL has passed the inline threshold: the hard limit with
/// the background checkpointer (which does not run here: its interval is a minute), <c>CheckpointPages</c> without it.
/// The faults are SQLite's own calls on the write connection's handle of the database file made to fail
/// (<see cref="SqliteFileFaults"/>), so these run SQLite's real checkpoint.
/// </summary>
public sealed class SqliteInlineCheckpointTests : IAsyncLifetime
{
    private const int EventsPerWrite = 16;
    private static readonly SerializedPayload Kilobyte = new("kb", 1, new byte[1024]);

    private readonly SqliteBackend _backend = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _backend.DeleteFiles();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failed_fsync_in_a_commits_inline_checkpoint_stops_the_process_and_no_write_is_acknowledged_after_it(bool backgroundCheckpoint)
    {
        // After a failed fsync the kernel may have marked the pages it could not write clean, so a later fsync succeeds
        // without them; pages an earlier pass copied and counted as checkpointed (one stopped short by a reader makes no
        // fsync) may be among them, and once a later pass reaches the WAL's end the next transaction restarts the WAL over
        // their frames. SQLite's own auto-checkpoint ignores the checkpoint's result, so that COMMIT returned OK.
        await using var store = await OpenAsync(backgroundCheckpoint);
        var stops = new List<Exception>();
        store.StopProcess = (_, e) => stops.Add(e);
        using var faults = SqliteFileFaults.On(store.WriteConnection);
        for (var i = 0; i < 4; i++)
        {
            Assert.Null(await TryWriteMegabyteAsync(store, "before"));
        }

        var syncsBefore = faults.Syncs;
        faults.FailSyncs(1);

        // The WAL holds about 270 frames a MiB: the first or the second commit from here checkpoints.
        var outcomes = new List<Exception?>();
        for (var i = 0; i < 4 && faults.SyncsFailed == 0; i++)
        {
            outcomes.Add(await TryWriteMegabyteAsync(store, "during"));
        }

        var after = await TryWriteMegabyteAsync(store, "after");

        Assert.True(syncsBefore > 0, "no inline checkpoint fsynced the database file before the fault: this test would see nothing");
        Assert.Equal(1, faults.SyncsFailed);
        Assert.Equal(SqliteFileFaults.SqliteIoErrorFsync, Assert.IsType<SqliteException>(Assert.Single(stops)).SqliteExtendedErrorCode);
        Assert.Equal(SqliteFileFaults.SqliteIoErrorFsync, Assert.IsType<SqliteException>(outcomes[^1]).SqliteExtendedErrorCode);
        Assert.NotNull(after);
    }

    [Fact]
    public async Task Another_error_of_an_inline_checkpoint_leaves_the_commit_acknowledged_and_the_next_commit_checkpoints()
    {
        // A failed pwrite is reported when made and marks nothing: the frames stay uncounted and a later pass copies them
        // again. So only the fsync stops the process.
        await using var store = await OpenAsync(backgroundCheckpoint: false);
        var stops = new List<Exception>();
        store.StopProcess = (_, e) => stops.Add(e);
        using var faults = SqliteFileFaults.On(store.WriteConnection);
        faults.FailWrites(1);

        for (var i = 0; i < 12; i++)
        {
            Assert.Null(await TryWriteMegabyteAsync(store, "a"));
        }

        Assert.Equal(1, faults.WritesFailed);
        Assert.Empty(stops);
        Assert.True(faults.Syncs >= 10, $"{faults.Syncs} checkpoints reached the database fsync over 12 commits past the threshold");
        Assert.True(WalBytes() < 4L * 1024 * 1024, $"the WAL holds {WalBytes():N0} bytes with a 100-page threshold");
    }

    [Fact]
    public async Task Without_the_background_checkpointer_commits_keep_the_WAL_at_the_checkpoint_threshold()
    {
        await using var store = await OpenAsync(backgroundCheckpoint: false, checkpointPages: 500);
        for (var i = 0; i < 12; i++)
        {
            Assert.Null(await TryWriteMegabyteAsync(store, "a"));
        }

        // 500 pages (2 MiB) plus the commit that crossed it; far below the 12 MiB written.
        Assert.True(WalBytes() < 4L * 1024 * 1024, $"the WAL holds {WalBytes():N0} bytes with a 500-page threshold");
    }

    [Fact]
    public async Task Snapshot_writes_past_the_hard_limit_checkpoint_too()
    {
        await using var store = await OpenAsync(backgroundCheckpoint: true);
        var megabyte = new SerializedPayload("mb", 1, new byte[1024 * 1024]);
        for (var i = 0; i < 12; i++)
        {
            await store.SnapshotStore.SaveAsync(Events.NewPersistenceId("snap"), 1, megabyte).Within();
        }

        Assert.True(WalBytes() < 4L * 1024 * 1024, $"the WAL holds {WalBytes():N0} bytes with a 500-page hard limit");
    }

    private Task<SqlitePersistence> OpenAsync(bool backgroundCheckpoint, int checkpointPages = 100)
    {
        var options = _backend.Options;
        options.BackgroundCheckpoint = backgroundCheckpoint;
        options.CheckpointPages = checkpointPages;
        options.WalHardLimitPages = 500;
        options.CheckpointInterval = TimeSpan.FromMinutes(1);
        return SqlitePersistence.OpenAsync(options, TimeProvider.System).Within();
    }

    /// <summary>One transaction of about 1 MiB (64 writes of 16 events of 1 KiB); the batch's error or the first write's, null when all were acknowledged.</summary>
    private static async Task<Exception?> TryWriteMegabyteAsync(SqlitePersistence store, string prefix)
    {
        var writes = Enumerable.Range(0, 64)
            .Select(_ => new AtomicWrite($"{prefix}-{Guid.NewGuid():N}", 1, "w", Enumerable.Range(0, EventsPerWrite).Select(_ => new EventData(Kilobyte, [])).ToArray()))
            .ToArray();
        try
        {
            var results = await store.Journal.WriteMessagesAsync(writes).Within();
            return results.FirstOrDefault(r => r is not null);
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            return e;
        }
    }

    private long WalBytes() => new FileInfo(_backend.DatabasePath + "-wal").Length;
}
