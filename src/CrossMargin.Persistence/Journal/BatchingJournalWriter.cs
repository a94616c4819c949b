using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrossMargin.Persistence.Journal;

/// <summary>
/// Group commit: collects appends from many persistent actors into batches (bounded size, optionally a bounded
/// linger), writes each batch in one transaction, and completes each append only once its transaction is durable.
/// A few writers run in parallel; a persistence id always goes to the same writer, so its appends commit in order.
/// Each writer's queue is bounded: when the store is slow, appending waits (back-pressure) instead of buffering
/// without limit. A <see cref="JournalCircuitBreaker"/> makes appends fail fast while the store is down.
/// Its queue depth and the batch in flight are gauges of <see cref="PersistenceMetrics"/>.
/// </summary>
public sealed class BatchingJournalWriter : IAsyncDisposable
{
    private readonly IJournal _journal;
    private readonly JournalOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Channel<PendingWrite>[] _queues;
    private readonly Task[] _loops;
    private long _batches;
    private long _writes;
    private long _events;
    private long _inFlight;
    private int _disposed;

    /// <summary>Creates the writer and starts its writer loops.</summary>
    /// <param name="journal">The store.</param>
    /// <param name="options">Batching, queue bounds and the circuit breaker.</param>
    /// <param name="timeProvider">The clock of the linger, the call timeout and the breaker.</param>
    /// <param name="logger">Where failures and breaker changes are logged.</param>
    /// <param name="name">The <c>writer</c> tag of its gauges (<see cref="PersistenceMetrics"/>); "journal" when omitted.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public BatchingJournalWriter(IJournal journal, JournalOptions options, TimeProvider timeProvider, ILogger<BatchingJournalWriter>? logger = null,
        string? name = null)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _journal = journal;
        _options = OptionsGuard.ThrowIfInvalid(new JournalOptionsValidator(), options);
        _timeProvider = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        CircuitBreaker = new JournalCircuitBreaker(options.CircuitBreakerMaxFailures, options.CircuitBreakerResetTimeout, timeProvider);
        CircuitBreaker.StateChanged += (_, e) => LogStateChange(e);
        var capacity = Math.Max(1, options.MaxPendingWrites / options.Writers);
        _queues = new Channel<PendingWrite>[options.Writers];
        _loops = new Task[options.Writers];
        for (var i = 0; i < _queues.Length; i++)
        {
            _queues[i] = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.Wait,
                SingleReader = true,
                AllowSynchronousContinuations = false,
            });
            var queue = _queues[i].Reader;
            _loops[i] = Task.Run(() => RunAsync(queue));
        }

        Name = string.IsNullOrWhiteSpace(name) ? "journal" : name;
        PersistenceMetrics.Register(this);
    }

    /// <summary>The writer's name, the <c>writer</c> tag of its gauges.</summary>
    public string Name { get; }

    /// <summary>Appends queued and not yet taken into a batch, over all writer loops.</summary>
    public long PendingAppends
    {
        get
        {
            long pending = 0;
            foreach (var queue in _queues)
            {
                pending += queue.Reader.Count;
            }

            return pending;
        }
    }

    /// <summary>Appends in batches sent to the store whose outcome is not known yet, over all writer loops.</summary>
    public long InFlightAppends => Interlocked.Read(ref _inFlight);

    /// <summary>The breaker guarding the store; observe <see cref="JournalCircuitBreaker.State"/> and its StateChanged event.</summary>
    public JournalCircuitBreaker CircuitBreaker { get; }

    /// <summary>Batches sent to the journal so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Atomic writes sent to the journal so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Events sent to the journal so far.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>
    /// Appends <paramref name="write"/> and completes when it is durable. Waits while the writer's queue is full.
    /// <paramref name="cancellationToken"/> cancels only that wait: once queued, the write goes to the store, and
    /// its outcome is this task's outcome.
    /// </summary>
    /// <exception cref="JournalSequenceConflictException">Another writer owns a sequence number of this write.</exception>
    /// <exception cref="JournalCircuitOpenException">The store is failing; the breaker is open.</exception>
    /// <exception cref="JournalWriteException">The store failed, timed out, or an earlier write of the same id in the batch was rejected.</exception>
    public Task AppendAsync(AtomicWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (Refusal() is { } refused)
        {
            return Task.FromException(refused);
        }

        var pending = new TaskWrite(write);
        var queue = QueueOf(write);

        // Nearly always there is room: hand back the commit's own task, so its completion resumes the caller directly
        // instead of first resuming an async method here on the thread pool.
        return queue.TryWrite(pending) ? pending.Completion.Task : EnqueueThenAwaitAsync(queue, pending, cancellationToken);
    }

    /// <summary>
    /// Appends <paramref name="write"/> and calls <paramref name="onDone"/> once with its outcome: null when it is durable,
    /// else the exception <see cref="AppendAsync"/> would fail with. No task: for a caller that only hands the outcome on (a
    /// persistent actor posts it to its own mailbox). <paramref name="onDone"/> runs on the thread that learns the outcome,
    /// usually a writer loop, or on the caller's when the write is refused at once: it must not block, and what it throws
    /// is only logged. Waits (without blocking the caller) while the writer's queue is full.
    /// </summary>
    public void Append(AtomicWrite write, Action<Exception?> onDone)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(onDone);
        if (Refusal() is { } refused)
        {
            onDone(refused);
            return;
        }

        var pending = new CallbackWrite(write, onDone);
        var queue = QueueOf(write);
        if (!queue.TryWrite(pending))
        {
            _ = EnqueueOrRefuseAsync(queue, pending);
        }
    }

    // Why an append is refused before it is queued, if it is.
    private Exception? Refusal() =>
        Volatile.Read(ref _disposed) != 0 ? new ObjectDisposedException(nameof(BatchingJournalWriter))
        : !CircuitBreaker.WouldAllow() ? new JournalCircuitOpenException()
        : null;

    private ChannelWriter<PendingWrite> QueueOf(AtomicWrite write) =>
        _queues[unchecked((uint)StringComparer.Ordinal.GetHashCode(write.PersistenceId)) % (uint)_queues.Length].Writer;

    private static async Task EnqueueThenAwaitAsync(ChannelWriter<PendingWrite> queue, TaskWrite pending, CancellationToken cancellationToken)
    {
        var queued = await EnqueueAsync(queue, pending, cancellationToken).ConfigureAwait(false);
        ObjectDisposedException.ThrowIf(!queued, typeof(BatchingJournalWriter));
        await pending.Completion.Task.ConfigureAwait(false);
    }

    private async Task EnqueueOrRefuseAsync(ChannelWriter<PendingWrite> queue, CallbackWrite pending)
    {
        if (!await EnqueueAsync(queue, pending, CancellationToken.None).ConfigureAwait(false))
        {
            Complete(pending, new ObjectDisposedException(nameof(BatchingJournalWriter)));
        }
    }

    // Waits for room in the queue; false when the writer was disposed meanwhile.
    private static async Task<bool> EnqueueAsync(ChannelWriter<PendingWrite> queue, PendingWrite pending, CancellationToken cancellationToken)
    {
        try
        {
            await queue.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    // A caller's callback must not take the writer loop down with it.
    private void Complete(PendingWrite pending, Exception? error)
    {
        try
        {
            pending.Complete(error);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "The completion callback of an append of '{PersistenceId}' threw", pending.Write.PersistenceId);
        }
    }

    /// <summary>Stops accepting appends, writes what is queued, and waits for the writer loops to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var queue in _queues)
        {
            queue.Writer.TryComplete();
        }

        await Task.WhenAll(_loops).ConfigureAwait(false);
        PersistenceMetrics.Unregister(this);
    }

    private async Task RunAsync(ChannelReader<PendingWrite> queue)
    {
        var batch = new List<PendingWrite>(64);
        while (await queue.WaitToReadAsync().ConfigureAwait(false))
        {
            var events = Drain(queue, batch, 0);
            // Only a writer that found appends waiting in bulk is behind its arrivals: lingering then fills the
            // transaction; lingering on a lone append would only delay it, however many events it holds. Appends are
            // counted, not events: one actor's burst in one atomic write is still one append found alone.
            if (batch.Count >= _options.LingerThreshold && events < _options.MaxBatchSize && _options.MaxBatchDelay > TimeSpan.Zero)
            {
                events = await LingerAsync(queue, batch, events).ConfigureAwait(false);
            }

            if (batch.Count > 0)
            {
                await WriteBatchAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }
        }
    }

    private int Drain(ChannelReader<PendingWrite> queue, List<PendingWrite> batch, int events)
    {
        while (events < _options.MaxBatchSize && queue.TryPeek(out var next))
        {
            // A write that does not fit waits for the next batch, unless the batch is empty (it then goes alone).
            if (batch.Count > 0 && events + next.Write.Events.Count > _options.MaxBatchSize)
            {
                break;
            }

            queue.TryRead(out next);
            batch.Add(next!);
            events += next!.Write.Events.Count;
        }

        return events;
    }

    private async Task<int> LingerAsync(ChannelReader<PendingWrite> queue, List<PendingWrite> batch, int events)
    {
        using var linger = new CancellationTokenSource(_options.MaxBatchDelay, _timeProvider);
        try
        {
            while (events < _options.MaxBatchSize && await queue.WaitToReadAsync(linger.Token).ConfigureAwait(false))
            {
                var before = events;
                events = Drain(queue, batch, events);
                if (events == before)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (linger.IsCancellationRequested)
        {
            // The linger is over: write what we have.
        }

        return events;
    }

    private async Task WriteBatchAsync(List<PendingWrite> batch)
    {
        if (!CircuitBreaker.TryEnter())
        {
            var open = new JournalCircuitOpenException();
            foreach (var pending in batch)
            {
                Complete(pending, open);
            }

            return;
        }

        var writes = new AtomicWrite[batch.Count];
        var events = 0;
        for (var i = 0; i < writes.Length; i++)
        {
            writes[i] = batch[i].Write;
            events += writes[i].Events.Count;
        }

        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _writes, writes.Length);
        Interlocked.Add(ref _events, events);
        Interlocked.Add(ref _inFlight, writes.Length);
        IReadOnlyList<Exception?> results;
        using var timeout = new CancellationTokenSource(_options.CallTimeout, _timeProvider);
        try
        {
            try
            {
                results = await _journal.WriteMessagesAsync(writes, timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Add(ref _inFlight, -writes.Length);
            }

            if (results.Count != writes.Length)
            {
                throw new InvalidOperationException($"The journal returned {results.Count} results for {writes.Length} writes.");
            }
        }
        catch (Exception e)
        {
            CircuitBreaker.RecordFailure(e);
            var reason = timeout.IsCancellationRequested
                ? $"timed out after {_options.CallTimeout.TotalSeconds:0.###} s; it may or may not have committed"
                : "failed in the store";
            _logger.LogError(e, "Journal batch of {Writes} writes ({Events} events) {Reason}", writes.Length, events, reason);
            foreach (var pending in batch)
            {
                var write = pending.Write;
                Complete(pending, new JournalWriteException(
                    $"Append of '{write.PersistenceId}' sequence numbers {write.FromSequenceNr}..{write.ToSequenceNr} {reason}: {e.Message}", e));
            }

            return;
        }

        CircuitBreaker.RecordSuccess();
        for (var i = 0; i < batch.Count; i++)
        {
            Complete(batch[i], results[i]);
        }
    }

    private void LogStateChange(CircuitStateChangedEventArgs change)
    {
        if (change.Current == CircuitState.Open)
        {
            _logger.LogError(change.Cause, "Journal circuit breaker {Previous} -> Open: appends fail fast for {ResetTimeout}", change.Previous, _options.CircuitBreakerResetTimeout);
        }
        else
        {
            _logger.LogWarning("Journal circuit breaker {Previous} -> {Current}", change.Previous, change.Current);
        }
    }

    /// <summary>An append waiting for its batch, and how its caller learns the outcome.</summary>
    private abstract class PendingWrite(AtomicWrite write)
    {
        public AtomicWrite Write { get; } = write;

        /// <summary>Reports the outcome: null when durable. Called once.</summary>
        public abstract void Complete(Exception? error);
    }

    private sealed class TaskWrite(AtomicWrite write) : PendingWrite(write)
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Complete(Exception? error)
        {
            if (error is null)
            {
                Completion.TrySetResult();
            }
            else
            {
                Completion.TrySetException(error);
            }
        }
    }

    private sealed class CallbackWrite(AtomicWrite write, Action<Exception?> onDone) : PendingWrite(write)
    {
        public override void Complete(Exception? error) => onDone(error);
    }
}
