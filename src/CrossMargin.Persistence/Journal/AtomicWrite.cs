namespace CrossMargin.Persistence.Journal;

/// <summary>
/// Events of one persistence id with consecutive sequence numbers, written all or nothing (Akka's AtomicWrite).
/// </summary>
public sealed record AtomicWrite
{
    /// <summary>Creates a write of <paramref name="events"/> numbered from <paramref name="fromSequenceNr"/>.</summary>
    /// <param name="persistenceId">The entity whose history this extends.</param>
    /// <param name="fromSequenceNr">Sequence number of the first event, from 1; the rest follow consecutively.</param>
    /// <param name="writerId">Who writes (node and actor incarnation), recorded on each event so a forked history can be traced.</param>
    /// <param name="events">At least one event.</param>
    public AtomicWrite(string persistenceId, long fromSequenceNr, string writerId, IReadOnlyList<EventData> events)
        : this(persistenceId, fromSequenceNr, writerId, events?.ToArray()!)
    {
    }

    // Keeps the array it is given: only for an array nobody else holds.
    private AtomicWrite(string persistenceId, long fromSequenceNr, string writerId, EventData[] events)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(persistenceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(writerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(fromSequenceNr, 1);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Length == 0)
        {
            throw new ArgumentException("An atomic write needs at least one event.", nameof(events));
        }

        PersistenceId = persistenceId;
        FromSequenceNr = fromSequenceNr;
        WriterId = writerId;
        Events = events;
    }

    /// <summary>The entity whose history this extends.</summary>
    public string PersistenceId { get; }

    /// <summary>Sequence number of the first event.</summary>
    public long FromSequenceNr { get; }

    /// <summary>Sequence number of the last event.</summary>
    public long ToSequenceNr => FromSequenceNr + Events.Count - 1;

    /// <summary>Who writes; recorded on each event.</summary>
    public string WriterId { get; }

    /// <summary>The events, in sequence order.</summary>
    public IReadOnlyList<EventData> Events { get; }

    /// <summary>The lease the write must still be held under when it commits; null for an unfenced write (embedded mode).</summary>
    public WriteFence? Fence { get; init; }

    /// <summary>A write that keeps <paramref name="events"/> rather than a copy: for a caller that made the array for it and drops it.</summary>
    internal static AtomicWrite Owning(string persistenceId, long fromSequenceNr, string writerId, EventData[] events, WriteFence? fence) =>
        new(persistenceId, fromSequenceNr, writerId, events) { Fence = fence };
}
