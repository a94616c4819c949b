using CrossMargin.Actors.TestKit;
using System.Diagnostics.Metrics;
using CrossMargin.Persistence.Journal;
using CrossMargin.Persistence.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace CrossMargin.Persistence.Tests.Journal;

/// <summary>Group commit, back-pressure and the circuit breaker, against a scripted journal.</summary>
public sealed class BatchingJournalWriterTests
{
    private static readonly TimeSpan Brief = TimeSpan.FromMilliseconds(200);
    private readonly ScriptedJournal _journal = new();
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task An_append_completes_only_when_its_batch_is_durable()
    {
        var durable = new TaskCompletionSource<IReadOnlyList<Exception?>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _journal.OnWrite = (_, _) => durable.Task;
        await using var writer = new BatchingJournalWriter(_journal, new JournalOptions { Writers = 1 }, _time);

        var append = writer.AppendAsync(Events.Write("a", 1));
        await WaitUntil(() => !_journal.Batches.IsEmpty);
        await Task.Delay(Brief);
        var completedBeforeCommit = append.IsCompleted;
        durable.SetResult([null]);
        await append.Within();

        Assert.False(completedBeforeCommit);
    }

    [Fact]
    public async Task Appends_queued_while_a_transaction_commits_share_the_next_transaction()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _journal.OnWrite = async (writes, _) =>
        {
            await gate.Task;
            return new Exception?[writes.Count];
        };
        await using var writer = new BatchingJournalWriter(_journal, new JournalOptions { Writers = 1, MaxBatchSize = 1000 }, _time);

        var first = writer.AppendAsync(Events.Write("first", 1));
        await WaitUntil(() => _journal.Batches.Count == 1);
        var queued = Enumerable.Range(0, 50).Select(i => writer.AppendAsync(Events.Write($"p{i}", 1))).ToArray();
        gate.SetResult();
        await Task.WhenAll(queued.Append(first)).Within();

        Assert.Equal([1, 50], _journal.Batches.Select(b => b.Count));
        Assert.Equal(2, writer.Batches);
    }

    [Fact]
    public async Task Batches_stay_within_the_maximum_batch_size()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _journal.OnWrite = async (writes, _) =>
        {
            await gate.Task;
            return new Exception?[writes.Count];
        };
        await using var writer = new BatchingJournalWriter(_journal, new JournalOptions { Writers = 1, MaxBatchSize = 10 }, _time);

        var first = writer.AppendAsync(Events.Write("first", 1));
        await WaitUntil(() => _journal.Batches.Count == 1);
        var queued = Enumerable.Range(0, 12).Select(i => writer.AppendAsync(Events.Write($"p{i}", 1, 3))).ToArray();
        gate.SetResult();
        await Task.WhenAll(queued.Append(first)).Within();

        Assert.All(_journal.Batches, b => Assert.True(b.Sum(w => w.Events.Count) <= 10));
        Assert.Equal(37, _journal.Batches.Sum(b => b.Sum(w => w.Events.Count)));
    }

    [Fact]
    public async Task A_slow_store_makes_appending_wait_instead_of_buffering_without_limit()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _journal.OnWrite = async (writes, _) =>
        {
            await gate.Task;
            return new Exception?[writes.Count];
        };
        await using var writer = new BatchingJournalWriter(_journal, new JournalOptions { Writers = 1, MaxPendingWrites = 2 }, _time);
        var inFlight = writer.AppendAsync(Events.Write("in-flight", 1));
        await WaitUntil(() => _journal.Batches.Count == 1);
        var queued = new[] { writer.AppendAsync(Events.Write("q1", 1)), writer.AppendAsync(Events.Write("q2", 1)) };

        using var giveUp = new CancellationTokenSource(Brief);
        var overflow = writer.AppendAsync(Events.Write("overflow", 1), giveUp.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => overflow).Within();
        gate.SetResult();
        await Task.WhenAll(queued.Append(inFlight)).Within();
        Assert.DoesNotContain(_journal.Batches.SelectMany(b => b), w => w.PersistenceId == "overflow");
    }

    [Fact]
    public async Task A_rejected_write_fails_only_its_own_append()
    {
        _journal.OnWrite = (writes, _) => Task.FromResult<IReadOnlyList<Exception?>>(
            writes.Select(w => w.PersistenceId == "taken" ? new JournalSequenceConflictException(w.PersistenceId, w.FromSequenceNr, w.WriterId) : null).ToArray());
        await using var writer = new BatchingJournalWriter(_journal, new JournalOptions { Writers = 1 }, _time);

        var ok = writer.AppendAsync(Events.Write("free", 1));
        var rejected = writer.AppendAsync(Events.Write("taken", 1));

        await ok.Within();
        var conflict = await Assert.ThrowsAsync<JournalSequenceConflictException>(() => rejected).Within();
        Assert.Equal("taken", conflict.PersistenceId);
        Assert.Equal(CircuitState.Closed, writer.CircuitBreaker.State);
    }

    [Fact]
    public async Task An_append_with_a_callback_is_told_null_once_durable_and_its_own_rejection_otherwise()
    {
        var durable = new TaskCompletionSource<IReadOnlyList<Exception?>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _journal.OnWrite = async (writes, _) =>
        {
            await durable.Task;
            return writes.Select(w => w.PersistenceId == "taken" ? new JournalSequenceConflictException(w.PersistenceId, w.FromSequenceNr, w.WriterId) : null).ToArray();
        };
        await using var writer = new BatchingJournalWriter(_journal, new JournalOptions { Writers = 1 }, _time);
        var free = Outcome();
        var taken = Outcome();

        writer.Append(Events.Write("free", 1), e => free.SetResult(e));
        writer.Append(Events.Write("taken", 1), e => taken.SetResult(e));
        await WaitUntil(() => !_journal.Batches.IsEmpty);
        await Task.Delay(Brief);
        var toldBeforeCommit = free.Task.IsCompleted || taken.Task.IsCompleted;
        durable.SetResult([]);

        Assert.False(toldBeforeCommit);
        Assert.Null(await free.Task.Within());
        Assert.Equal("taken", Assert.IsType<JournalSequenceConflictException>(await taken.Task.Within()).PersistenceId);
    }

    [Fact]
    public async Task An_append_with_a_callback_is_told_at_once_when_the_writer_refuses_it_and_a_throwing_callback_does_not_stop_the_writer()
    {
        _journal.OnWrite = (writes, _) => Task.FromResult<IReadOnlyList<Exception?>>(new Exception?[writes.Count]);
        var writer = new BatchingJournalWriter(_journal, new JournalOptions { Writers = 1 }, _time);
        writer.Append(Events.Write("throws", 1), _ => throw new InvalidOperationException("a careless caller"));
        var after = Outcome();
        writer.Append(Events.Write("after", 1), e => after.SetResult(e));
        Assert.Null(await after.Task.Within());

        await writer.DisposeAsync().AsTask().Within();
        Exception? refused = null;
        writer.Append(Events.Write("late", 1), e => refused = e);

        Assert.IsType<ObjectDisposedException>(refused);
    }

    private static TaskCompletionSource<Exception?> Outcome() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public async Task Appends_of_one_persistence_id_reach_the_journal_in_order_across_parallel_writers()
    {
        _journal.OnWrite = async (writes, _) =>
        {
            await Task.Yield();
            return new Exception?[writes.Count];
        };
        await using var writer = new BatchingJournalWriter(_journal, new JournalOptions { Writers = 4, MaxBatchSize = 7 }, _time);

        var appends = Enumerable.Range(1, 200).Select(seq => writer.AppendAsync(Events.Write("ordered", seq))).ToArray();
        await Task.WhenAll(appends).Within();

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), _journal.Batches.SelectMany(b => b).Select(w => w.FromSequenceNr));
    }

    [Fact]
    public async Task The_circuit_breaker_opens_after_consecutive_store_failures_and_then_fails_fast()
    {
        _journal.OnWrite = (_, _) => Task.FromException<IReadOnlyList<Exception?>>(new IOException("database is down"));
        await using var writer = new BatchingJournalWriter(_journal, new JournalOptions { Writers = 1, CircuitBreakerMaxFailures = 2 }, _time);
        var changes = new List<CircuitState>();
        writer.CircuitBreaker.StateChanged += (_, e) => changes.Add(e.Current);

        var first = await Assert.ThrowsAsync<JournalWriteException>(() => writer.AppendAsync(Events.Write("a", 1))).Within();
        await Assert.ThrowsAsync<JournalWriteException>(() => writer.AppendAsync(Events.Write("a", 1))).Within();
        var callsWhenOpened = _journal.Batches.Count;
        await Assert.ThrowsAsync<JournalCircuitOpenException>(() => writer.AppendAsync(Events.Write("a", 1))).Within();

        Assert.IsType<IOException>(first.InnerException);
        Assert.Contains("'a'", first.Message, StringComparison.Ordinal);
        Assert.Equal(CircuitState.Open, writer.CircuitBreaker.State);
        Assert.Equal([CircuitState.Open], changes);
        Assert.Equal(callsWhenOpened, _journal.Batches.Count);
    }

    [Fact]
    public async Task The_circuit_breaker_half_opens_after_the_reset_timeout_and_closes_when_the_trial_succeeds()
    {
        var down = true;
        _journal.OnWrite = (writes, _) => down
            ? Task.FromException<IReadOnlyList<Exception?>>(new IOException("database is down"))
            : Task.FromResult<IReadOnlyList<Exception?>>(new Exception?[writes.Count]);
        var options = new JournalOptions { Writers = 1, CircuitBreakerMaxFailures = 1, CircuitBreakerResetTimeout = TimeSpan.FromSeconds(5) };
        await using var writer = new BatchingJournalWriter(_journal, options, _time);
        var changes = new List<CircuitState>();
        writer.CircuitBreaker.StateChanged += (_, e) => changes.Add(e.Current);
        await Assert.ThrowsAsync<JournalWriteException>(() => writer.AppendAsync(Events.Write("a", 1))).Within();

        _time.Advance(TimeSpan.FromSeconds(4));
        var stillOpen = writer.CircuitBreaker.State;
        _time.Advance(TimeSpan.FromSeconds(1));
        var afterTimeout = writer.CircuitBreaker.State;
        down = false;
        await writer.AppendAsync(Events.Write("a", 1)).Within();

        Assert.Equal(CircuitState.Open, stillOpen);
        Assert.Equal(CircuitState.HalfOpen, afterTimeout);
        Assert.Equal(CircuitState.Closed, writer.CircuitBreaker.State);
        Assert.Equal([CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed], changes);
    }

    [Fact]
    public async Task A_failed_trial_opens_the_circuit_breaker_again()
    {
        _journal.OnWrite = (_, _) => Task.FromException<IReadOnlyList<Exception?>>(new IOException("database is down"));
        var options = new JournalOptions { Writers = 1, CircuitBreakerMaxFailures = 1, CircuitBreakerResetTimeout = TimeSpan.FromSeconds(5) };
        await using var writer = new BatchingJournalWriter(_journal, options, _time);
        await Assert.ThrowsAsync<JournalWriteException>(() => writer.AppendAsync(Events.Write("a", 1))).Within();

        _time.Advance(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<JournalWriteException>(() => writer.AppendAsync(Events.Write("a", 1))).Within();

        Assert.Equal(CircuitState.Open, writer.CircuitBreaker.State);
        await Assert.ThrowsAsync<JournalCircuitOpenException>(() => writer.AppendAsync(Events.Write("a", 1))).Within();
    }

    [Fact]
    public async Task A_batch_that_outlives_the_call_timeout_fails_with_an_unknown_outcome()
    {
        _journal.OnWrite = async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return [];
        };
        await using var writer = new BatchingJournalWriter(_journal, new JournalOptions { Writers = 1, CallTimeout = Brief }, TimeProvider.System);

        var failure = await Assert.ThrowsAsync<JournalWriteException>(() => writer.AppendAsync(Events.Write("slow", 1))).Within();

        Assert.Contains("timed out", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, writer.CircuitBreaker.ConsecutiveFailures);
    }

    [Fact]
    public async Task Lingering_collects_appends_that_arrive_within_the_batch_delay()
    {
        await using var writer = new BatchingJournalWriter(_journal, new JournalOptions { Writers = 1, MaxBatchDelay = TimeSpan.FromMilliseconds(300), LingerThreshold = 1 }, TimeProvider.System);

        var first = writer.AppendAsync(Events.Write("early", 1));
        await Task.Delay(50);
        var second = writer.AppendAsync(Events.Write("late", 1));
        await Task.WhenAll(first, second).Within();

        Assert.Equal([2], _journal.Batches.Select(b => b.Count));
    }

    /// <summary>The linger's clock never moves here: a writer that lingered would never commit.</summary>
    [Fact]
    public async Task A_lone_append_is_committed_at_once_though_the_writer_may_linger()
    {
        var frozen = new ManualTime();
        var writer = new BatchingJournalWriter(_journal, new JournalOptions { Writers = 1, MaxBatchDelay = TimeSpan.FromSeconds(1), LingerThreshold = 2 }, frozen);
        try
        {
            await writer.AppendAsync(Events.Write("alone", 1)).Within();

            Assert.Equal([1], _journal.Batches.Select(b => b.Count));
        }
        finally
        {
            // A writer left lingering would never stop on the frozen clock: release it so a failure cannot hang the run.
            frozen.Advance(TimeSpan.FromSeconds(1));
            await writer.DisposeAsync();
        }
    }

    /// <summary>
    /// One append of 20 events (an actor persisting a burst in one atomic write) is alone in its queue: nothing outpaces
    /// the commits, so it goes at once, though its events alone reach the threshold of 16. The linger's clock never
    /// moves: a writer that lingered on it would never commit it.
    /// </summary>
    [Fact]
    public async Task A_lone_append_of_many_events_is_committed_at_once_though_the_writer_may_linger()
    {
        var frozen = new ManualTime();
        var writer = new BatchingJournalWriter(_journal, new JournalOptions { Writers = 1, MaxBatchDelay = TimeSpan.FromSeconds(1), LingerThreshold = 16 }, frozen);
        try
        {
            await writer.AppendAsync(Events.Write("burst", 1, count: 20)).Within();

            Assert.Equal([1], _journal.Batches.Select(b => b.Count));
        }
        finally
        {
            frozen.Advance(TimeSpan.FromSeconds(1));
            await writer.DisposeAsync();
        }
    }

    /// <summary>
    /// Five appends queue behind a slow commit: the writer finds them together (at least the threshold of 2), so it holds
    /// them for the linger, and a sixth that arrives meanwhile fills the batch (of 6) and goes with them. The linger's
    /// clock never moves, so only the full batch can end it.
    /// </summary>
    [Fact]
    public async Task A_writer_that_finds_appends_waiting_in_bulk_lingers_for_more()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _journal.OnWrite = async (writes, _) =>
        {
            await gate.Task;
            return new Exception?[writes.Count];
        };
        var frozen = new ManualTime();
        var writer = new BatchingJournalWriter(_journal,
            new JournalOptions { Writers = 1, MaxBatchSize = 6, MaxBatchDelay = TimeSpan.FromSeconds(1), LingerThreshold = 2 }, frozen);
        try
        {
            await LingerForALateAppendAsync(writer, gate);
        }
        finally
        {
            gate.TrySetResult();
            frozen.Advance(TimeSpan.FromSeconds(1));
            await writer.DisposeAsync();
        }
    }

    private async Task LingerForALateAppendAsync(BatchingJournalWriter writer, TaskCompletionSource gate)
    {
        var first = writer.AppendAsync(Events.Write("first", 1));
        await WaitUntil(() => _journal.Batches.Count == 1);
        var queued = Enumerable.Range(0, 5).Select(i => writer.AppendAsync(Events.Write($"p{i}", 1))).ToList();
        gate.SetResult();
        await first.Within();
        await WaitUntil(() => writer.PendingAppends == 0);
        await Task.Delay(Brief);
        var writtenWhileLingering = _journal.Batches.Count;
        queued.Add(writer.AppendAsync(Events.Write("late", 1)));
        await Task.WhenAll(queued).Within();

        Assert.Equal(1, writtenWhileLingering);
        Assert.Equal([1, 6], _journal.Batches.Select(b => b.Count));
    }

    [Fact]
    public void A_linger_threshold_below_one_is_refused()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new BatchingJournalWriter(_journal, new JournalOptions { LingerThreshold = 0 }, _time));

        Assert.Contains("LingerThreshold must be at least 1 (was 0)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_are_rejected_before_anything_starts()
    {
        var invalid = new JournalOptions { MaxBatchSize = 0, Writers = 0, CallTimeout = TimeSpan.Zero };

        var error = Assert.Throws<OptionsValidationException>(() => new BatchingJournalWriter(_journal, invalid, _time));

        Assert.Contains(error.Failures, f => f.Contains(nameof(JournalOptions.MaxBatchSize), StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains(nameof(JournalOptions.Writers), StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains(nameof(JournalOptions.CallTimeout), StringComparison.Ordinal));
    }

    [Fact]
    public void A_call_timeout_longer_than_a_timer_can_run_is_refused_before_anything_starts()
    {
        // Accepted, it threw in the writer loop at its first batch (a timer cannot run that long): the loop ended, and
        // that batch's appends and every later one waited for ever.
        var error = Assert.Throws<OptionsValidationException>(() => new BatchingJournalWriter(_journal, new JournalOptions { CallTimeout = TimeSpan.FromDays(60) }, _time));

        Assert.Contains(error.Failures, f => f.Contains(nameof(JournalOptions.CallTimeout), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disposing_writes_what_is_queued_and_then_refuses_appends()
    {
        var writer = new BatchingJournalWriter(_journal, new JournalOptions { Writers = 2 }, _time);
        var appends = Enumerable.Range(0, 20).Select(i => writer.AppendAsync(Events.Write($"p{i}", 1))).ToArray();

        await writer.DisposeAsync().AsTask().Within();

        await Task.WhenAll(appends).Within();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => writer.AppendAsync(Events.Write("late", 1))).Within();
    }

    [Fact]
    public async Task The_queue_depth_and_the_batch_being_committed_are_gauges_tagged_with_the_writer()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _journal.OnWrite = async (writes, _) =>
        {
            await gate.Task;
            return new Exception?[writes.Count];
        };
        var name = "gauges-" + Guid.NewGuid().ToString("N");
        var writer = new BatchingJournalWriter(_journal, new JournalOptions { Writers = 1, MaxBatchSize = 1000 }, _time, name: name);

        var first = writer.AppendAsync(Events.Write("first", 1));
        await WaitUntil(() => _journal.Batches.Count == 1);
        var queued = Enumerable.Range(0, 5).Select(i => writer.AppendAsync(Events.Write($"q{i}", 1))).ToArray();

        // One append is with the store; the five behind it wait for its transaction to end.
        Assert.Equal((5L, 1L), (writer.PendingAppends, writer.InFlightAppends));
        Assert.Equal((5L, 1L), Gauges(name));

        gate.SetResult();
        await Task.WhenAll(queued.Append(first)).Within();
        Assert.Equal((0L, 0L), Gauges(name));

        await writer.DisposeAsync();
        Assert.Equal((null, null), GaugesOrNull(name));
    }

    private static (long Pending, long InFlight) Gauges(string writer) => GaugesOrNull(writer) is (long pending, long inFlight)
        ? (pending, inFlight)
        : throw new InvalidOperationException($"No gauges for writer {writer}.");

    /// <summary>What a metrics listener collects from <see cref="PersistenceMetrics"/> for <paramref name="writer"/>.</summary>
    private static (long? Pending, long? InFlight) GaugesOrNull(string writer)
    {
        long? pending = null;
        long? inFlight = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PersistenceMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "writer", Value: string name } && name == writer)
                {
                    if (instrument == PersistenceMetrics.PendingAppends)
                    {
                        pending = value;
                    }
                    else if (instrument == PersistenceMetrics.InFlightAppends)
                    {
                        inFlight = value;
                    }
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return (pending, inFlight);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(Bounded.Timeout);
        while (!condition())
        {
            await Task.Delay(5, cts.Token);
        }
    }
}
