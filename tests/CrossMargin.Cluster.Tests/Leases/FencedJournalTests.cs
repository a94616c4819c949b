using System.Text;
using CrossMargin.Cluster.Tests.Infrastructure;
using CrossMargin.Persistence;
using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Postgres;
using CrossMargin.Persistence.Sqlite;

namespace CrossMargin.Cluster.Tests.Leases;

[Collection(UsesPostgres.Name)]
public sealed class FencedJournalTests(PostgresServerFixture fixture)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    // A lease that expires while an append under it waits: long enough that the append checks it while it still lives
    // (300 ms did not always give a loaded machine that time), short enough not to slow the tests.
    private static readonly TimeSpan ShortTtl = TimeSpan.FromSeconds(1);

    private static AtomicWrite Write(string id, long from, WriteFence? fence) =>
        new(id, from, "test-writer", [new EventData(new SerializedPayload("test.event", 1, Encoding.UTF8.GetBytes($"{{\"n\":{from}}}")), [])]) { Fence = fence };

    private static async Task<PostgresPersistence> OpenJournalAsync(ClusterDatabase db) =>
        await PostgresPersistence.OpenAsync(new PostgresPersistenceOptions { ConnectionString = db.ConnectionString }, TimeProvider.System);

    private static async Task<long> HighestAsync(PostgresPersistence store, string id) => await store.Journal.ReadHighestSequenceNrAsync(id);

    [Fact]
    public async Task A_write_under_the_current_lease_is_appended()
    {
        await using var db = await ClusterDatabase.CreateAsync(fixture);
        await using var store = await OpenJournalAsync(db);
        var lease = await db.Leases.TryAcquireAsync("shard/accounts/1", "node-a", Ttl);

        var results = await store.Journal.WriteMessagesAsync([Write("account-x", 1, lease!.ToFence())]);

        Assert.Null(results[0]);
        Assert.Equal(1, await HighestAsync(store, "account-x"));
    }

    [Fact]
    public async Task A_node_that_lost_its_lease_to_another_cannot_append()
    {
        await using var db = await ClusterDatabase.CreateAsync(fixture);
        await using var store = await OpenJournalAsync(db);
        var stale = await db.Leases.TryAcquireAsync("shard/accounts/1", "node-a", Ttl);
        await db.ExpireAsync("shard/accounts/1");
        await db.Leases.TryAcquireAsync("shard/accounts/1", "node-b", Ttl);

        var results = await store.Journal.WriteMessagesAsync([Write("account-x", 1, stale!.ToFence())]);

        var fenced = Assert.IsType<JournalFencedException>(results[0]);
        Assert.Contains("node-b", fenced.Message, StringComparison.Ordinal);
        Assert.Equal(0, await HighestAsync(store, "account-x"));
    }

    [Fact]
    public async Task A_write_under_an_expired_or_released_lease_is_refused()
    {
        await using var db = await ClusterDatabase.CreateAsync(fixture);
        await using var store = await OpenJournalAsync(db);
        var one = await db.Leases.TryAcquireAsync("shard/accounts/1", "node-a", Ttl);
        var two = await db.Leases.TryAcquireAsync("shard/accounts/2", "node-a", Ttl);
        await db.ExpireAsync("shard/accounts/1");
        await db.Leases.ReleaseAsync(two!);

        var results = await store.Journal.WriteMessagesAsync([Write("account-x", 1, one!.ToFence()), Write("account-y", 1, two!.ToFence())]);

        Assert.Contains("expired", Assert.IsType<JournalFencedException>(results[0]).Message, StringComparison.Ordinal);
        Assert.Contains("released", Assert.IsType<JournalFencedException>(results[1]).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_fenced_off_writes_of_a_batch_fail_and_their_ids_leave_no_gap()
    {
        await using var db = await ClusterDatabase.CreateAsync(fixture);
        await using var store = await OpenJournalAsync(db);
        var held = await db.Leases.TryAcquireAsync("shard/accounts/1", "node-a", Ttl);
        var lost = await db.Leases.TryAcquireAsync("shard/accounts/2", "node-a", Ttl);
        await db.ExpireAsync("shard/accounts/2");

        var results = await store.Journal.WriteMessagesAsync(
        [
            Write("account-x", 1, held!.ToFence()),
            Write("account-y", 1, lost!.ToFence()),
            Write("account-z", 1, null),
            Write("account-y", 2, held.ToFence()),
        ]);

        Assert.Null(results[0]);
        Assert.IsType<JournalFencedException>(results[1]);
        Assert.Null(results[2]);
        Assert.IsType<JournalWriteException>(results[3]);
        long[] highest = [await HighestAsync(store, "account-x"), await HighestAsync(store, "account-y"), await HighestAsync(store, "account-z")];
        Assert.Equal([1L, 0L, 1L], highest);
    }

    [Fact]
    public async Task A_sequence_conflict_in_a_fenced_batch_rejects_only_that_id_and_its_later_writes()
    {
        await using var db = await ClusterDatabase.CreateAsync(fixture);
        await using var store = await OpenJournalAsync(db);
        var fence = (await db.Leases.TryAcquireAsync("shard/accounts/1", "node-a", Ttl))!.ToFence();
        Assert.Null((await store.Journal.WriteMessagesAsync([Write("account-x", 1, fence)]))[0]);

        var results = await store.Journal.WriteMessagesAsync(
        [
            Write("account-y", 1, fence),
            Write("account-x", 1, fence),
            Write("account-x", 2, fence),
            Write("account-z", 1, fence),
        ]);

        Assert.Null(results[0]);
        Assert.IsType<JournalSequenceConflictException>(results[1]);
        Assert.IsType<JournalWriteException>(results[2]);
        Assert.Null(results[3]);
        long[] highest = [await HighestAsync(store, "account-x"), await HighestAsync(store, "account-y"), await HighestAsync(store, "account-z")];
        Assert.Equal([1L, 1L, 1L], highest);
    }

    [Fact]
    public async Task A_fenced_write_into_a_range_deleted_after_a_snapshot_is_refused_as_a_conflict_and_only_for_its_id()
    {
        await using var db = await ClusterDatabase.CreateAsync(fixture);
        await using var store = await OpenJournalAsync(db);
        var fence = (await db.Leases.TryAcquireAsync("shard/accounts/1", "node-a", Ttl))!.ToFence();
        for (var seq = 1; seq <= 4; seq++)
        {
            Assert.Null((await store.Journal.WriteMessagesAsync([Write("account-x", seq, fence)]))[0]);
        }

        await store.Journal.DeleteMessagesToAsync("account-x", 3);

        var results = await store.Journal.WriteMessagesAsync([Write("account-y", 1, fence), Write("account-x", 2, fence)]);

        Assert.Null(results[0]);
        var conflict = Assert.IsType<JournalSequenceConflictException>(results[1]);
        Assert.Contains("deleted after a snapshot", conflict.InnerException!.Message, StringComparison.Ordinal);
        var remaining = await store.Journal.ReplayMessagesAsync("account-x").Select(e => e.SequenceNr).ToArrayAsync();
        Assert.Equal([4L], remaining);
        Assert.Equal(1, await HighestAsync(store, "account-y"));
    }

    [Fact]
    public async Task A_takeover_waits_for_an_append_in_progress_under_the_old_epoch()
    {
        await using var db = await ClusterDatabase.CreateAsync(fixture);
        await using var store = await OpenJournalAsync(db);
        var lease = await db.Leases.TryAcquireAsync("shard/accounts/1", "node-a", ShortTtl);
        var inTransaction = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var letCommit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.BeforeCommit = async _ =>
        {
            inTransaction.TrySetResult();
            await letCommit.Task;
        };

        var append = store.Journal.WriteMessagesAsync([Write("account-x", 1, lease!.ToFence())]);
        await inTransaction.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(await db.UntilExpiredAsync("shard/accounts/1"));   // but the append already holds its row
        var takeover = db.Leases.TryAcquireAsync("shard/accounts/1", "node-b", Ttl);
        await db.UntilWaitingOnLocksAsync(1);

        Assert.False(takeover.IsCompleted, "the takeover must wait for the append that checked the old epoch");
        letCommit.SetResult();
        Assert.Null((await append)[0]);
        Assert.Equal(2, (await takeover)!.Epoch);
        Assert.Equal(1, await HighestAsync(store, "account-x"));
    }

    [Fact]
    public async Task A_takeover_waits_for_a_one_round_trip_append_that_already_locked_the_lease()
    {
        await using var db = await ClusterDatabase.CreateAsync(fixture);
        await using var store = await OpenJournalAsync(db);
        var lease = await db.Leases.TryAcquireAsync("shard/accounts/1", "node-a", ShortTtl);

        // Another transaction holds the journal's ordering row: the append (no test hook, so its single-batch path) locks
        // the lease row, passes its check and then waits at its insert.
        await using var blocker = new Npgsql.NpgsqlConnection(db.ConnectionString);
        await blocker.OpenAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var lockOrdering = new Npgsql.NpgsqlCommand("SELECT value FROM event_ordering WHERE id = 1 FOR UPDATE", blocker, hold))
        {
            await lockOrdering.ExecuteScalarAsync();
        }

        var append = store.Journal.WriteMessagesAsync([Write("account-x", 1, lease!.ToFence())]);
        Assert.True(await db.UntilWaitingOnLocksAsync(1), "the append waits at its insert");
        Assert.True(await db.UntilExpiredAsync("shard/accounts/1"));
        var takeover = db.Leases.TryAcquireAsync("shard/accounts/1", "node-b", Ttl);
        await db.UntilWaitingOnLocksAsync(2);

        Assert.False(append.IsCompleted, "the append waits for the ordering row");
        Assert.False(takeover.IsCompleted, "the takeover must wait for the append that checked the old epoch");
        await hold.CommitAsync();
        Assert.Null((await append.WaitAsync(TimeSpan.FromSeconds(10)))[0]);
        Assert.Equal(2, (await takeover.WaitAsync(TimeSpan.FromSeconds(10)))!.Epoch);
        Assert.Equal(1, await HighestAsync(store, "account-x"));
    }

    [Fact]
    public async Task The_embedded_journal_refuses_fenced_writes_and_keeps_the_others()
    {
        var directory = Directory.CreateTempSubdirectory("cm-fence-");
        try
        {
            await using var store = await SqlitePersistence.OpenAsync(new SqlitePersistenceOptions { DataDirectory = directory.FullName }, TimeProvider.System);

            var results = await store.Journal.WriteMessagesAsync([Write("account-x", 1, new WriteFence("shard/accounts/1", "node-a", 1)), Write("account-y", 1, null)]);

            Assert.Contains("SQLite", Assert.IsType<JournalFencedException>(results[0]).Message, StringComparison.Ordinal);
            Assert.Null(results[1]);
            Assert.Equal(0, await store.Journal.ReadHighestSequenceNrAsync("account-x"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
