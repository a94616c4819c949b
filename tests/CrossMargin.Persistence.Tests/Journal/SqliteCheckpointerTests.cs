using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Sqlite;
using CrossMargin.Persistence.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace CrossMargin.Persistence.Tests.Journal;

/// <summary>
/// The background WAL checkpointer: commits leave checkpoints to it, it brings the WAL back to its start, the hard
/// limit bounds the WAL when it does not run, commits go on while it copies, and nothing committed is lost around it.
/// The WAL file's length is its high-water mark (SQLite reuses the file from its start after a checkpoint), so a
/// length that stops growing while writes go on shows the WAL restarting.
/// </summary>
public sealed class SqliteCheckpointerTests : IAsyncLifetime
{
    private const int PageBytes = 4096;
    private const int EventsPerWrite = 16;

    // SQLite's result codes: SQLITE_IOERR, and its extended SQLITE_IOERR_FSYNC and SQLITE_IOERR_READ.
    private const int SqliteIoError = 10;
    private const int SqliteIoErrorFsync = 10 | (4 << 8);
    private const int SqliteIoErrorRead = 10 | (1 << 8);
    private static readonly SerializedPayload Kilobyte = new("kb", 1, new byte[1024]);

    private readonly SqliteBackend _backend = new();
    private readonly SqliteBackend _image = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _backend.DeleteFiles();
        _image.DeleteFiles();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Commits_below_the_hard_limit_do_not_checkpoint()
    {
        // The thread never wakes within the test (1 min interval): only the commits could checkpoint.
        await using var store = await OpenAsync(checkpointPages: 100, hardLimitPages: 100_000);
        await WriteMegabytesAsync(store, "a", 8);

        // Inline, SQLite's auto-checkpoint would have restarted the WAL at 1,000 pages (4 MiB) at most.
        Assert.True(WalBytes() > 8L * 1024 * 1024, $"the WAL holds {WalBytes():N0} bytes after 8 MiB of events: a commit checkpointed");
    }

    [Fact]
    public async Task The_checkpointer_brings_the_WAL_back_to_its_start()
    {
        await using var store = await OpenAsync(checkpointPages: 100, hardLimitPages: 100_000);
        var checkpointer = store.Checkpointer!;
        await WriteMegabytesAsync(store, "a", 2);
        var framesFound = checkpointer.RunOnce();
        var highWater = WalBytes();

        // Ten times as much again, a checkpoint round after each MiB: the WAL restarts each time instead of growing.
        for (var i = 0; i < 10; i++)
        {
            await WriteMegabytesAsync(store, $"b{i}", 1);
            checkpointer.RunOnce();
        }

        Assert.True(framesFound * PageBytes >= 2L * 1024 * 1024, $"the first round found {framesFound} frames after 2 MiB");
        Assert.Equal(11, checkpointer.Checkpoints);
        Assert.True(WalBytes() <= highWater + (1024L * 1024), $"the WAL grew from {highWater:N0} to {WalBytes():N0} bytes over 10 MiB of checkpointed writes");
    }

    [Fact]
    public async Task The_hard_limit_bounds_the_WAL_when_the_checkpointer_does_not_run()
    {
        await using var store = await OpenAsync(checkpointPages: 100, hardLimitPages: 500);
        await WriteMegabytesAsync(store, "a", 12);

        // 500 pages (2 MiB) plus the commit that crossed it; far below the 12 MiB written.
        Assert.True(WalBytes() < 4L * 1024 * 1024, $"the WAL holds {WalBytes():N0} bytes with a 500-page hard limit");
        Assert.Equal(0, store.Checkpointer!.Checkpoints);
    }

    [Fact]
    public async Task Commits_go_on_while_a_checkpoint_round_copies()
    {
        await using var store = await OpenAsync(checkpointPages: 100, hardLimitPages: 100_000);
        var checkpointer = store.Checkpointer!;
        await WriteMegabytesAsync(store, "a", 2);
        var during = Events.NewPersistenceId("during");

        // On the checkpointing thread, mid-round: if a round blocked commits, this write could not complete and the round would hang.
        checkpointer.BeforeLockedPass = () => store.Journal.WriteMessagesAsync([Events.Write(during, 1, 3)]).Within().GetAwaiter().GetResult();
        var round = Task.Run(checkpointer.RunOnce);
        await round.Within();

        Assert.Equal(3, await store.Journal.ReadHighestSequenceNrAsync(during).Within());
        Assert.Equal(1, checkpointer.Checkpoints);
    }

    [Fact]
    public async Task Files_copied_mid_checkpoint_recover_every_committed_event()
    {
        var tag = Events.NewTag();
        await using var store = await OpenAsync(checkpointPages: 100, hardLimitPages: 100_000);
        var checkpointer = store.Checkpointer!;
        var ids = await WriteMegabytesAsync(store, "a", 2, tag);

        // After the bulk copy into the database file, before the WAL may restart: what a crash at that instant leaves.
        checkpointer.BeforeLockedPass = () =>
        {
            File.Copy(_backend.DatabasePath, _image.DatabasePath);
            File.Copy(_backend.DatabasePath + "-wal", _image.DatabasePath + "-wal");
        };
        checkpointer.RunOnce();
        checkpointer.BeforeLockedPass = null;
        ids.AddRange(await WriteMegabytesAsync(store, "b", 1, tag));
        checkpointer.RunOnce();

        await using (var recovered = await SqlitePersistence.OpenAsync(_image.Options, TimeProvider.System).Within())
        {
            var tagged = await recovered.Journal.EventsByTag(tag).CollectAsync();
            Assert.Equal(ids.Count(id => id.StartsWith('a')) * EventsPerWrite, tagged.Count);
        }

        await store.DisposeAsync();
        await using var reopened = await SqlitePersistence.OpenAsync(_backend.Options, TimeProvider.System).Within();
        var all = await reopened.Journal.EventsByTag(tag).CollectAsync();
        Assert.Equal(ids.Count * EventsPerWrite, all.Count);
        Assert.Equal(Enumerable.Range(0, all.Count).Select(i => all[0].Offset + i), all.Select(e => e.Offset));
    }

    [Fact]
    public async Task The_bulk_is_fsynced_while_commits_go_on_and_the_last_pages_before_any_commit_may_restart_the_WAL()
    {
        await using var store = await OpenAsync(checkpointPages: 100, hardLimitPages: 100_000);
        var checkpointer = store.Checkpointer!;
        await WriteMegabytesAsync(store, "a", 2);
        var syncs = RecordWhetherCommitsGoOnAtEachDatabaseSync(store);

        checkpointer.RunOnce();
        checkpointer.BeforeDatabaseSync = null;

        // First the bulk passes' pages, with commits going on. Then the locked pass's own: its copy marks every frame
        // checkpointed, so a commit then would restart the WAL over frames whose pages are not yet on disk; it waits.
        Assert.Equal([true, false], syncs.Outcomes);
        Assert.Equal(1, checkpointer.Checkpoints);
        await syncs.AllCommittedAsync();

        // Both are timed, the locked pass in parts (the probe's wait is inside the lock but in none of them).
        var pass = checkpointer.LongestLockedPass;
        Assert.True(checkpointer.LongestPreSync > TimeSpan.Zero);
        Assert.True(pass.DatabaseSync > TimeSpan.Zero && pass.Copy > TimeSpan.Zero, $"parts not timed: {pass}");
        Assert.True(pass.WalSync + pass.Copy + pass.DatabaseSync + TimeSpan.FromSeconds(4) < pass.Held, $"the time held does not cover the parts and the probe's wait: {pass}");
    }

    [Fact]
    public async Task A_failed_fsync_of_the_bulk_stops_the_process_rather_than_let_a_later_round_restart_the_WAL()
    {
        // After a failed fsync the kernel may mark the pages it could not write clean, so the next fsync succeeds without
        // them, and a later round's locked pass would let the WAL restart over frames whose pages never reached the disk:
        // the same loss a failed fsync in the locked pass stops the process for.
        await using var store = await OpenAsync(checkpointPages: 100, hardLimitPages: 100_000);
        var checkpointer = store.Checkpointer!;
        await WriteMegabytesAsync(store, "a", 2);
        var stops = new List<Exception>();
        checkpointer.StopProcess = (_, e) => stops.Add(e);
        checkpointer.SyncDatabaseFile = _ => throw new SqliteException("fsync of the database file failed", 10);

        checkpointer.RunOnce();
        checkpointer.SyncDatabaseFile = _ => { };
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => store.Journal.WriteMessagesAsync([Events.Write(Events.NewPersistenceId("b"), 1, 1)]).Within());
        checkpointer.RunOnce();

        // The "a" frames are still past the threshold: a round allowed to run would restart the WAL over them.
        Assert.Contains("fsync", Assert.Single(stops).Message, StringComparison.Ordinal);
        Assert.Contains("no writes after a failed fsync", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, checkpointer.Checkpoints);
    }

    [Fact]
    public async Task A_failed_fsync_inside_SQLites_own_passive_checkpoint_stops_the_process_rather_than_retry()
    {
        // SQLite's PASSIVE pass fsyncs the WAL before it copies and the database file when it reaches the WAL's end; a
        // failure of either comes back as SQLITE_IOERR with the extended code SQLITE_IOERR_FSYNC (seen with an fsync made to
        // fail under the same library: benchmarks README, session 34). The pages earlier passes copied without an fsync
        // may then be marked clean unwritten, and a later pass's fsync would succeed without them.
        await using var store = await OpenAsync(checkpointPages: 100, hardLimitPages: 100_000);
        var checkpointer = store.Checkpointer!;
        await WriteMegabytesAsync(store, "a", 1);
        var stops = new List<Exception>();
        checkpointer.StopProcess = (_, e) => stops.Add(e);
        var sqlite = checkpointer.PassiveCheckpoint;
        checkpointer.PassiveCheckpoint = _ => new SqliteCheckpointResult(SqliteIoError, SqliteIoErrorFsync, -1, -1);

        Assert.Throws<SqliteException>(() => checkpointer.RunOnce());
        checkpointer.PassiveCheckpoint = sqlite;
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => store.Journal.WriteMessagesAsync([Events.Write(Events.NewPersistenceId("b"), 1, 1)]).Within());
        checkpointer.RunOnce();

        Assert.Equal(SqliteIoErrorFsync, Assert.IsType<SqliteException>(Assert.Single(stops)).SqliteExtendedErrorCode);
        Assert.Contains("no writes after a failed fsync", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, checkpointer.Checkpoints);
    }

    [Fact]
    public async Task Another_error_of_SQLites_passive_checkpoint_is_left_to_the_next_round()
    {
        await using var store = await OpenAsync(checkpointPages: 100, hardLimitPages: 100_000);
        var checkpointer = store.Checkpointer!;
        await WriteMegabytesAsync(store, "a", 1);
        var stops = new List<Exception>();
        checkpointer.StopProcess = (_, e) => stops.Add(e);
        var sqlite = checkpointer.PassiveCheckpoint;
        checkpointer.PassiveCheckpoint = _ => new SqliteCheckpointResult(SqliteIoError, SqliteIoErrorRead, -1, -1);

        Assert.Throws<SqliteException>(() => checkpointer.RunOnce());
        checkpointer.PassiveCheckpoint = sqlite;
        checkpointer.RunOnce();

        Assert.Empty(stops);
        Assert.Equal(1, checkpointer.Checkpoints);
    }

    [Fact]
    public async Task What_is_committed_during_the_bulk_fsync_is_copied_before_the_lock_is_taken()
    {
        await using var store = await OpenAsync(checkpointPages: 100, hardLimitPages: 100_000);
        var checkpointer = store.Checkpointer!;
        await WriteMegabytesAsync(store, "a", 2);

        // 2 MiB committed while the bulk's pages are written out: over 500 frames, twice what a locked pass may copy.
        checkpointer.BeforeDatabaseSync = () =>
        {
            checkpointer.BeforeDatabaseSync = null;
            WriteMegabytesAsync(store, "during", 2).GetAwaiter().GetResult();
        };
        checkpointer.RunOnce();

        Assert.Equal(1, checkpointer.Checkpoints);
        Assert.True(checkpointer.LongestLockedPass.Frames <= 256, $"the locked pass: {checkpointer.LongestLockedPass}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_locked_pass_fsyncs_the_WAL_only_where_the_commits_did_not(bool synchronousFull)
    {
        await using var store = await OpenAsync(checkpointPages: 100, hardLimitPages: 100_000, synchronousFull);
        var checkpointer = store.Checkpointer!;
        await WriteMegabytesAsync(store, "a", 2);

        checkpointer.RunOnce();

        // At FULL each commit fsynced its frames before it returned; at NORMAL none did, and the copy must not precede it.
        Assert.Equal(1, checkpointer.Checkpoints);
        Assert.Equal(!synchronousFull, checkpointer.LongestLockedPass.WalSync > TimeSpan.Zero);
    }

    [Fact]
    public async Task Files_copied_at_each_database_fsync_of_a_checkpoint_recover_every_committed_event()
    {
        var tag = Events.NewTag();
        await using var store = await OpenAsync(checkpointPages: 100, hardLimitPages: 100_000);
        var checkpointer = store.Checkpointer!;
        var ids = await WriteMegabytesAsync(store, "a", 2, tag);
        var images = new List<SqliteBackend>();

        // What a crash leaves before the bulk's fsync (the database file half written) and before the locked one (every
        // frame copied and marked so, the WAL not yet restarted).
        checkpointer.BeforeDatabaseSync = () =>
        {
            var image = new SqliteBackend();
            images.Add(image);
            File.Copy(_backend.DatabasePath, image.DatabasePath);
            File.Copy(_backend.DatabasePath + "-wal", image.DatabasePath + "-wal");
        };
        try
        {
            checkpointer.RunOnce();
            checkpointer.BeforeDatabaseSync = null;

            Assert.Equal(2, images.Count);
            foreach (var image in images)
            {
                await using var recovered = await SqlitePersistence.OpenAsync(image.Options, TimeProvider.System).Within();
                var tagged = await recovered.Journal.EventsByTag(tag).CollectAsync();
                Assert.Equal(ids.Count * EventsPerWrite, tagged.Count);
            }
        }
        finally
        {
            images.ForEach(image => image.DeleteFiles());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_unlocked_pass_starts_the_write_out_of_the_pages_it_copied_unless_told_not_to(bool earlyWriteOut)
    {
        // No round reaches the threshold: only the pass every interval runs. A reader's snapshot keeps it from the WAL's
        // end, as a writer committing beside it does in service, so SQLite does not fsync the database file after it.
        await using var store = await OpenAsync(checkpointPages: 100_000, hardLimitPages: 200_000, earlyWriteOut: earlyWriteOut);
        var checkpointer = store.Checkpointer!;
        await WriteMegabytesAsync(store, "a", 2);
        using (HoldSnapshot())
        {
            await WriteMegabytesAsync(store, "b", 1);

            checkpointer.RunOnce();
            var afterCopy = checkpointer.DirtyDatabasePages();
            checkpointer.RunOnce();

            // The dirty pages are read with cachestat (Linux 6.5+); without it this test cannot see what it pins.
            Assert.True(afterCopy is not null, "this kernel has no cachestat (Linux 6.5+), so the database file's dirty pages cannot be read");

            // Without the start, the kernel would leave the copied pages dirty for up to 30 s (dirty_expire_centisecs)
            // and the next fsync would write them all at once (as it still does when told to); a pass that copied nothing
            // starts nothing.
            Assert.Equal(earlyWriteOut, afterCopy == 0);
            Assert.Equal(earlyWriteOut ? 1 : 0, checkpointer.WriteBackStarts);
        }
    }

    [Fact]
    public async Task The_fsync_before_the_locked_pass_finds_no_page_whose_write_out_has_not_started()
    {
        await using var store = await OpenAsync(checkpointPages: 100, hardLimitPages: 100_000);
        var checkpointer = store.Checkpointer!;
        await WriteMegabytesAsync(store, "a", 2);
        var snapshot = HoldSnapshot();
        await WriteMegabytesAsync(store, "b", 1);

        // The bulk passes stop at the reader's snapshot (no fsync of SQLite's own); it ends before the locked pass.
        checkpointer.BeforeDatabaseSync = () =>
        {
            checkpointer.BeforeDatabaseSync = null;
            snapshot.Dispose();
        };
        checkpointer.RunOnce();

        Assert.Equal(1, checkpointer.Checkpoints);
        Assert.Equal(0, checkpointer.MostDirtyPagesAtPreSync);
        Assert.True(checkpointer.WriteBackStarts >= 1, $"write-out started {checkpointer.WriteBackStarts} times");
    }

    [Fact]
    public void The_hard_limit_must_exceed_the_checkpoint_threshold()
    {
        var options = new SqlitePersistenceOptions { DataDirectory = _backend.DataDirectory, CheckpointPages = 4000, WalHardLimitPages = 4000 };

        var result = new SqlitePersistenceOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("WalHardLimitPages (4000) must exceed CheckpointPages (4000)", result.FailureMessage, StringComparison.Ordinal);
    }

    /// <summary>
    /// At each database fsync the checkpointer makes, starts a commit and records whether it completed within a few
    /// seconds (commits go on) or not (the checkpointer holds the write lock; the commit completes after the round).
    /// </summary>
    private static SyncProbe RecordWhetherCommitsGoOnAtEachDatabaseSync(SqlitePersistence store)
    {
        var probe = new SyncProbe();
        store.Checkpointer!.BeforeDatabaseSync = () =>
        {
            var write = store.Journal.WriteMessagesAsync([Events.Write(Events.NewPersistenceId("probe"), 1, 1)]);
            probe.Writes.Add(write);
            probe.Outcomes.Add(write.Wait(TimeSpan.FromSeconds(5)));
        };
        return probe;
    }

    /// <summary>A reader's open snapshot of the journal as committed now: no checkpoint copies frames committed after it.</summary>
    private SqliteConnection HoldSnapshot()
    {
        var reader = new SqliteConnection($"Data Source={_backend.DatabasePath};Pooling=False");
        reader.Open();
        using var begin = reader.CreateCommand();
        begin.CommandText = "BEGIN; SELECT count(*) FROM sqlite_master;";
        begin.ExecuteScalar();
        return reader;
    }

    private Task<SqlitePersistence> OpenAsync(int checkpointPages, int hardLimitPages, bool synchronousFull = true, bool earlyWriteOut = true)
    {
        var options = _backend.Options;
        options.EarlyWriteOut = earlyWriteOut;
        options.SynchronousFull = synchronousFull;
        options.CheckpointPages = checkpointPages;
        options.WalHardLimitPages = hardLimitPages;
        options.CheckpointInterval = TimeSpan.FromMinutes(1);
        return SqlitePersistence.OpenAsync(options, TimeProvider.System).Within();
    }

    /// <summary>Writes about <paramref name="megabytes"/> MiB of 1 KiB events, 64 writes of 16 events per transaction; returns the persistence ids written.</summary>
    private static async Task<List<string>> WriteMegabytesAsync(SqlitePersistence store, string prefix, int megabytes, string? tag = null)
    {
        var ids = new List<string>();
        string[] tags = tag is null ? [] : [tag];
        for (var batch = 0; batch < megabytes; batch++)
        {
            var writes = Enumerable.Range(0, 64).Select(_ =>
            {
                var id = $"{prefix}-{Guid.NewGuid():N}";
                ids.Add(id);
                return new AtomicWrite(id, 1, "w", Enumerable.Range(0, EventsPerWrite).Select(_ => new EventData(Kilobyte, tags)).ToArray());
            }).ToArray();
            var results = await store.Journal.WriteMessagesAsync(writes).Within();
            Assert.All(results, Assert.Null);
        }

        return ids;
    }

    private long WalBytes() => new FileInfo(_backend.DatabasePath + "-wal").Length;

    private sealed class SyncProbe
    {
        public List<bool> Outcomes { get; } = [];

        public List<Task<IReadOnlyList<Exception?>>> Writes { get; } = [];

        public async Task AllCommittedAsync()
        {
            foreach (var write in Writes)
            {
                Assert.All(await write.Within(), Assert.Null);
            }
        }
    }
}
