namespace CrossMargin.Persistence.Journal;

/// <summary>
/// The event journal: an append-only history per persistence id, keyed by (persistence id, sequence number) so a
/// second writer fails instead of forking the history, plus a global ordering for tagged streams.
/// </summary>
public interface IJournal
{
    /// <summary>
    /// Appends a batch of atomic writes (many persistence ids) and completes when the batch is durable. Each write is
    /// all or nothing; writes for different ids succeed or fail independently.
    /// </summary>
    /// <returns>
    /// One entry per write, in order: null when it is durable, otherwise why it was rejected, e.g.
    /// <see cref="JournalSequenceConflictException"/> when a sequence number is taken. A later write of an id whose
    /// earlier write in the same batch was rejected is rejected too, so no history gets a gap.
    /// </returns>
    /// <exception cref="Exception">The store failed (connection lost, disk full): no write of the batch can be assumed durable or absent.</exception>
    Task<IReadOnlyList<Exception?>> WriteMessagesAsync(IReadOnlyList<AtomicWrite> writes, CancellationToken cancellationToken = default);

    /// <summary>Reads the events of <paramref name="persistenceId"/> from <paramref name="fromSequenceNr"/> to <paramref name="toSequenceNr"/> (inclusive), at most <paramref name="max"/>, in sequence order.</summary>
    IAsyncEnumerable<PersistentRepresentation> ReplayMessagesAsync(
        string persistenceId, long fromSequenceNr = 1, long toSequenceNr = long.MaxValue, long max = long.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>The highest sequence number ever written for <paramref name="persistenceId"/> (0 when none), deleted events included.</summary>
    Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the events of <paramref name="persistenceId"/> up to <paramref name="toSequenceNr"/> (inclusive); the highest sequence number is kept.</summary>
    Task DeleteMessagesToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default);

    /// <summary>
    /// The events carrying <paramref name="tag"/> with an offset after <paramref name="fromOffset"/>, in commit order,
    /// without gaps. With <paramref name="live"/> the stream then waits for new events until cancelled; otherwise it
    /// ends at the events committed when it caught up.
    /// </summary>
    IAsyncEnumerable<TaggedEvent> EventsByTag(string tag, long fromOffset = 0, bool live = false, CancellationToken cancellationToken = default);
}
