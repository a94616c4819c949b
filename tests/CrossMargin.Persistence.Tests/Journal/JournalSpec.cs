using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Tests.Infrastructure;

namespace CrossMargin.Persistence.Tests.Journal;

/// <summary>
/// The behaviour every journal backend must have. Each backend's test class derives from this and says only how
/// to open a store on it.
/// </summary>
public abstract class JournalSpec : IAsyncLifetime
{
    private readonly List<StoreUnderTest> _opened = [];

    protected ManualTimeProvider Time { get; } = new();

    protected StoreUnderTest Store { get; private set; } = null!;

    protected IJournal Journal => Store.Journal;

    public async Task InitializeAsync() => Store = await OpenStoreAsync();

    public virtual async Task DisposeAsync()
    {
        foreach (var store in _opened)
        {
            await store.DisposeAsync().AsTask().Within();
        }
    }

    [Fact]
    public async Task Appended_events_replay_in_sequence_order_with_manifest_version_tags_writer_and_timestamp()
    {
        var pid = Events.NewPersistenceId();
        var tag = Events.NewTag();
        var write = new AtomicWrite(pid, 1, "node-a/1", [
            new EventData(new SerializedPayload("account-opened", 2, new byte[] { 1, 2, 3 }), [tag, "audit"]),
            new EventData(new SerializedPayload("deposit", 1, new byte[] { 4 })),
        ]);

        var results = await Journal.WriteMessagesAsync([write]).Within();
        var replayed = await Journal.ReplayMessagesAsync(pid).CollectAsync();

        Assert.Equal([null], results);
        Assert.Equal([1L, 2L], replayed.Select(e => e.SequenceNr));
        Assert.All(replayed, e => Assert.Equal(pid, e.PersistenceId));
        Assert.All(replayed, e => Assert.Equal("node-a/1", e.WriterId));
        Assert.All(replayed, e => Assert.Equal(ManualTimeProvider.Start, e.Timestamp));
        Assert.Equal(new SerializedPayload("account-opened", 2, new byte[] { 1, 2, 3 }), replayed[0].Payload);
        Assert.Equal(new SerializedPayload("deposit", 1, new byte[] { 4 }), replayed[1].Payload);
        Assert.Equal([tag, "audit"], replayed[0].Tags);
        Assert.Empty(replayed[1].Tags);
        Assert.True(replayed[1].Ordering > replayed[0].Ordering);
    }

    [Fact]
    public async Task Replay_honours_from_to_and_max()
    {
        var pid = Events.NewPersistenceId();
        await Journal.WriteMessagesAsync([Events.Write(pid, 1, 10)]).Within();

        var middle = await Journal.ReplayMessagesAsync(pid, 3, 7).CollectAsync();
        var limited = await Journal.ReplayMessagesAsync(pid, 3, 7, max: 2).CollectAsync();
        var fromTheEnd = await Journal.ReplayMessagesAsync(pid, 11).CollectAsync();

        Assert.Equal([3L, 4L, 5L, 6L, 7L], middle.Select(e => e.SequenceNr));
        Assert.Equal([3L, 4L], limited.Select(e => e.SequenceNr));
        Assert.Empty(fromTheEnd);
        Assert.Equal(Events.Payload(pid, 5).Text(), middle[2].Payload.Text());
    }

    [Fact]
    public async Task Highest_sequence_number_is_zero_for_an_unknown_id_and_follows_appends()
    {
        var pid = Events.NewPersistenceId();

        var before = await Journal.ReadHighestSequenceNrAsync(pid).Within();
        await Journal.WriteMessagesAsync([Events.Write(pid, 1, 3)]).Within();
        await Journal.WriteMessagesAsync([Events.Write(pid, 4, 2)]).Within();

        Assert.Equal(0, before);
        Assert.Equal(5, await Journal.ReadHighestSequenceNrAsync(pid).Within());
    }

    [Fact]
    public async Task Second_writer_on_same_sequence_number_fails_without_interleaving()
    {
        var pid = Events.NewPersistenceId();
        await Journal.WriteMessagesAsync([Events.Write(pid, 1, 3, "first")]).Within();

        var results = await Journal.WriteMessagesAsync([Events.Write(pid, 3, 3, "second")]).Within();

        var conflict = Assert.IsType<JournalSequenceConflictException>(results[0]);
        Assert.Equal(pid, conflict.PersistenceId);
        Assert.Equal(3, conflict.SequenceNr);
        Assert.Equal("second", conflict.WriterId);
        Assert.Contains(pid, conflict.Message, StringComparison.Ordinal);
        Assert.Contains("sequence number 3", conflict.Message, StringComparison.Ordinal);
        var history = await Journal.ReplayMessagesAsync(pid).CollectAsync();
        Assert.Equal([1L, 2L, 3L], history.Select(e => e.SequenceNr));
        Assert.All(history, e => Assert.Equal("first", e.WriterId));
    }

    [Fact]
    public async Task A_conflict_in_a_batch_rejects_only_its_own_persistence_id()
    {
        var (a, b, c) = (Events.NewPersistenceId("a"), Events.NewPersistenceId("b"), Events.NewPersistenceId("c"));
        await Journal.WriteMessagesAsync([Events.Write(b, 1, 1, "owner")]).Within();

        var results = await Journal.WriteMessagesAsync([
            Events.Write(a, 1, 2),
            Events.Write(b, 1, 1, "intruder"),
            Events.Write(c, 1, 1),
            Events.Write(b, 2, 1, "intruder"),
        ]).Within();

        Assert.Null(results[0]);
        Assert.IsType<JournalSequenceConflictException>(results[1]);
        Assert.Null(results[2]);
        Assert.IsType<JournalWriteException>(results[3]);
        Assert.Equal(2, await Journal.ReadHighestSequenceNrAsync(a).Within());
        Assert.Equal(1, await Journal.ReadHighestSequenceNrAsync(b).Within());
        Assert.Equal(1, await Journal.ReadHighestSequenceNrAsync(c).Within());
        Assert.All(await Journal.ReplayMessagesAsync(b).CollectAsync(), e => Assert.Equal("owner", e.WriterId));
    }

    [Fact]
    public async Task Interleaved_histories_replay_each_in_sequence_order_from_any_point_and_after_a_deletion()
    {
        var pids = Enumerable.Range(0, 10).Select(i => Events.NewPersistenceId($"i{i}")).ToArray();
        for (var seq = 1; seq <= 8; seq++)
        {
            var round = seq;
            Assert.All(await Journal.WriteMessagesAsync(pids.Select(pid => Events.Write(pid, round)).ToArray()).Within(), Assert.Null);
        }

        var pid = pids[3];
        var whole = await Journal.ReplayMessagesAsync(pid).CollectAsync();
        var fromFive = await Journal.ReplayMessagesAsync(pid, 5).CollectAsync();
        var window = await Journal.ReplayMessagesAsync(pid, 2, 6, max: 3).CollectAsync();
        await Journal.DeleteMessagesToAsync(pid, 4).Within();
        var afterDelete = await Journal.ReplayMessagesAsync(pid).CollectAsync();
        var next = await Journal.WriteMessagesAsync([Events.Write(pid, 9)]).Within();
        var afterNext = await Journal.ReplayMessagesAsync(pid).CollectAsync();

        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L], whole.Select(e => e.SequenceNr));
        Assert.All(whole, e => Assert.Equal(Events.Payload(pid, e.SequenceNr).Text(), e.Payload.Text()));
        Assert.Equal([5L, 6L, 7L, 8L], fromFive.Select(e => e.SequenceNr));
        Assert.Equal([2L, 3L, 4L], window.Select(e => e.SequenceNr));
        Assert.Equal([5L, 6L, 7L, 8L], afterDelete.Select(e => e.SequenceNr));
        Assert.Equal([null], next);
        Assert.Equal([5L, 6L, 7L, 8L, 9L], afterNext.Select(e => e.SequenceNr));
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L], (await Journal.ReplayMessagesAsync(pids[4]).CollectAsync()).Select(e => e.SequenceNr));
    }

    [Fact]
    public async Task Replays_running_at_once_each_read_their_own_history_whole()
    {
        var pids = Enumerable.Range(0, 12).Select(i => Events.NewPersistenceId($"r{i}")).ToArray();
        for (var seq = 1; seq <= 6; seq++)
        {
            var round = seq;
            await Journal.WriteMessagesAsync(pids.Select(pid => Events.Write(pid, round)).ToArray()).Within();
        }

        // Each replay is held open part-way while the others run, so they overlap rather than take turns.
        var arrived = 0;
        var allHalfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var replays = await Task.WhenAll(pids.Select(pid => Task.Run(async () =>
        {
            var seen = new List<string>();
            await foreach (var e in Journal.ReplayMessagesAsync(pid))
            {
                seen.Add(e.Payload.Text());
                if (e.SequenceNr == 3)
                {
                    if (Interlocked.Increment(ref arrived) == pids.Length)
                    {
                        allHalfway.SetResult();
                    }

                    await allHalfway.Task.Within();
                }
            }

            return (pid, seen);
        }))).Within();

        Assert.All(replays, r => Assert.Equal(Enumerable.Range(1, 6).Select(seq => Events.Payload(r.pid, seq).Text()), r.seen));
    }

    [Fact]
    public async Task Deleting_events_hides_them_but_keeps_the_highest_sequence_number()
    {
        var pid = Events.NewPersistenceId();
        var tag = Events.NewTag();
        await Journal.WriteMessagesAsync([Events.Write(pid, 1, 5, "w", tag)]).Within();

        await Journal.DeleteMessagesToAsync(pid, 3).Within();
        var afterPartial = await Journal.ReplayMessagesAsync(pid).CollectAsync();
        var taggedAfterPartial = await Journal.EventsByTag(tag).CollectAsync();
        await Journal.DeleteMessagesToAsync(pid, long.MaxValue).Within();
        var afterAll = await Journal.ReplayMessagesAsync(pid).CollectAsync();
        var rewrite = await Journal.WriteMessagesAsync([Events.Write(pid, 5)]).Within();
        var next = await Journal.WriteMessagesAsync([Events.Write(pid, 6)]).Within();

        Assert.Equal([4L, 5L], afterPartial.Select(e => e.SequenceNr));
        Assert.Equal([4L, 5L], taggedAfterPartial.Select(e => e.Event.SequenceNr));
        Assert.Empty(afterAll);
        Assert.IsType<JournalSequenceConflictException>(rewrite[0]);
        Assert.Null(next[0]);
        Assert.Equal(6, await Journal.ReadHighestSequenceNrAsync(pid).Within());
        Assert.Equal([6L], (await Journal.ReplayMessagesAsync(pid).CollectAsync()).Select(e => e.SequenceNr));
    }

    [Fact]
    public async Task An_append_into_a_range_deleted_after_a_snapshot_is_refused_as_a_conflict_and_only_its_own_id_is_refused()
    {
        var (pid, other) = (Events.NewPersistenceId(), Events.NewPersistenceId("other"));
        await Journal.WriteMessagesAsync([Events.Write(pid, 1, 5, "owner")]).Within();
        await Journal.DeleteMessagesToAsync(pid, 3).Within();

        var stale = await Journal.WriteMessagesAsync([Events.Write(other, 1, 1), Events.Write(pid, 2, 1, "stale"), Events.Write(pid, 3, 1, "stale")]).Within();
        var next = await Journal.WriteMessagesAsync([Events.Write(pid, 6, 1, "owner")]).Within();

        Assert.Null(stale[0]);
        var conflict = Assert.IsType<JournalSequenceConflictException>(stale[1]);
        Assert.Equal(2, conflict.SequenceNr);
        Assert.Equal("stale", conflict.WriterId);
        Assert.IsType<JournalWriteException>(stale[2]);
        Assert.Null(next[0]);
        Assert.Equal([4L, 5L, 6L], (await Journal.ReplayMessagesAsync(pid).CollectAsync()).Select(e => e.SequenceNr));
        Assert.All(await Journal.ReplayMessagesAsync(pid).CollectAsync(), e => Assert.Equal("owner", e.WriterId));
        Assert.Equal(1, await Journal.ReadHighestSequenceNrAsync(other).Within());
    }

    [Fact]
    public async Task Events_by_tag_come_in_commit_order_after_the_given_offset()
    {
        var tag = Events.NewTag();
        var (a, b) = (Events.NewPersistenceId("a"), Events.NewPersistenceId("b"));
        await Journal.WriteMessagesAsync([Events.Write(a, 1, 2, "w", tag), Events.Write(b, 1, 1, "w")]).Within();
        await Journal.WriteMessagesAsync([Events.Write(b, 2, 1, "w", tag), Events.Write(a, 3, 1, "w", tag)]).Within();

        var all = await Journal.EventsByTag(tag).CollectAsync();
        var resumed = await Journal.EventsByTag(tag, all[1].Offset).CollectAsync();

        Assert.Equal([(a, 1L), (a, 2L), (b, 2L), (a, 3L)], all.Select(e => (e.Event.PersistenceId, e.Event.SequenceNr)));
        Assert.Equal(all.Select(e => e.Offset).Order(), all.Select(e => e.Offset));
        Assert.Equal(all.Select(e => e.Event.Ordering), all.Select(e => e.Offset));
        Assert.All(all, e => Assert.Equal(tag, e.Tag));
        Assert.Equal(all.Skip(2).Select(e => e.Offset), resumed.Select(e => e.Offset));
    }

    [Fact]
    public async Task Events_by_tag_page_through_more_events_than_one_query_returns()
    {
        var tag = Events.NewTag();
        var pid = Events.NewPersistenceId();
        await Journal.WriteMessagesAsync([Events.Write(pid, 1, 1200, "w", tag)]).Within();

        var all = await Journal.EventsByTag(tag).CollectAsync();

        Assert.Equal(Enumerable.Range(1, 1200).Select(i => (long)i), all.Select(e => e.Event.SequenceNr));
    }

    [Fact]
    public async Task Live_events_by_tag_deliver_concurrent_appends_without_gaps_or_reordering()
    {
        const int Actors = 20;
        const int AppendsEach = 25;
        var tag = Events.NewTag();
        using var cts = new CancellationTokenSource(Bounded.Timeout);
        var reader = Journal.EventsByTag(tag, 0, live: true, cts.Token).CollectAsync(Actors * AppendsEach);
        await using var writer = new BatchingJournalWriter(Journal, new JournalOptions { Writers = 3 }, TimeProvider.System);

        var pids = Enumerable.Range(0, Actors).Select(i => Events.NewPersistenceId($"live{i}")).ToArray();
        await Task.WhenAll(pids.Select(async pid =>
        {
            for (var seq = 1; seq <= AppendsEach; seq++)
            {
                await writer.AppendAsync(Events.Write(pid, seq, 1, "w", tag));
            }
        })).Within();
        var delivered = await reader.Within();

        Assert.Equal(Actors * AppendsEach, delivered.Count);
        Assert.Equal(delivered.Select(e => e.Offset).Order(), delivered.Select(e => e.Offset));
        Assert.Equal(delivered.Count, delivered.Select(e => e.Offset).Distinct().Count());
        Assert.All(delivered.GroupBy(e => e.Event.PersistenceId), g => Assert.Equal(Enumerable.Range(1, AppendsEach).Select(i => (long)i), g.Select(e => e.Event.SequenceNr)));
        Assert.True(writer.Batches < Actors * AppendsEach, $"{writer.Batches} batches for {Actors * AppendsEach} appends: no group commit happened");
    }

    [Fact]
    public async Task Concurrent_writers_on_one_id_exactly_one_wins_per_sequence_number()
    {
        const int Rounds = 15;
        var pid = Events.NewPersistenceId();
        var other = await OpenStoreAsync();
        var wins = new List<string>();

        for (var round = 0; round < Rounds; round++)
        {
            var from = (round * 3) + 1;
            var attempts = await Task.WhenAll(
                Task.Run(() => Journal.WriteMessagesAsync([Events.Write(pid, from, 3, "left")])),
                Task.Run(() => other.Journal.WriteMessagesAsync([Events.Write(pid, from, 3, "right")]))).Within();
            var winners = attempts.Select((r, i) => (r[0], i == 0 ? "left" : "right")).Where(x => x.Item1 is null).Select(x => x.Item2).ToArray();
            Assert.Single(winners);
            Assert.IsType<JournalSequenceConflictException>(attempts.Single(r => r[0] is not null)[0]);
            wins.Add(winners[0]);
        }

        var history = await Journal.ReplayMessagesAsync(pid).CollectAsync();
        Assert.Equal(Enumerable.Range(1, Rounds * 3).Select(i => (long)i), history.Select(e => e.SequenceNr));
        Assert.Equal(wins, history.Chunk(3).Select(c => Assert.Single(c.Select(e => e.WriterId).Distinct())));
    }

    [Fact]
    public async Task Crash_during_a_batch_leaves_no_partial_batch_no_gap_and_no_duplicate()
    {
        var tag = Events.NewTag();
        var (a, b, c) = (Events.NewPersistenceId("a"), Events.NewPersistenceId("b"), Events.NewPersistenceId("c"));
        await Journal.WriteMessagesAsync([Events.Write(a, 1, 2, "w", tag), Events.Write(b, 1, 1, "w", tag)]).Within();
        AtomicWrite[] second = [Events.Write(a, 3, 2, "w", tag), Events.Write(b, 2, 1, "w", tag), Events.Write(c, 1, 3, "w", tag)];

        await Store.CrashNextCommitAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => Journal.WriteMessagesAsync(second)).Within();
        var survivor = await OpenStoreAsync();
        var afterCrash = await survivor.Journal.EventsByTag(tag).CollectAsync();
        var highest = (await survivor.Journal.ReadHighestSequenceNrAsync(a).Within(), await survivor.Journal.ReadHighestSequenceNrAsync(b).Within(), await survivor.Journal.ReadHighestSequenceNrAsync(c).Within());
        var retry = await survivor.Journal.WriteMessagesAsync(second).Within();
        var final = await survivor.Journal.EventsByTag(tag).CollectAsync();

        Assert.Equal([(a, 1L), (a, 2L), (b, 1L)], afterCrash.Select(e => (e.Event.PersistenceId, e.Event.SequenceNr)));
        Assert.Equal((2L, 1L, 0L), highest);
        Assert.Equal([null, null, null], retry);
        Assert.Equal(
            [(a, 1L), (a, 2L), (b, 1L), (a, 3L), (a, 4L), (b, 2L), (c, 1L), (c, 2L), (c, 3L)],
            final.Select(e => (e.Event.PersistenceId, e.Event.SequenceNr)));
        var first = final[0].Offset;
        Assert.Equal(Enumerable.Range(0, final.Count).Select(i => first + i), final.Select(e => e.Offset));
        Assert.Equal([1L, 2L, 3L, 4L], (await survivor.Journal.ReplayMessagesAsync(a).CollectAsync()).Select(e => e.SequenceNr));
    }

    [Fact]
    public async Task Many_appends_through_the_batching_writer_are_group_committed_and_durable()
    {
        const int Actors = 100;
        const int AppendsEach = 5;
        await using var writer = new BatchingJournalWriter(Journal, new JournalOptions(), TimeProvider.System);
        var pids = Enumerable.Range(0, Actors).Select(i => Events.NewPersistenceId($"g{i}")).ToArray();

        await Task.WhenAll(pids.Select(async pid =>
        {
            for (var seq = 1; seq <= AppendsEach; seq++)
            {
                await writer.AppendAsync(Events.Write(pid, seq));
            }
        })).Within();

        Assert.True(writer.Batches < Actors * AppendsEach, $"{writer.Batches} batches for {Actors * AppendsEach} appends");
        foreach (var pid in pids.Take(10))
        {
            Assert.Equal(AppendsEach, await Journal.ReadHighestSequenceNrAsync(pid).Within());
        }
    }

    [Fact]
    public async Task Opening_again_applies_no_migration_twice_and_records_the_schema_version()
    {
        await OpenStoreAsync();
        await OpenStoreAsync();

        Assert.Equal(Enumerable.Range(1, ExpectedMigrations), await SchemaVersionsAsync().Within());
    }

    /// <summary>How many numbered migrations the backend embeds (PostgreSQL adds the cluster's lease and membership tables, the members' RabbitMQ user and the deleted ranges' marks; both add the risk parameter history).</summary>
    protected abstract int ExpectedMigrations { get; }

    protected abstract Task<StoreUnderTest> OpenAsync(TimeProvider time);

    protected abstract Task<IReadOnlyList<int>> SchemaVersionsAsync();

    /// <summary>Opens another store on the same database (own connections), closed with the test.</summary>
    protected async Task<StoreUnderTest> OpenStoreAsync()
    {
        var store = await OpenAsync(Time);
        _opened.Add(store);
        return store;
    }
}
