namespace CrossMargin.Persistence.Journal;

/// <summary>Settings of the <see cref="BatchingJournalWriter"/> (group commit, back-pressure, circuit breaker).</summary>
public sealed class JournalOptions
{
    /// <summary>Most events in one transaction (a single larger write still goes alone). Default 1,000.</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>
    /// How long a writer lingers for more appends once it holds <see cref="LingerThreshold"/> appends or more and the batch
    /// is not full. Default zero (never): one node alone on its store batches well without it, since appends queue up
    /// while the previous transaction commits. A cluster node sets it from <c>Cluster:JournalLinger</c>: nodes sharing
    /// one PostgreSQL take turns on its ordering row, so each node's batches stay small and a transaction's fixed cost
    /// is spread over few events.
    /// </summary>
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// The appends (atomic writes, however many events each holds) a writer must find waiting at once, when it wakes,
    /// before it lingers (<see cref="MaxBatchDelay"/>). Fewer mean appends are not outpacing commits, so the batch goes at
    /// once and a light load pays no delay; a lone append of many events is not a load either. Default 16; 1 lingers on
    /// every batch.
    /// </summary>
    public int LingerThreshold { get; set; } = 16;

    /// <summary>
    /// Writers committing in parallel; each owns the persistence ids that hash to it, so one id's appends never
    /// reorder. Default 1: both journals here commit one transaction at a time (SQLite has one writer; PostgreSQL
    /// appends queue on the ordering row that keeps tagged streams gap-free), so parallel writers only split the
    /// batches and multiply the commits. Measured with 1,000 actors on PostgreSQL: 42,000 events/s with 1 writer,
    /// 19,000 with 2, 22,000 with 4 (tests/CrossMargin.Benchmarks/README.md). More help a store that commits in parallel.
    /// </summary>
    public int Writers { get; set; } = 1;

    /// <summary>Appends that may wait for a writer (over all writers); beyond this, appending waits (back-pressure). Default 16,384.</summary>
    public int MaxPendingWrites { get; set; } = 16_384;

    /// <summary>A batch that takes longer fails (outcome unknown) and counts as a store failure. Default 10 s; at most ~49.7 days (a timer's limit).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Consecutive failed batches that open the circuit breaker. Default 5.</summary>
    public int CircuitBreakerMaxFailures { get; set; } = 5;

    /// <summary>How long the breaker stays open before a trial batch. Default 5 s.</summary>
    public TimeSpan CircuitBreakerResetTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A copy of these options lingering <paramref name="maxBatchDelay"/> (<see cref="MaxBatchDelay"/>), every other
    /// setting kept: a cluster node's writer takes its linger from the cluster's settings.
    /// </summary>
    public JournalOptions WithMaxBatchDelay(TimeSpan maxBatchDelay)
    {
        // A memberwise copy: a setting added later is carried without anyone remembering to.
        var copy = (JournalOptions)MemberwiseClone();
        copy.MaxBatchDelay = maxBatchDelay;
        return copy;
    }
}
